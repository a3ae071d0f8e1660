/**
 * The architectures as data: a small layer IR from which both the tfjs forward pass
 * (tfjs-forward.ts) and the ONNX graph (onnx-export.ts) are generated, so the trained network and
 * the deployed one cannot disagree. Parameter names and shapes also come from here (params.ts).
 *
 * Layout conventions (shared by every consumer):
 * - activations are NHWC in tfjs, NCHW in ONNX; weights are stored in tfjs layout:
 *   conv kernel [k, k, cin, cout], transposed-conv kernel [k, k, cout, cin] (tf.conv2dTranspose's).
 * - convolutions use TensorFlow 'same' zero padding (the extra pixel of an even total goes at the
 *   end), transposed convolutions double the size exactly.
 */

/** A convolution with TensorFlow 'same' zero padding. Params: `<name>/kernel` [k,k,cin,cout], `<name>/bias` [cout]. */
export interface ConvLayer {
  op: 'conv';
  name: string;
  k: number;
  stride: 1 | 2;
  cin: number;
  cout: number;
  /** Training starts this kernel at zero (initParams' identityStart), so a residual branch begins as the identity. Default: false. */
  zeroInit?: boolean;
}

/** A transposed convolution that doubles H and W ('same'). Params: `<name>/kernel` [k,k,cout,cin], `<name>/bias` [cout]. */
export interface ConvTransposeLayer {
  op: 'convTranspose';
  name: string;
  k: number;
  stride: 2;
  cin: number;
  cout: number;
}

/** Instance normalisation over H and W per sample and channel, affine. Params: `<name>/scale`, `<name>/bias` [channels]. */
export interface InstanceNormLayer {
  op: 'instanceNorm';
  name: string;
  channels: number;
  /**
   * keras-contrib's InstanceNormalization with its default axis=None, as the seed's Keras code uses
   * it: one mean and std per sample over H, W and C, a scalar scale and bias ([1]), and `epsilon`
   * added to the std. Default: undefined (per channel, epsilon 1e-5 inside the square root).
   */
  kerasContrib?: { epsilon: number };
}

/** LeakyReLU(alpha). No parameters. */
export interface LeakyReluLayer {
  op: 'leakyRelu';
  alpha: number;
}

/** `input + body(input)`. The body must keep the shape. */
export interface ResidualLayer {
  op: 'residual';
  name: string;
  body: Layer[];
}

/**
 * An edge-preserving smoothing of x guided by the network's input (He et al.'s guided filter, per
 * channel, box radius `radius`): flat where the photo is flat (its variance below ~eps), x's own
 * values where the photo has edges. White-box Cartoonization applies the same filter (r=1,
 * eps=5e-3) to its generator's output; here it is a layer, so training sees it too. No parameters.
 */
export interface GuidedFilterLayer {
  op: 'guidedFilter';
  name: string;
  radius: number;
  eps: number;
}

/**
 * Nearest-neighbour upsampling by 2 (each pixel becomes a 2×2 block). Followed by a convolution it is
 * the usual cure for the checkerboard pattern of stride-2 transposed convolutions (Odena et al.,
 * "Deconvolution and Checkerboard Artifacts", 2016): every output pixel sees the same number of
 * taps. No parameters; exported as ONNX Resize (nearest, asymmetric, floor), which ORT also runs on
 * uint8 between quantised convolutions.
 */
export interface UpsampleLayer {
  op: 'upsample';
  factor: 2;
}

/**
 * A smooth Kuwahara filter (Kuwahara 1976; the soft quadrant weighting of Papari et al. 2007): each
 * pixel becomes the mean of whichever of its four (radius+1)² quadrant windows is most uniform,
 * weighted by softmax(−variance / temperature) over the four. It flattens texture into regions with
 * sharp borders (a painted surface) where a blur or a guided filter only softens it. No parameters;
 * variance is summed over the channels, in the network's [−1, 1] units.
 */
export interface KuwaharaLayer {
  op: 'kuwahara';
  radius: number;
  temperature: number;
}

