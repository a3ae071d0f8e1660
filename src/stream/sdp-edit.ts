/**
 * Editing the SDP of the WebRTC offer and answer: which ICE candidates are offered, and the video
 * bitrate hints. Pure text functions, tested without a peer connection.
 */

/**
 * ICE candidate filter: when the server is bound to loopback, only loopback addresses are offered or
 * dialled, so media never leaves the machine. Peer-reflexive candidates learnt from the browser's
 * own checks still work.
 */
export function isLoopbackCandidate(candidate: string): boolean {
  // candidate:<foundation> <component> <proto> <priority> <address> <port> typ <type> ...
  const address = candidate.replace(/^a=/, '').split(' ')[4];
  if (address === undefined) return false;
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

/** Removes the non-loopback `a=candidate` lines of an SDP. */
export function filterSdpCandidates(sdp: string, keep: (candidate: string) => boolean): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || keep(line.slice(2)))
    .join('\r\n');
}

/** Bitrate hints for the video codecs of an SDP, in kbps (libwebrtc's x-google-*-bitrate fmtp parameters). */
export interface VideoBitrateHints {
  minKbps: number;
  startKbps: number;
  maxKbps: number;
}

/**
 * Adds x-google-min/start/max-bitrate to every video codec's fmtp line (a codec without one gets
 * one). Applied to a remote description, they set the bandwidth estimator's bounds of the side that
 * applies it: its sender.
 */
export function setVideoBitrateHints(sdp: string, hints: VideoBitrateHints): string {
  const params = `x-google-min-bitrate=${Math.round(hints.minKbps)};x-google-start-bitrate=${Math.round(hints.startKbps)};x-google-max-bitrate=${Math.round(hints.maxKbps)}`;
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  let inVideo = false;
  const videoPayloads = new Set<string>();
  const withFmtp = new Set<string>();
  for (const line of lines) {
    if (line.startsWith('m=')) inVideo = line.startsWith('m=video');
    const rtpmap = /^a=rtpmap:(\d+) (VP8|VP9|H264|AV1)\//i.exec(line);
    if (inVideo && rtpmap?.[1]) videoPayloads.add(rtpmap[1]);
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (inVideo && fmtp?.[1] && videoPayloads.has(fmtp[1])) {
      withFmtp.add(fmtp[1]);
      out.push(`a=fmtp:${fmtp[1]} ${(fmtp[2] ?? '').replace(/;?x-google-(min|start|max)-bitrate=\d+/g, '')};${params}`.replace(' ;', ' '));
      continue;
    }
    out.push(line);
  }
  // Codecs without an fmtp line get one right after their rtpmap.
  const result: string[] = [];
  for (const line of out) {
    result.push(line);
    const rtpmap = /^a=rtpmap:(\d+) /.exec(line);
    if (rtpmap?.[1] && videoPayloads.has(rtpmap[1]) && !withFmtp.has(rtpmap[1])) result.push(`a=fmtp:${rtpmap[1]} ${params}`);
  }
  return result.join('\r\n');
}
