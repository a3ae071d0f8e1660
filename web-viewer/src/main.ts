/**
 * The live anime filter's page: camera → server (WebRTC, or WebSocket frames as the fallback) →
 * stylized video beside the original, with a stats overlay. `window.japananime` exposes stats and
 * frame grabs for automation.
 *
 * URL parameters: token (required, printed by `japananime serve`), transport=auto|webrtc|ws,
 * w/h/fps (camera constraints), model, autostart=1, stamp=1 (WebRTC: stamp frame numbers into the
 * frames sent and read them back from the stylized frames, for exact per-frame latency).
 */
import { decodeFrameMessage, encodeFrameMessage, parseModelsResponse, parseServerMessage, type AdaptiveSizeView, type ServerMessage, type SessionStatsSnapshot } from '../../src/stream/protocol.js';
import { readStamp, STAMP_CELL, STAMP_HEIGHT, STAMP_WIDTH, stampBits } from '../../src/stream/frame-stamp.js';
import { SendPacer } from '../../src/stream/send-pacer.js';
import { median } from '../../src/sample-stats.js';

type Transport = 'webrtc' | 'ws';

interface ViewerStats {
  transport: Transport | null;
  framesIn: number;
  framesOut: number;
  dropped: number;
  latencyMs: number | null;
  modelMs: number | null;
  /** Stylized frames shown per second, over the last two seconds. */
  fps: number | null;
  mode: 'live' | 'broadcast' | null;
  state: string;
}

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
const wanted = (params.get('transport') ?? 'auto') as Transport | 'auto';
const camWidth = Number(params.get('w') ?? 640);
const camHeight = Number(params.get('h') ?? 480);
const camFps = Number(params.get('fps') ?? 30);
const stampFrames = params.get('stamp') === '1';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const startButton = $<HTMLButtonElement>('start');
const stopButton = $<HTMLButtonElement>('stop');
const modelSelect = $<HTMLSelectElement>('model');
const statusText = $<HTMLSpanElement>('status');
const originalVideo = $<HTMLVideoElement>('original');
const stylizedVideo = $<HTMLVideoElement>('stylized-video');
const stylizedCanvas = $<HTMLCanvasElement>('stylized-canvas');
const overlay = $<HTMLPreElement>('overlay');

const stats: ViewerStats = { transport: null, framesIn: 0, framesOut: 0, dropped: 0, latencyMs: null, modelMs: null, fps: null, mode: null, state: 'idle' };
let serverStats: SessionStatsSnapshot | null = null;
let latencies: number[] = [];
/** Every latency sample of this session (capped), for benchmarks' percentiles. */
let latencyLog: number[] = [];
function logLatency(ms: number): void {
  if (latencyLog.length < 100_000) latencyLog.push(ms);
}
let broadcast = false;
let serverWebRtc = true;
let stopCurrent: (() => void) | null = null;
/** The socket of the running session (signalling, reports, model switches). */
let currentSocket: WebSocket | null = null;
let camera: MediaStream | null = null;

const now = (): number => performance.timeOrigin + performance.now();

function setState(state: string): void {
  stats.state = state;
  statusText.textContent = state;
}

function wsUrl(): string {
  const u = new URL('/ws', location.href);
  u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('token', token);
  return u.href;
}

/** (time, frames shown) samples of the last two seconds: the achieved frame rate. */
let shownSamples: { t: number; frames: number }[] = [];
function updateFps(): void {
  const t = performance.now();
  shownSamples.push({ t, frames: stats.framesOut });
  shownSamples = shownSamples.filter((s) => t - s.t <= 2000);
  const first = shownSamples[0];
  stats.fps = first && t - first.t >= 500 && stats.transport !== null ? ((stats.framesOut - first.frames) * 1000) / (t - first.t) : null;
}

function renderOverlay(): void {
  updateFps();
  const f = (v: number | null, digits = 0): string => (v === null ? '–' : v.toFixed(digits));
  overlay.textContent =
    `${stats.transport ?? '–'} ${stats.mode ?? ''}\n` +
    `${f(stats.fps, 1)} fps  in ${stats.framesIn}  out ${stats.framesOut}  dropped ${stats.dropped}\n` +
    `model ${f(stats.modelMs)} ms  latency ${f(stats.latencyMs)} ms` +
    adaptiveLine(serverStats?.adaptive ?? null);
}

