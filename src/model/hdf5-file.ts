/**
 * Opening HDF5 files (Keras weights: the seed's generator, VGG19) with h5wasm, loaded only when one is
 * read. h5wasm does not throw on a file that is not HDF5 (it prints diagnostics and hands back a dead
 * handle), so callers check the signature first.
 */
import { open } from 'node:fs/promises';
import type h5wasmModule from 'h5wasm/node';
import { InputError } from '../errors.js';

/** HDF5's superblock signature. */
export const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Whether the file has HDF5's superblock signature at one of the offsets it may sit at: 0, 512, 1024, 2048… */
export async function hasHdf5Signature(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      const { bytesRead } = await handle.read(buf, 0, 8, offset);
      if (bytesRead === 8 && buf.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    await handle.close();
  }
}

/** Opens an HDF5 file read-only; InputError `<file> is not a readable HDF5 file<hint>` when h5wasm cannot. */
export async function openHdf5(file: string, hint = ''): Promise<InstanceType<typeof h5wasmModule.File>> {
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  try {
    return new h5wasm.File(file, 'r');
  } catch (cause) {
    throw new InputError('E_INPUT_INVALID', `${file} is not a readable HDF5 file${hint}`, cause);
  }
}
