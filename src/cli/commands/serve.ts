/**
 * `japananime serve`: flag parsing only; the server is src/stream/live-server.ts.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineName } from '../../engine/create-stylizer.js';
import { ONNX_DEVICES, type OnnxDevice } from '../../engine/onnx-device.js';
import { ModelError, UsageError } from '../../errors.js';
import { MODELS_DIR } from '../../project-paths.js';
import { resolveModelDir } from '../../model/model-package.js';
import { int8CopyApplies } from '../../model/quantize/int8-copy.js';
import { startLiveServer, type LiveServerOptions } from '../../stream/live-server.js';
import { createThreadedStylizer } from '../../engine/threaded-stylizer.js';
import type { CommandModule } from '../command-module.js';

const HELP = `Usage: japananime serve [--host 127.0.0.1] [--port 8080] [--token T] [--model M] [--source <file|/dev/videoN>]

Starts the live anime filter: open the printed URL, allow the camera, and watch yourself in anime
style beside the original. WebRTC when the browser can, WebSocket frames otherwise.
With --source, the server stylizes a video file (looped) or a camera itself and broadcasts it to every
viewer, with one inference per frame whatever the number of viewers.

  --host <addr>           address to bind (default 127.0.0.1: this machine only)
  --port <N>              port, 0 = any free one (default 8080)
  --token <T>             the viewer token, 8+ characters (default: a random one, printed in the URL)
  --model <dir|name>      model package (default: models/default); its int8 copy <model>-int8 is
                          run instead when it was made from this exact model (japananime quantize)
  --fp32                  run the fp32 model even when a current int8 copy is present
                          (int8 copies only ever run with --engine onnx --device cpu)
  --engine <onnx|tfjs>    inference engine (default onnx)
  --device <cpu|cuda|webgpu>  where the model runs (default cpu); webgpu: ONNX Runtime's WebGPU
                          provider (a GPU with Vulkan or D3D12), or with --engine tfjs any adapter
  --threads <N>           intra-op threads of each inference worker, 0 = one per core (default 0)
  --workers <N>           inference worker threads, each with its own session: frames in flight
                          at once. On a CPU shared with the browser, --workers 2 --threads 1 gives
                          about 20% more frames a second at about 30% more latency (default 1)
  --source <file|device>  broadcast this video file (looped) or capture device instead of viewers' cameras
  --max-side <N>          largest side of broadcast frames (default 360)
  --target-fps <N>        frames a second to hold: the server measures its model time and shrinks the
                          model's input under load (scaled back up to the camera's size, aspect kept);
                          0 = every frame at its own size (default 15)
  --min-model-side <N>    the floor of that shrinking, longest side in pixels (default 144)
  --allow-origin <url>    also accept WebSocket connections from this page origin (repeatable)
  --max-sessions <N>      concurrent sessions; more get 503 (default 8)
  --max-per-address <N>   concurrent connections from one address; more get 429 (default 4)
  --stun <url>            STUN server for WebRTC (repeatable; none needed on one machine)
  --turn <url>            TURN server for WebRTC (with --turn-user and --turn-pass)
  --turn-user <name>      TURN user name
  --turn-pass <secret>    TURN credential
  --quiet                 no per-session log lines`;

export interface ServeArgs {
  server: LiveServerOptions;
  engine: EngineName;
  device: OnnxDevice;
  threads: number | undefined;
  workers: number | undefined;
  quiet: boolean;
}

function intFlag(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  return Number(value);
}

/** Pure: argv → server options. Throws UsageError for bad flags. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      model: { type: 'string' },
      engine: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      source: { type: 'string' },
      'max-side': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'max-sessions': { type: 'string' },
      'max-per-address': { type: 'string' },
      stun: { type: 'string', multiple: true },
      turn: { type: 'string' },
      'turn-user': { type: 'string' },
      'turn-pass': { type: 'string' },
      quiet: { type: 'boolean' },
      fp32: { type: 'boolean' },
      'target-fps': { type: 'string' },
      'min-model-side': { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (see japananime serve --help)`);
  const engine = values.engine ?? 'onnx';
  if (engine !== 'onnx' && engine !== 'tfjs') throw new UsageError(`--engine must be onnx or tfjs, got '${engine}'`);
  const device = values.device ?? 'cpu';
  if (!(ONNX_DEVICES as readonly string[]).includes(device)) throw new UsageError(`--device must be ${ONNX_DEVICES.join(', ')}, got '${device}'`);
  if (values.token !== undefined && values.token.length < 8) throw new UsageError('--token must be at least 8 characters');
  for (const origin of values['allow-origin'] ?? []) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) throw new UsageError(`--allow-origin must be an origin like http://localhost:5173, got '${origin}'`);
  }
  const iceServers: NonNullable<LiveServerOptions['iceServers']> = [];
  for (const url of values.stun ?? []) {
    if (!/^stuns?:/.test(url)) throw new UsageError(`--stun must be a stun: URL, got '${url}'`);
    iceServers.push({ urls: url });
  }
  if (values.turn !== undefined) {
    if (!/^turns?:/.test(values.turn)) throw new UsageError(`--turn must be a turn: URL, got '${values.turn}'`);
    if (values['turn-user'] === undefined || values['turn-pass'] === undefined) throw new UsageError('--turn needs --turn-user and --turn-pass');
    iceServers.push({ urls: values.turn, username: values['turn-user'], credential: values['turn-pass'] });
  }
  const server: LiveServerOptions = { host: values.host ?? '127.0.0.1', port: intFlag('port', values.port, 0, 65535) ?? 8080, iceServers };
  if (values.token !== undefined) server.token = values.token;
  if (values.model !== undefined) server.model = values.model;
  if (!int8CopyApplies({ engine, device, fp32: values.fp32 })) server.preferInt8 = false;
  const targetFps = intFlag('target-fps', values['target-fps'], 0, 240);
  if (targetFps !== undefined) server.targetFps = targetFps;
  const minModelSide = intFlag('min-model-side', values['min-model-side'], 16, 4096);
  if (minModelSide !== undefined) server.minModelSide = minModelSide;
  if (values.source !== undefined) server.source = values.source;
  if (values['allow-origin'] !== undefined) server.allowOrigins = values['allow-origin'];
  const maxSide = intFlag('max-side', values['max-side'], 16, 4096);
  if (maxSide !== undefined) server.broadcastMaxSide = maxSide;
  const maxSessions = intFlag('max-sessions', values['max-sessions'], 1, 1000);
  if (maxSessions !== undefined) server.maxSessions = maxSessions;
  const perAddress = intFlag('max-per-address', values['max-per-address'], 1, 1000);
  if (perAddress !== undefined) server.maxConnectionsPerAddress = perAddress;
  return { server, engine, device: device as OnnxDevice, threads: intFlag('threads', values.threads, 0, 1024), workers: intFlag('workers', values.workers, 1, 64), quiet: values.quiet ?? false };
}

export const command: CommandModule = {
  summary: 'live anime filter: webcam in the browser, or broadcast a video (WebRTC / WebSocket)',
  help: HELP,
  async run(argv, signal) {
    const args = parseServeArgs(argv);
    const modelDir = resolveModelDir(args.server.model ?? 'default', MODELS_DIR);
    if (!existsSync(path.join(modelDir, 'model.onnx'))) {
      throw new ModelError(`no model package at ${modelDir} (model.onnx missing); pass --model <dir|name>`);
    }
    const log = args.quiet ? undefined : (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const server = await startLiveServer({
      ...args.server,
      // Inference in a worker thread: ONNX Runtime's run() would block the server's event loop.
      openStylizer: (dir) =>
        createThreadedStylizer({ model: dir, engine: args.engine, device: args.device, ...(args.threads !== undefined ? { threads: args.threads } : {}), ...(args.workers !== undefined ? { workers: args.workers } : {}) }),
      ...(log ? { log } : {}),
      signal,
    });
    process.stdout.write(`japananime live filter${args.server.source !== undefined ? ` (broadcasting ${args.server.source})` : ''}\n  open: ${server.viewerUrl}\n  Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    return 130;
  },
};