/** "model size 480x270 · 14.8 fps (target 15, floor 144px)": what the server's --target-fps chose. */
function adaptiveLine(a: AdaptiveSizeView | null): string {
  if (!a) return '';
  const size = a.lastSize ? `${a.lastSize.width}x${a.lastSize.height}` : `≤${a.side}px`;
  return `\nmodel size ${size} · ${a.achievedFps === null ? '–' : a.achievedFps.toFixed(1)} fps (target ${a.targetFps}, floor ${a.minSide}px)`;
}
setInterval(renderOverlay, 250);

/** Opens the socket and says hello; resolves once the server says ready. `onMessage` gets parsed control messages and binary frames. */
function openSocket(transport: Transport, onMessage: (ws: WebSocket, data: ServerMessage | ArrayBuffer) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl());
    ws.binaryType = 'arraybuffer';
    let ready = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', transport, mode: broadcast ? 'broadcast' : 'live', model: modelSelect.value || undefined, ...(stampFrames && transport === 'webrtc' ? { stamp: true } : {}) }));
    ws.onerror = () => {
      if (!ready) reject(new Error('WebSocket failed'));
    };
    ws.onclose = (e) => {
      if (!ready) reject(new Error(`WebSocket closed ${e.code}`));
      else if (stopCurrent) setState(`closed (${e.code})`);
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') {
        if (e.data instanceof ArrayBuffer) onMessage(ws, e.data);
        return;
      }
      const parsed = parseServerMessage(e.data);
      if (!parsed.ok) {
        console.warn(`ignored a server message (${parsed.reason})`);
        return;
      }
      const m = parsed.message;
      if (m.type === 'ready') {
        ready = true;
        currentSocket = ws;
        stats.mode = m.mode;
        resolve(ws);
        return;
      }
      if (m.type === 'error') setState(`server: ${m.message}`);
      if (m.type === 'stats') {
        serverStats = m.stats;
        stats.modelMs = m.stats.modelMs;
      }
      onMessage(ws, m);
    };
  });
}

/** WebRTC RTP statistics of the running session, per frame (ms, KB, kbps), for benchmarks. */
const rtpDiagnostics: Record<string, number> = {};

/** The pacer of the running live session, fed by the server's `took` messages. */
let pacer: SendPacer | null = null;
/** Sends a frame now if there is one to send; false when it could not (counted by the caller). */
type TrySend = () => boolean;

/**
 * Sends camera frames when the pacer says a model lane is about to free up (send-pacer.ts): no frame
 * is encoded or sent just to be replaced in the server's slot, and one that arrives waits little.
 */