/**
 * Drawn outlines (the "ink"): a difference of Gaussians of the image's lightness, dark side only,
 * soft-thresholded as in XDoG (Winnemöller et al. 2012), darkens the image multiplicatively:
 * line = clip((−DoG − eps)·phi, 0, 1), rgb01 ·= 1 − strength·line. On the network's flat output the
 * DoG is zero inside regions, so lines land on region borders, not on texture; the network, trained
 * through it, decides where borders are. Blurs are normalised at the image's edges (no frame drawn
 * round the picture). No parameters; values in the network's [−1, 1] units.
 */
export interface InkLayer {
  op: 'ink';
  sigma1: number;
  sigma2: number;
  eps: number;
  phi: number;
  strength: number;
}

export type Layer = ConvLayer | ConvTransposeLayer | InstanceNormLayer | LeakyReluLayer | ResidualLayer | GuidedFilterLayer | UpsampleLayer | KuwaharaLayer | InkLayer;

export type ArchitectureName = 'cartoongan' | 'fast' | 'patchgan' | 'cartoongan-seed';
export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = ['cartoongan', 'fast', 'patchgan', 'cartoongan-seed'];
/** The architectures that turn an image into an image (the ones that can be exported and run). */
export const GENERATOR_NAMES: readonly ArchitectureName[] = ['cartoongan', 'fast', 'cartoongan-seed'];

export interface ArchitectureSpec {
  name: ArchitectureName;
  /** Generators map rgb to rgb (linear output, ~[-1,1]); the discriminator maps rgb to patch logits. */
  role: 'generator' | 'discriminator';
  /** Input channels (rgb). */
  inChannels: number;
  /** Output channels: 3 for generators, 1 for the discriminator. */
  outChannels: number;
  /** H and W must be multiples of this so that down- and up-sampling line up; the ONNX graph pads to it. */
  sizeMultiple: number;
  /** Input value range the network is trained for (images are mapped from [0,255] to this). */
  inputRange: [number, number];
  layers: Layer[];
}

/** LeakyReLU slope used everywhere (the seed's). */
export const LEAKY_ALPHA = 0.2;

const lrelu = (): LeakyReluLayer => ({ op: 'leakyRelu', alpha: LEAKY_ALPHA });
const conv = (name: string, k: number, cin: number, cout: number, stride: 1 | 2 = 1): ConvLayer => ({ op: 'conv', name, k, stride, cin, cout });
const convT = (name: string, k: number, cin: number, cout: number): ConvTransposeLayer => ({ op: 'convTranspose', name, k, stride: 2, cin, cout });
const up2 = (): UpsampleLayer => ({ op: 'upsample', factor: 2 });
const inorm = (name: string, channels: number): InstanceNormLayer => ({ op: 'instanceNorm', name, channels });

/** The seed's CartoonGAN generator (~11.1M parameters, ~54 GMAC at 256x256). */
function cartoongan(): ArchitectureSpec {
  const layers: Layer[] = [conv('conv_in', 7, 3, 64), inorm('conv_in_norm', 64), lrelu()];
  // Two down blocks: [conv 3x3 s2, conv 3x3 s1, IN, LReLU].
  let c = 64;
  for (const [i, cout] of [[1, 128], [2, 256]] as const) {
    layers.push(conv(`down${i}/conv1`, 3, c, cout, 2), conv(`down${i}/conv2`, 3, cout, cout), inorm(`down${i}/norm`, cout), lrelu());
    c = cout;
  }
  // Eight residual blocks: [conv, IN, LReLU, conv, IN] + input, then LReLU.
  for (let i = 1; i <= 8; i++) {
    layers.push(
      { op: 'residual', name: `res${i}`, body: [conv(`res${i}/conv1`, 3, 256, 256), inorm(`res${i}/norm1`, 256), lrelu(), conv(`res${i}/conv2`, 3, 256, 256), inorm(`res${i}/norm2`, 256)] },
      lrelu(),
    );
  }
  // Two up blocks: [transposed conv 3x3 s2, conv 3x3, IN, LReLU].
  for (const [i, cout] of [[1, 128], [2, 64]] as const) {
    layers.push(convT(`up${i}/deconv`, 3, c, cout), conv(`up${i}/conv`, 3, cout, cout), inorm(`up${i}/norm`, cout), lrelu());
    c = cout;
  }
  layers.push(conv('conv_out', 7, 64, 3));
  return { name: 'cartoongan', role: 'generator', inChannels: 3, outChannels: 3, sizeMultiple: 4, inputRange: [-1, 1], layers };
}

