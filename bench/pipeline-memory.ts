/**
 * Memory check of file mode: converts a generated 5-minute 720p clip (lavfi testsrc2 + a sine tone)
 * with the `fast` architecture (random weights unless --model is given) at a small --max-side so it
 * finishes in a few minutes, samples this process's RSS every 250 ms, and prints the RSS when the
 * first minute of video has been converted, the peak after it, and frame counts in and out.
 * Pass: peak − RSS at the first minute ≤ 150 MB, and frames out = frames in.
 *
 * Run: `npx tsx bench/pipeline-memory.ts [--minutes 5] [--max-side 160] [--model dir] [--batch 4] [--json]`
 * (the clip is generated once into the OS temp folder and reused by later runs).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createStylizer } from '../src/engine/create-stylizer.js';
import { runFfmpeg } from '../src/media/child-process.js';
import { probeMedia } from '../src/media/probe.js';
import { createModelPackage } from '../src/model/model-package.js';
import { initParams } from '../src/model/params.js';
import { getArchitecture } from '../src/model/spec.js';
import { convertVideo } from '../src/pipeline/convert-video.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    'max-side': { type: 'string', default: '160' },
    batch: { type: 'string', default: '4' },
    model: { type: 'string' },
    threads: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const fps = 25;
const clip = path.join(os.tmpdir(), `japananime-memory-${minutes}min-720p.mp4`);
const output = path.join(os.tmpdir(), `japananime-memory-out-${process.pid}.mp4`);
const MB = 1024 * 1024;

if (!existsSync(clip)) {
  process.stderr.write(`generating ${clip} (${minutes} min 1280x720 @ ${fps} fps)…\n`);
  const seconds = minutes * 60;
  const partial = `${clip}.${process.pid}.partial.mp4`;
  await runFfmpeg(['-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=${fps}:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', '-y', partial]);
  const { rename } = await import('node:fs/promises');
  await rename(partial, clip);
}
const info = await probeMedia(clip);
const spec = getArchitecture('fast');
const stylizer = await createStylizer({
  model: values.model ?? createModelPackage({ spec, params: initParams(spec, 0), meta: { training: { kind: 'random', seed: 0 } } }),
  threads: Number(values.threads),
});

const samples: Array<{ t: number; frames: number; rss: number }> = [];
let frames = 0;
const started = performance.now();
const sample = (): void => {
  samples.push({ t: (performance.now() - started) / 1000, frames, rss: process.memoryUsage().rss });
};
const timer = setInterval(sample, 250);
let lastReport = 0;
try {
  const result = await convertVideo({
    input: clip,
    output,
    stylizer,
    batch: Number(values.batch),
    maxSide: Number(values['max-side']),
    preset: 'ultrafast',
    onProgress: (p) => {
      frames = p.frames;
      if (!values.json && p.elapsedS - lastReport >= 10) {
        lastReport = p.elapsedS;
        process.stderr.write(`${p.frames}/${p.total} frames, rss ${(process.memoryUsage().rss / MB).toFixed(0)} MB\n`);
      }
    },
  });
  sample();
  clearInterval(timer);
  const firstMinuteFrames = 60 * fps;
  const atMinute = samples.find((s) => s.frames >= firstMinuteFrames) ?? samples[samples.length - 1]!;
  const after = samples.filter((s) => s.t >= atMinute.t);
  const peak = after.reduce((a, b) => (b.rss > a.rss ? b : a));
  const outInfo = await probeMedia(output);
  const report = {
    clip: `${info.width}x${info.height} ${info.frameCount} frames (${(info.duration / 60).toFixed(1)} min)`,
    modelSize: `${result.modelWidth}x${result.modelHeight}`,
    batch: Number(values.batch),
    framesIn: info.frameCount,
    framesOut: outInfo.frameCount,
    seconds: Math.round(result.seconds),
    fps: Math.round(result.fps * 10) / 10,
    rssAtFirstMinuteMB: Math.round(atMinute.rss / MB),
    rssAtFirstMinuteWallS: Math.round(atMinute.t),
    peakRssAfterMB: Math.round(peak.rss / MB),
    peakAtFrame: peak.frames,
    growthMB: Math.round((peak.rss - atMinute.rss) / MB),
    pass: peak.rss - atMinute.rss <= 150 * MB && outInfo.frameCount === info.frameCount,
  };
  if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
  else for (const [k, v] of Object.entries(report)) process.stdout.write(`${k.padEnd(22)} ${String(v)}\n`);
} finally {
  clearInterval(timer);
  await stylizer.close();
  await rm(output, { force: true });
}