function runPacedSender(p: SendPacer, trySend: TrySend): { tick: () => void; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    const t = performance.now();
    if (p.shouldSend(t) && trySend()) p.onSent(t);
    // Wake for the next scheduled send, and now and then for the start-up and the watchdog.
    const due = p.nextDueIn(performance.now());
    timer = setTimeout(tick, Math.max(1, Math.min(due ?? 25, 25)));
  };
  tick();
  return {
    tick,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

function onControl(m: ServerMessage | ArrayBuffer): void {
  if (m instanceof ArrayBuffer || !pacer) return;
  if (m.type === 'took') {
    pacer.setLanes(m.lanes);
    pacer.onTook({ waitedMs: m.waitedMs, idleMs: m.idleMs, modelMs: m.modelMs }, performance.now());
    paced?.tick();
  }
}
let paced: { tick: () => void; stop: () => void } | null = null;

/** Draws the frame-number stamp (frame-stamp.ts) into the top-left corner of a canvas. */
function drawStamp(ctx: CanvasRenderingContext2D, frameNumber: number): void {
  stampBits(frameNumber).forEach((bit, i) => {
    ctx.fillStyle = bit ? '#fff' : '#000';
    ctx.fillRect(i * STAMP_CELL, 0, STAMP_CELL, STAMP_HEIGHT);
  });
}

async function startWebRtc(): Promise<() => void> {
  if (typeof RTCPeerConnection === 'undefined') throw new Error('no WebRTC in this browser');
  let pc: RTCPeerConnection | null = null;
  const ws = await openSocket('webrtc', (_ws, data) => {
    onControl(data);
    if (data instanceof ArrayBuffer || !pc) return;
    if (data.type === 'answer') void pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
  });
  pc = new RTCPeerConnection({ iceServers: [] });
  const peer = pc;
  // The camera goes through a canvas whose frames are sent one at a time when the pacer says so
  // (captureStream(0) + requestFrame), instead of the camera track at its own rate.
  const sendCanvas = document.createElement('canvas');
  const sctx = sendCanvas.getContext('2d', { alpha: false });
  let sendTrack: CanvasCaptureMediaStreamTrack | null = null;
  if (camera && sctx) {
    sendCanvas.width = originalVideo.videoWidth || camWidth;
    sendCanvas.height = originalVideo.videoHeight || camHeight;
    const capture = sendCanvas.captureStream(0);
    sendTrack = capture.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
    // Keep the resolution under CPU pressure: the model's output size follows its input.
    sendTrack.contentHint = 'detail';
    peer.addTrack(sendTrack, capture);
  } else peer.addTransceiver('video', { direction: 'recvonly' });
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('WebRTC did not connect in time')), 8000);
    peer.ontrack = (e) => {
      // Show each stylized frame as soon as it is decoded: the output rate follows the model and is
      // irregular, which would otherwise grow the jitter buffer (latency) for smoothness nobody needs.
      const receiver = e.receiver as RTCRtpReceiver & { jitterBufferTarget?: number | null; playoutDelayHint?: number };
      try {
        receiver.jitterBufferTarget = 0;
        receiver.playoutDelayHint = 0;
      } catch {
        // Older browsers: the default jitter buffer.
      }
      stylizedVideo.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      stylizedVideo.hidden = false;
      stylizedCanvas.hidden = true;
      void stylizedVideo.play().catch(() => undefined);
    };
    peer.onconnectionstatechange = () => {
      if (peer.connectionState === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (peer.connectionState === 'failed') {
        clearTimeout(timer);
        reject(new Error('WebRTC failed'));
      }
    };
  });
  await peer.setLocalDescription(await peer.createOffer());
  // Answer with every candidate at once: on one machine gathering takes milliseconds.
  await new Promise<void>((resolve) => {
    if (peer.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 2000);
    peer.onicegatheringstatechange = () => {
      if (peer.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  ws.send(JSON.stringify({ type: 'offer', sdp: peer.localDescription?.sdp ?? '' }));
  try {
    await connected;
  } catch (err) {
    peer.close();
    ws.close();
    throw err;
  }
  stats.transport = 'webrtc';

  // Sending: one canvas frame per pacer slot, stamped with its number when asked.
  let frameNumber = 0;
  /** Capture time of each stamped frame number still expected back. */
  const sentAt = new Map<number, number>();
  let sender: { tick: () => void; stop: () => void } | null = null;
  if (sendTrack && sctx && !broadcast) {
    const track = sendTrack;
    pacer = new SendPacer({ initialLeadMs: 25 });
    sender = runPacedSender(pacer, () => {
      if (originalVideo.videoWidth === 0 || track.readyState !== 'live') return false;
      if (sendCanvas.width !== originalVideo.videoWidth) sendCanvas.width = originalVideo.videoWidth;
      if (sendCanvas.height !== originalVideo.videoHeight) sendCanvas.height = originalVideo.videoHeight;
      const capturedAt = now();
      sctx.drawImage(originalVideo, 0, 0);
      const n = frameNumber++ & 0xffff;
      if (stampFrames) {
        drawStamp(sctx, n);
        sentAt.set(n, capturedAt);
        sentAt.delete((n - 2000) & 0xffff);
      }
      track.requestFrame();
      stats.framesIn++;
      return true;
    });
    paced = sender;
  }

  // Receiving: count shown frames; with stamps, read each one's number and measure its latency.
  let shown = 0;
  let lastStamp = -1;
  let stampedDropped = 0;
  const probe = document.createElement('canvas');
  probe.width = STAMP_WIDTH;
  probe.height = STAMP_HEIGHT;
  const pctx = probe.getContext('2d', { willReadFrequently: true });
  const onShown = (_t: number, meta: VideoFrameCallbackMetadata): void => {
    shown++;
    if (stampFrames && pctx && stylizedVideo.videoWidth >= STAMP_WIDTH) {
      pctx.drawImage(stylizedVideo, 0, 0, STAMP_WIDTH, STAMP_HEIGHT, 0, 0, STAMP_WIDTH, STAMP_HEIGHT);
      const px = pctx.getImageData(0, 0, STAMP_WIDTH, STAMP_HEIGHT).data;
      const n = readStamp((x, y) => {
        const i = (y * STAMP_WIDTH + x) * 4;
        return ((px[i] as number) * 77 + (px[i + 1] as number) * 150 + (px[i + 2] as number) * 29) >> 8;
      });
      const capturedAt = n === null ? undefined : sentAt.get(n);
      if (n !== null && capturedAt !== undefined) {
        sentAt.delete(n);
        // Frames sent before this one and never shown were dropped on the way.
        if (lastStamp >= 0) stampedDropped += Math.max(0, ((n - lastStamp) & 0xffff) - 1);
        lastStamp = n;
        const ms = performance.timeOrigin + meta.expectedDisplayTime - capturedAt;
        latencies.push(ms);
        logLatency(ms);
        if (latencies.length > 60) latencies.shift();
        stats.latencyMs = median(latencies);
      }
    }
    stylizedVideo.requestVideoFrameCallback(onShown);
  };
  stylizedVideo.requestVideoFrameCallback(onShown);

  // Without stamps, the latency is estimated from the RTP stats: the camera frame's encode +
  // network + server (measured there) + network + jitter buffer + decode.
  const poll = setInterval(() => {
    void peer.getStats().then((report) => {
      let encodeMs = 0;
      let jitterMs = 0;
      let decodeMs = 0;
      let rttMs = 0;
      let lost = 0;
      const per = (total: unknown, count: unknown, scale = 1): number => (Number(count ?? 0) > 0 ? (scale * Number(total ?? 0)) / Number(count) : 0);
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') {
          encodeMs = per(s.totalEncodeTime, s.framesEncoded, 1000);
          rtpDiagnostics.sendEncodeMs = encodeMs;
          rtpDiagnostics.sendPacerMs = per(s.totalPacketSendDelay, s.packetsSent, 1000);
          rtpDiagnostics.sendFrameKB = per(s.bytesSent, s.framesSent, 1 / 1024);
          rtpDiagnostics.sendTargetKbps = Number(s.targetBitrate ?? 0) / 1000;
          rtpDiagnostics.sendFrames = Number(s.framesSent ?? 0);
        }
        if (s.type === 'inbound-rtp' && s.kind === 'video') {
          jitterMs = per(s.jitterBufferDelay, s.jitterBufferEmittedCount, 1000);
          decodeMs = per(s.totalDecodeTime, s.framesDecoded, 1000);
          lost = Number(s.framesDropped ?? 0);
          rtpDiagnostics.recvJitterMs = jitterMs;
          rtpDiagnostics.recvDecodeMs = decodeMs;
          rtpDiagnostics.recvProcessingMs = per(s.totalProcessingDelay, s.framesDecoded, 1000);
          rtpDiagnostics.recvAssemblyMs = per(s.totalAssemblyTime, s.framesAssembledFromMultiplePackets, 1000);
          rtpDiagnostics.recvFrameKB = per(s.bytesReceived, s.framesReceived, 1 / 1024);
          rtpDiagnostics.recvFramesDropped = lost;
        }
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) rttMs = 1000 * Number(s.currentRoundTripTime);
      });
      if (broadcast) stats.framesIn = 0;
      stats.framesOut = shown;
      stats.dropped = stampFrames ? stampedDropped : (serverStats?.dropped ?? 0) + lost;
      if (!stampFrames && (serverStats?.serverMs != null || broadcast)) {
        const serverMs = broadcast ? (serverStats?.modelMs ?? 0) : (serverStats?.serverMs ?? 0);
        const latency = (broadcast ? 0 : encodeMs) + rttMs + serverMs + jitterMs + decodeMs;
        stats.latencyMs = Math.round(latency * 10) / 10;
        logLatency(stats.latencyMs);
      }
      if (stats.latencyMs !== null && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'report', latencyMs: stats.latencyMs }));
    });
  }, 1000);
  const fastCount = setInterval(() => {
    stats.framesOut = shown;
    if (stampFrames) stats.dropped = stampedDropped;
  }, 200);
  return () => {
    clearInterval(poll);
    clearInterval(fastCount);
    sender?.stop();
    paced = null;
    pacer = null;
    peer.close();
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'bye' }));
    ws.close();
  };
}