/** keras-contrib's InstanceNormalization() default epsilon (added to the std). */
export const KERAS_CONTRIB_NORM_EPSILON = 1e-3;

/**
 * The seed's generator exactly as its Keras code builds it, for imported seed weights
 * (src/model/import/keras-seed.ts). Three differences from `cartoongan`: the seed's first conv has
 * LeakyReLU(0.2) as its Keras `activation=`, so it runs before the norm (and again after it); its
 * norms are keras-contrib's InstanceNormalization() with the default axis=None (see
 * InstanceNormLayer.kerasContrib: whole-sample statistics, scalar scale and bias); and it takes RGB
 * in [0,1], so a 1×1 conv `range_in` (0.5·I, bias 0.5 on import) maps our [-1,1] input there —
 * exactly, which folding it into the 7×7 conv would not be at the zero-padded border. (Its [0,1]
 * output is folded into conv_out's weights on import: that is exact.)
 */
function cartoonganSeed(): ArchitectureSpec {
  const base = cartoongan();
  const seedNorms = (layers: Layer[]): Layer[] =>
    layers.map((l) => (l.op === 'instanceNorm' ? { ...l, kerasContrib: { epsilon: KERAS_CONTRIB_NORM_EPSILON } } : l.op === 'residual' ? { ...l, body: seedNorms(l.body) } : l));
  const [convIn, ...rest] = seedNorms(base.layers);
  return { ...base, name: 'cartoongan-seed', layers: [conv('range_in', 1, 3, 3), convIn!, lrelu(), ...rest] };
}

/**
 * The real-time generator. Plain convolutions only (the tfjs wasm backend has no gradient kernels
 * for depthwise convolutions), few channels at full resolution, the capacity at 1/4 resolution
 * where 128-channel 3x3 convolutions run near the CPU's peak, and no normalisation, so int8 runs
 * it end to end in uint8 kernels. 1.04M parameters, 5.9 GMAC at 256²;
 * single-threaded ONNX Runtime runs it ~9x faster than cartoongan (4 residual blocks gave 7.5x, too
 * little margin for the 5x target once threads and a busy machine eat into small convolutions).
 *
 * The whole network is a residual branch on the photo (output = photo + f(photo)) whose last conv
 * starts training at zero: a fresh generator is the photo itself, so training spends no CPU-hours on
 * learning to reproduce it (CartoonGAN's pretraining phase) and every step goes into the style.
 * It adds no parameters and one Add to the ONNX graph. Inside it, the full-resolution features skip
 * the 1/4-resolution context path (a U-Net-style Add), so outlines can be drawn at pixel precision.
 * Before it, a tiny per-pixel palette path (see below) maps the photo's colours the way the film's are.
 * Last comes the guided-filter "surface" layer: flat regions with the photo's edges (see
 * GuidedFilterLayer), which a fresh generator already applies to the photo.
 */
