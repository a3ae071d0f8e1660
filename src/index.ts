/**
 * The public library API of japananime. The CLI (src/cli) is a thin shell over these functions;
 * scripts and other programs can call them directly.
 *
 *   const stylizer = await createStylizer({ model: 'default' });
 *   await convertVideo({ input: 'travel.mp4', output: 'travel-anime.mp4', stylizer });
 */

// Contracts and errors
export type { Frame } from './frame.js';
export type { Stylizer } from './engine/stylizer.js';
export * from './errors.js';

// Model core: architectures, parameters, export, model packages
export { getArchitecture, countParameters, countMacs, gmacAt256, ARCHITECTURE_NAMES, GENERATOR_NAMES } from './model/spec.js';
export type { ArchitectureSpec, ArchitectureName, Layer } from './model/spec.js';
export { initParams, serializeParams, deserializeParams } from './model/params.js';
export type { ParamSet, InitParamsOptions } from './model/params.js';
export { exportOnnx } from './model/onnx-export.js';
export { saveModelPackage, loadModelPackage, createModelPackage } from './model/model-package.js';
export type { ModelPackage, ModelMeta, SaveModelPackageInput } from './model/model-package.js';
export { importModel } from './model/import/import-model.js';
export type { ImportModelOptions } from './model/import/import-model.js';
export { quantizeModel, quantizePackage } from './model/quantize/quantize-model.js';
export type { QuantizeModelOptions, QuantizeModelResult } from './model/quantize/quantize-model.js';

// Engines
export { createStylizer } from './engine/create-stylizer.js';
export type { StylizerOptions, EngineName } from './engine/create-stylizer.js';
export { listExecutionProviders } from './engine/onnx-stylizer.js';
export { TiledStylizer, createTiledStylizer } from './engine/tiled-stylizer.js';
export type { TiledStylizerOptions, CreateTiledStylizerOptions } from './engine/tiled-stylizer.js';

// Media (ffmpeg) and the pipelines
export { probeMedia } from './media/probe.js';
export type { MediaInfo } from './media/probe.js';
export { decodeFrames } from './media/decode-frames.js';
export { convertVideo } from './pipeline/convert-video.js';
export type { ConvertVideoOptions, ConvertVideoResult, ConvertProgress } from './pipeline/convert-video.js';
export { stylizeImages } from './pipeline/image/stylize-images.js';
export type { StylizeImagesOptions, StylizeImagesResult } from './pipeline/image/stylize-images.js';

// Live server
export { startLiveServer } from './stream/live-server.js';
export type { LiveServerOptions, LiveServer, ServerStats } from './stream/live-server.js';

// Training
export { buildFilmDataset, buildPhotoDataset } from './train/dataset/build-dataset.js';
export { buildPhotoTargets } from './train/dataset/build-targets.js';
export type { PhotoTargetsOptions, PhotoTargetsResult } from './train/dataset/build-targets.js';
export { animeTarget01, animeTargetRgb24 } from './train/anime-target.js';
export type { AnimeTargetOptions } from './train/anime-target.js';
export type { FilmDatasetOptions, PhotoDatasetOptions, DatasetResult } from './train/dataset/build-dataset.js';
export { train } from './train/trainer.js';
export type { TrainOptions, TrainResult } from './train/trainer.js';
export { exportRun } from './train/export-run.js';
export type { ExportRunOptions } from './train/export-run.js';
export { plotRun } from './train/plot-losses.js';

// Evaluation
export { evaluateModel, formatEvaluationTable } from './eval/evaluate-model.js';
export type { EvaluateOptions, EvaluationResult, EvaluationRow } from './eval/evaluate-model.js';