async function startWebSocket(): Promise<() => void> {
  const ctx = stylizedCanvas.getContext('2d');
  if (!ctx) throw new Error('no 2d canvas');
  let lastShownId = -1;
  const ws = await openSocket('ws', (_ws, data) => {
    onControl(data);
    if (!(data instanceof ArrayBuffer)) return;
    const parsed = decodeFrameMessage(new Uint8Array(data));
    if (!parsed) return;
    const { header, payload } = parsed;
    if (header.frameId <= lastShownId && !broadcast) return;
    lastShownId = header.frameId;
    void createImageBitmap(new Blob([payload as BlobPart], { type: header.codec === 'webp' ? 'image/webp' : 'image/jpeg' })).then((bitmap) => {
      if (stylizedCanvas.width !== bitmap.width) stylizedCanvas.width = bitmap.width;
      if (stylizedCanvas.height !== bitmap.height) stylizedCanvas.height = bitmap.height;
      ctx.drawImage(bitmap, 0, 0);
      bitmap.close();
      stats.framesOut++;
      if (broadcast) return;
      // Shown at the next paint: latency up to then, as over WebRTC (its frame's display time).
      requestAnimationFrame(() => {
        const ms = now() - header.captureTs;
        latencies.push(ms);
        logLatency(ms);
        if (latencies.length > 60) latencies.shift();
        stats.latencyMs = median(latencies);
      });
    });
  });
  stats.transport = 'ws';
  stylizedVideo.hidden = true;
  stylizedCanvas.hidden = false;
  const report = setInterval(() => {
    // Frames the server dropped (replaced in its slot, out of order, or skipped for a busy socket),
    // plus frames the page could not send when the pacer asked (an encode or the socket still busy).
    if (serverStats) stats.dropped = serverStats.dropped + skippedLocally;
    if (stats.latencyMs !== null && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'report', latencyMs: stats.latencyMs }));
  }, 500);
  let skippedLocally = 0;
  let sender: { tick: () => void; stop: () => void } | null = null;
  let cameraStopped = false;
  if (camera && !broadcast) {
    const grab = document.createElement('canvas');
    const gctx = grab.getContext('2d', { alpha: false });
    let frameId = 0;
    let encoding = false;
    // Camera frames presented so far, and the count at the last send: a camera frame is sent at
    // most once, so the server never stylizes the same picture twice and the achieved frame rate
    // cannot exceed the camera's.
    let cameraFrames = 0;
    let sentAtCameraFrame = -1;
    const onCameraFrame = (): void => {
      cameraFrames++;
      sender?.tick();
      if (!cameraStopped) originalVideo.requestVideoFrameCallback(onCameraFrame);
    };
    originalVideo.requestVideoFrameCallback(onCameraFrame);
    pacer = new SendPacer({ initialLeadMs: 10 });
    sender = runPacedSender(pacer, () => {
      if (!gctx || ws.readyState !== WebSocket.OPEN || originalVideo.videoWidth === 0) return false;
      if (cameraFrames === sentAtCameraFrame) return false; // nothing new to send yet
      // Never queue: a frame the pacer asks for while the last one is still being encoded or sent
      // is skipped (counted as dropped).
      if (encoding || ws.bufferedAmount > 0) {
        skippedLocally++;
        return false;
      }
      encoding = true;
      sentAtCameraFrame = cameraFrames;
      grab.width = originalVideo.videoWidth;
      grab.height = originalVideo.videoHeight;
      const captureTs = now();
      gctx.drawImage(originalVideo, 0, 0);
      grab.toBlob(
        (blob) => {
          encoding = false;
          if (!blob || ws.readyState !== WebSocket.OPEN) return;
          void blob.arrayBuffer().then((buf) => {
            const id = frameId++;
            ws.send(encodeFrameMessage({ codec: 'jpeg', frameId: id, captureTs, width: grab.width, height: grab.height, modelUs: 0 }, new Uint8Array(buf)));
            stats.framesIn++;
          });
        },
        'image/jpeg',
        0.85,
      );
      return true;
    });
    paced = sender;
  }
  return () => {
    clearInterval(report);
    cameraStopped = true;
    sender?.stop();
    paced = null;
    pacer = null;
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'bye' }));
    ws.close();
  };
}