function fast(): ArchitectureSpec {
  // Down to 1/4 resolution, three residual blocks, back up: the context path. No normalisation
  // between the convolutions: in int8, ONNX Runtime fuses conv → LeakyReLU → conv into uint8 kernels
  // end to end, while each instance norm forced a round trip through fp32 (DequantizeLinear, NCHW
  // Transpose, the norm, QuantizeLinear) that took a third of an int8 frame. The default trained with
  // ten norms was moved to this form by folding each norm's average statistics into the conv before
  // it and distilling (scripts/fold-fast-norms.ts, scripts/distill-targets.ts).
  const context: Layer[] = [
    conv('down1/conv', 3, 32, 64, 2), lrelu(),
    conv('down2/conv', 3, 64, 128, 2), lrelu(),
  ];
  // Residual blocks without an activation after the add (as in Johnson et al.'s fast style transfer).
  for (let i = 1; i <= 3; i++) {
    context.push({ op: 'residual', name: `res${i}`, body: [conv(`res${i}/conv1`, 3, 128, 128), lrelu(), conv(`res${i}/conv2`, 3, 128, 128)] });
  }
  // Up blocks: a 1×1 projection to fewer channels at the low resolution (cheap), nearest 2× upsampling,
  // then a 3×3 conv at the higher resolution. Not transposed convolutions: their uneven tap overlap
  // drew a faint 4-pixel periodic pattern on smooth areas, and ORT has no int8 kernel for them.
  context.push(
    conv('up1/reduce', 1, 128, 64), up2(), conv('up1/conv', 3, 64, 64), lrelu(),
    conv('up2/reduce', 1, 64, 32), up2(), conv('up2/conv', 3, 32, 32), lrelu(),
  );
  const layers: Layer[] = [
    // No instance norm here (the network of 2026-12-05 had them in its context path only): the
    // full-resolution features must keep the photo's absolute texture amplitude, or the last conv
    // cannot cancel the texture it is to remove. With a norm here a 600-step run repainted the
    // colours and left every texture in place.
    conv('conv_in', 7, 3, 32), lrelu(),
    // The full-resolution features skip the context path (added to its output, as a U-Net skip):
    // the last conv sees fine detail directly, so removing texture is a local filter to learn,
    // not something to re-synthesise from 1/4 resolution.
    { op: 'residual', name: 'full_res_skip', body: context },
    { ...conv('conv_out', 3, 32, 3), zeroInit: true },
  ];
  return {
    name: 'fast', role: 'generator', inChannels: 3, outChannels: 3, sizeMultiple: 4, inputRange: [-1, 1],
    // The "surface" of White-box Cartoonization: flat regions come from an edge-preserving filter
    // that costs a few box filters, not from capacity a CPU-trained network would take days to learn.
    layers: [
      // The surface: the photo painted flat before the network sees it (see KuwaharaLayer). Three
      // runs of 600 steps each showed that a 1M-parameter network on two CPU cores learns the anime
      // target's colours but not its flat regions: it kept the photo's texture whatever the loss.
      // The network then draws on a flattened photo: colours, outlines, shapes; nothing after it
      // smears its lines (the old default's output guided filter did). ~1% of the MACs.
      { op: 'kuwahara', radius: 3, temperature: 0.002 },
      // The palette: a per-pixel colour curve on the photo's absolute values (a 3×3 then a 1×1
      // convolution). It was added when the main branch had instance norms, which made it blind to
      // any per-channel shift or scale of the input: it could add shapes and lines but never turn a
      // grey sky blue or lift the shadows the way the film does. Its first conv is 3×3, so the
      // same un-normalised path can also even out fine texture locally. 995 parameters, 960 MACs a pixel.
      { op: 'residual', name: 'palette', body: [conv('palette/conv1', 3, 3, 32), lrelu(), { ...conv('palette/conv2', 1, 32, 3), zeroInit: true }] },
      { op: 'residual', name: 'photo_skip', body: layers },
      // Outlines along the borders of the network's flat regions (see InkLayer). The network alone
      // drew none in 1100 steps: lines are a sparse few per cent of a target's pixels.
      { op: 'ink', sigma1: 1, sigma2: 1.6, eps: 0.01, phi: 20, strength: 0.7 },
      // No guided filter on the output any more (the old default had one, radius 2): it is a local
      // linear model of the photo, so it smeared every drawn outline that the photo does not contain
      // (a dark line on a step edge is not a linear function of the step) and kept photo texture
      // wherever the output followed it. Flat regions now come from the anime target (anime-target.ts).
    ],
  };
}

/** The seed's PatchGAN discriminator (70x70-ish receptive field at 1/4 resolution). */
function patchgan(): ArchitectureSpec {
  const layers: Layer[] = [
    conv('conv1', 3, 3, 32), lrelu(),
    conv('conv2', 3, 32, 64, 2), lrelu(),
    conv('conv3', 3, 64, 128), inorm('norm3', 128), lrelu(),
    conv('conv4', 3, 128, 128, 2), lrelu(),
    conv('conv5', 3, 128, 256), inorm('norm5', 256), lrelu(),
    conv('conv6', 3, 256, 256), inorm('norm6', 256), lrelu(),
    conv('conv_out', 3, 256, 1),
  ];
  return { name: 'patchgan', role: 'discriminator', inChannels: 3, outChannels: 1, sizeMultiple: 4, inputRange: [-1, 1], layers };
}

const BUILDERS: Record<ArchitectureName, () => ArchitectureSpec> = { cartoongan, fast, patchgan, 'cartoongan-seed': cartoonganSeed };

export function isArchitectureName(name: string): name is ArchitectureName {
  return (ARCHITECTURE_NAMES as readonly string[]).includes(name);
}

