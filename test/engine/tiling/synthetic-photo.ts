/**
 * Photo-like test images without any file: a sky gradient with a sun, hills, houses with windows and
 * textured grass, so that tiles of one frame really differ in brightness, contrast and colour (what
 * makes instance-normalised tiles disagree in tone). Deterministic in `seed`.
 */
export function syntheticPhoto(width: number, height: number, seed = 1): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const horizon = (x: number): number => height * (0.45 + 0.08 * Math.sin((x / width) * 5.1 + seed) + 0.04 * Math.sin((x / width) * 17.3));
  const houses = Array.from({ length: 7 }, () => ({ x: rand() * width, w: (0.05 + rand() * 0.08) * width, h: (0.1 + rand() * 0.15) * height, r: 120 + rand() * 120, g: 60 + rand() * 100, b: 40 + rand() * 80 }));
  const sunX = width * 0.72;
  const sunY = height * 0.18;
  const sunR = Math.min(width, height) * 0.07;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const noise = (rand() - 0.5) * 16;
      let r: number;
      let g: number;
      let b: number;
      const hy = horizon(x);
      if (y < hy) {
        const t = y / hy;
        r = 90 + 100 * t;
        g = 140 + 80 * t;
        b = 230 - 20 * t;
        const d = Math.hypot(x - sunX, y - sunY);
        if (d < sunR) {
          r = 255;
          g = 240;
          b = 180;
        }
      } else {
        const t = (y - hy) / (height - hy);
        const grass = 0.5 + 0.5 * Math.sin(x * 0.21 + Math.sin(y * 0.13) * 3) * Math.sin(y * 0.17);
        r = 40 + 50 * t + 30 * grass;
        g = 90 + 60 * t + 50 * grass;
        b = 30 + 20 * t;
      }
      for (const h of houses) {
        const base = hy + height * 0.04;
        if (x >= h.x && x < h.x + h.w && y < base && y >= base - h.h) {
          const wx = ((x - h.x) / (h.w / 5)) % 1;
          const wy = ((y - (base - h.h)) / (h.h / 4)) % 1;
          const window = wx > 0.3 && wx < 0.7 && wy > 0.3 && wy < 0.7;
          r = window ? 250 : h.r;
          g = window ? 230 : h.g;
          b = window ? 120 : h.b;
        }
      }
      const o = (y * width + x) * 3;
      data[o] = Math.max(0, Math.min(255, Math.round(r + noise)));
      data[o + 1] = Math.max(0, Math.min(255, Math.round(g + noise)));
      data[o + 2] = Math.max(0, Math.min(255, Math.round(b + noise)));
    }
  }
  return data;
}