async function start(): Promise<void> {
  startButton.disabled = true;
  stopButton.disabled = false;
  latencies = [];
  latencyLog = [];
  Object.assign(stats, { transport: null, framesIn: 0, framesOut: 0, dropped: 0, latencyMs: null, modelMs: null, fps: null });
  shownSamples = [];
  try {
    if (!broadcast) {
      setState('starting camera');
      camera = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: camWidth }, height: { ideal: camHeight }, frameRate: { ideal: camFps } }, audio: false });
      originalVideo.srcObject = camera;
      await originalVideo.play().catch(() => undefined);
    }
    setState('connecting');
    if (wanted === 'webrtc' || (wanted === 'auto' && serverWebRtc)) {
      try {
        stopCurrent = await startWebRtc();
        setState('live (WebRTC)');
        return;
      } catch (err) {
        if (wanted === 'webrtc') throw err;
        console.warn('WebRTC unavailable, falling back to WebSocket:', err);
      }
    }
    stopCurrent = await startWebSocket();
    setState('live (WebSocket)');
  } catch (err) {
    setState(`error: ${err instanceof Error ? err.message : String(err)}`);
    stop();
  }
}

function stop(): void {
  stopCurrent?.();
  stopCurrent = null;
  currentSocket = null;
  camera?.getTracks().forEach((t) => t.stop());
  camera = null;
  originalVideo.srcObject = null;
  stylizedVideo.srcObject = null;
  startButton.disabled = false;
  stopButton.disabled = true;
  if (!stats.state.startsWith('error')) setState('stopped');
}