/** The spec of one architecture (a fresh object each call, safe to keep). */
export function getArchitecture(name: ArchitectureName): ArchitectureSpec {
  const build = BUILDERS[name];
  if (!build) throw new RangeError(`unknown architecture '${String(name)}' (known: ${ARCHITECTURE_NAMES.join(', ')})`);
  return build();
}

/** How a parameter is initialised: He-normal with the given fan-in, or a constant. */
export type ParamInit = { kind: 'heNormal'; fanIn: number } | { kind: 'zeros' } | { kind: 'ones' };

export interface ParamDescriptor {
  name: string;
  shape: number[];
  init: ParamInit;
  /** A fresh training run starts this parameter at zero (see ConvLayer.zeroInit). */
  zeroAtTrainingStart?: boolean;
}

/** Every parameter of the spec, in the canonical order (the order of params.ts's ParamSet). */
export function describeParameters(spec: ArchitectureSpec): ParamDescriptor[] {
  const out: ParamDescriptor[] = [];
  const walk = (layers: Layer[]): void => {
    for (const layer of layers) {
      switch (layer.op) {
        case 'conv':
          out.push({ name: `${layer.name}/kernel`, shape: [layer.k, layer.k, layer.cin, layer.cout], init: { kind: 'heNormal', fanIn: layer.k * layer.k * layer.cin }, ...(layer.zeroInit ? { zeroAtTrainingStart: true } : {}) });
          out.push({ name: `${layer.name}/bias`, shape: [layer.cout], init: { kind: 'zeros' } });
          break;
        case 'convTranspose':
          // Each output pixel of a stride-2 transposed conv sees about k²/4 input taps per channel;
          // using the full k²·cin keeps the scale conservative like the forward convs.
          out.push({ name: `${layer.name}/kernel`, shape: [layer.k, layer.k, layer.cout, layer.cin], init: { kind: 'heNormal', fanIn: layer.k * layer.k * layer.cin } });
          out.push({ name: `${layer.name}/bias`, shape: [layer.cout], init: { kind: 'zeros' } });
          break;
        case 'instanceNorm': {
          const shape = layer.kerasContrib ? [1] : [layer.channels];
          out.push({ name: `${layer.name}/scale`, shape, init: { kind: 'ones' } });
          out.push({ name: `${layer.name}/bias`, shape: [...shape], init: { kind: 'zeros' } });
          break;
        }
        case 'leakyRelu':
        case 'guidedFilter':
        case 'upsample':
        case 'kuwahara':
        case 'ink':
          break;
        case 'residual':
          walk(layer.body);
          break;
      }
    }
  };
  walk(spec.layers);
  return out;
}

/** Number of trainable scalars. */
export function countParameters(spec: ArchitectureSpec): number {
  let n = 0;
  for (const p of describeParameters(spec)) n += p.shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Multiply-accumulates of one forward pass on an h×w input (batch 1), counting convolutions and
 * transposed convolutions only (norms, activations and adds are a rounding error next to them).
 * Strided 'same' convolutions give ceil(size/stride).
 */
export function countMacs(spec: ArchitectureSpec, h: number, w: number): number {
  let macs = 0;
  const walk = (layers: Layer[], size: [number, number]): [number, number] => {
    let [hh, ww] = size;
    for (const layer of layers) {
      switch (layer.op) {
        case 'conv':
          hh = Math.ceil(hh / layer.stride);
          ww = Math.ceil(ww / layer.stride);
          macs += hh * ww * layer.k * layer.k * layer.cin * layer.cout;
          break;
        case 'convTranspose':
          // Every input pixel scatters a k×k×cout patch per input channel.
          macs += hh * ww * layer.k * layer.k * layer.cin * layer.cout;
          hh *= layer.stride;
          ww *= layer.stride;
          break;
        case 'upsample':
          hh *= layer.factor;
          ww *= layer.factor;
          break;
        case 'residual':
          [hh, ww] = walk(layer.body, [hh, ww]);
          break;
        default:
          break;
      }
    }
    return [hh, ww];
  };
  walk(spec.layers, [h, w]);
  return macs;
}

/** Billions of MACs at 256×256, as written into meta.json and printed by `bench`. */
export function gmacAt256(spec: ArchitectureSpec): number {
  return countMacs(spec, 256, 256) / 1e9;
}
