#!/usr/bin/env python3
"""Extracts the files of a Qt binary resource (.rcc) into a folder.

Usage: extract-qt-rcc.py <file.rcc> <out-dir> [path-substring]

The format (Qt's rcc.cpp): a "qres" header with the offsets of the tree, the data and the names;
tree nodes of 14 bytes (format 1) or 22 bytes (format 2+, with a modification time); each file's
data is a 4-byte big-endian size and the bytes, zlib-compressed in qCompress's form (a 4-byte size
then a zlib stream) when the node's flag 1 is set. zstd (flag 4) is not supported and reported.
"""
import os
import struct
import sys
import zlib


def main():
    rcc, out = sys.argv[1], sys.argv[2]
    want = sys.argv[3] if len(sys.argv) > 3 else ''
    blob = open(rcc, 'rb').read()
    if blob[:4] != b'qres':
        sys.exit(f'{rcc}: not a Qt rcc file')
    version, tree, data, names = struct.unpack('>iiii', blob[4:20])
    node_size = 14 if version == 1 else 22

    def name_at(off):
        (length,) = struct.unpack('>H', blob[names + off:names + off + 2])
        start = names + off + 6
        return blob[start:start + 2 * length].decode('utf-16-be')

    written = 0
    skipped = 0

    def walk(index, prefix):
        nonlocal written, skipped
        base = tree + index * node_size
        name_off, flags = struct.unpack('>iH', blob[base:base + 6])
        name = name_at(name_off) if index else ''
        path = f'{prefix}/{name}' if name else prefix
        if flags & 2:  # directory
            count, first = struct.unpack('>ii', blob[base + 6:base + 14])
            for child in range(first, first + count):
                walk(child, path)
            return
        (off,) = struct.unpack('>i', blob[base + 10:base + 14])
        (size,) = struct.unpack('>I', blob[data + off:data + off + 4])
        payload = blob[data + off + 4:data + off + 4 + size]
        if want and want not in path:
            return
        if flags & 4:
            print(f'skip (zstd-compressed): {path}', file=sys.stderr)
            skipped += 1
            return
        if flags & 1:
            payload = zlib.decompress(payload[4:])
        target = os.path.join(out, path.lstrip('/'))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'wb') as f:
            f.write(payload)
        written += 1

    walk(0, '')
    print(f'{rcc}: {written} files written to {out}' + (f', {skipped} skipped' if skipped else ''))


main()