/** rgb bytes of a drawable, for tests comparing pixels. */
function grabPixels(source: CanvasImageSource, width: number, height: number): { width: number; height: number; rgb: number[] } | null {
  if (width === 0 || height === 0) return null;
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  const g = c.getContext('2d', { willReadFrequently: true });
  if (!g) return null;
  g.drawImage(source, 0, 0, width, height);
  const rgba = g.getImageData(0, 0, width, height).data;
  const rgb = new Array<number>(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4) {
    rgb[o++] = rgba[i] as number;
    rgb[o++] = rgba[i + 1] as number;
    rgb[o++] = rgba[i + 2] as number;
  }
  return { width, height, rgb };
}

declare global {
  interface Window {
    japananime: {
      stats(): { transport: Transport | null; framesIn: number; framesOut: number; dropped: number; latencyMs: number | null };
      details(): ViewerStats;
      /** Every end-to-end latency sample (ms) since start: exact per frame over WebSocket and stamped WebRTC, an estimate every second over WebRTC without stamps. */
      latencies(): number[];
      /** WebRTC RTP statistics per frame (encode, pacer, jitter buffer, decode ms; frame KB; target kbps). */
      rtp(): Record<string, number>;
      start(): Promise<void>;
      stop(): void;
      /** rgb pixels of both panes, scaled to width×height when given (default: their own size). */
      grab(width?: number, height?: number): { original: ReturnType<typeof grabPixels>; stylized: ReturnType<typeof grabPixels> };
    };
  }
}

window.japananime = {
  stats: () => ({ transport: stats.transport, framesIn: stats.framesIn, framesOut: stats.framesOut, dropped: stats.dropped, latencyMs: stats.latencyMs }),
  details: () => ({ ...stats }),
  latencies: () => [...latencyLog],
  rtp: () => ({ ...rtpDiagnostics }),
  start,
  stop,
  grab: (width?: number, height?: number) => ({
    original: grabPixels(originalVideo, width ?? originalVideo.videoWidth, height ?? originalVideo.videoHeight),
    stylized:
      stats.transport === 'ws'
        ? grabPixels(stylizedCanvas, width ?? stylizedCanvas.width, height ?? stylizedCanvas.height)
        : grabPixels(stylizedVideo, width ?? stylizedVideo.videoWidth, height ?? stylizedVideo.videoHeight),
  }),
};

startButton.onclick = () => void start();
stopButton.onclick = stop;
modelSelect.onchange = () => {
  // The running session switches model in place: the camera and the connection stay up.
  if (currentSocket?.readyState === WebSocket.OPEN) currentSocket.send(JSON.stringify({ type: 'model', model: modelSelect.value }));
};

async function init(): Promise<void> {
  const res = await fetch(`/api/models?token=${encodeURIComponent(token)}`);
  if (!res.ok) {
    setState(res.status === 401 ? 'wrong or missing token: open the URL printed by `japananime serve`' : `server error ${res.status}`);
    startButton.disabled = true;
    return;
  }
  const info = parseModelsResponse(await res.json());
  if (!info) {
    setState('the server answered /api/models with something else: is this a japananime server?');
    startButton.disabled = true;
    return;
  }
  broadcast = info.broadcast;
  serverWebRtc = info.webrtc;
  for (const name of info.models) {
    const opt = document.createElement('option');
    opt.value = name;
    opt.textContent = name;
    if (name === (params.get('model') ?? info.default)) opt.selected = true;
    modelSelect.append(opt);
  }
  if (broadcast) {
    $<HTMLElement>('original-pane').hidden = true;
    startButton.textContent = 'Watch';
    modelSelect.disabled = true;
  }
  // The stylized pane stays black until a session starts: say what to press.
  setState(broadcast ? 'ready: press Watch to see the server’s stream' : 'ready: press “Start camera” to begin');
  if (params.get('autostart') === '1') await start();
}

void init();
