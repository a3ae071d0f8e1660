/**
 * A Stylizer that runs its model at the size an AdaptiveSize controller picks: frames larger than the
 * controller's side are scaled down (aspect kept, fitSize: the --max-side rule) before the model and
 * the result scaled back to the frame's own size, through sharp (libvips, off the event loop). Every
 * run's time (waiting for a model lane included) is reported to the controller. Frames already
 * within the side pass through untouched.
 */
import sharp from 'sharp';
import { stylizerConcurrency, type Stylizer } from '../engine/stylizer.js';
import type { Frame } from '../frame.js';
import type { AdaptiveSize } from './adaptive-size.js';
import { fitSize } from './broadcast-hub.js';

async function resizeRgb(frame: Frame, width: number, height: number): Promise<Frame> {
  const data = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    // fill: exact size (fitSize already kept the aspect ratio); linear: cheap and smooth both ways.
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { ...frame, data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height };
}

/** Wraps `inner`; several stylizers may share one controller (one CPU, one budget). */
export function adaptiveSizeStylizer(inner: Stylizer, controller: AdaptiveSize, now: () => number = () => performance.now()): Stylizer & { concurrency: number } {
  controller.lanes = Math.max(controller.lanes, stylizerConcurrency(inner));
  return {
    description: `${inner.description}, adaptive size (${controller.targetFps} fps target, floor ${controller.minSide}px)`,
    concurrency: stylizerConcurrency(inner),
    async run(frames: Frame[]): Promise<Frame[]> {
      const first = frames[0];
      if (!first) return [];
      const side = controller.side;
      const scaled = side < Math.max(first.width, first.height);
      const size = scaled ? fitSize(first.width, first.height, side) : { width: first.width, height: first.height };
      const input = scaled ? await Promise.all(frames.map((f) => resizeRgb(f, size.width, size.height))) : frames;
      const t0 = now();
      const out = await inner.run(input);
      const t1 = now();
      controller.record({ width: size.width, height: size.height, frameMs: (t1 - t0) / frames.length, nowMs: t1 });
      if (!scaled) return out;
      return Promise.all(out.map((f, i) => resizeRgb(f, frames[i]!.width, frames[i]!.height)));
    },
    close: () => inner.close(),
    // The inner stylizer's restart count (a supervised one heals itself), for /api/stats.
    get restarts() {
      return inner.restarts;
    },
  };
}
