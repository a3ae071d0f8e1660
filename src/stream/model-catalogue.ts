/**
 * The models a live server offers: the default plus every package under the models folder, each name
 * resolved to its package folder and, when there is one, that package's current int8 copy. Stylizers
 * are opened once per package and shared by every session (stylizer-pool.ts).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Stylizer } from '../engine/stylizer.js';
import { createThreadedStylizer } from '../engine/threaded-stylizer.js';
import { resolveModelDir } from '../model/model-package.js';
import { preferInt8Copy } from '../model/quantize/int8-copy.js';
import { StylizerPool, type StylizerFactory } from './stylizer-pool.js';

export interface ModelCatalogueOptions {
  /** Folder of named model packages (each a folder with a model.onnx). */
  modelsDir: string;
  /** The model a session gets when its hello names none: a package directory or a name under modelsDir. */
  defaultModel: string;
  /** Run a model's current int8 copy (`<model>-int8`, see src/model/quantize/int8-copy.ts) when there is one. */
  preferInt8: boolean;
  /** Opens a Stylizer for a package directory (once per directory; the pool shares it). */
  openStylizer: StylizerFactory;
  /** Logs why an int8 copy was passed over. */
  log: (line: string) => void;
}

/** ONNX Runtime on the CPU in a worker thread: inference must not block the server's event loop. */
export function openThreadedStylizer(modelDir: string): Promise<Stylizer> {
  return createThreadedStylizer({ model: modelDir, engine: 'onnx', device: 'cpu' });
}

export class ModelCatalogue {
  private readonly pool: StylizerPool;

  constructor(private readonly options: ModelCatalogueOptions) {
    this.pool = new StylizerPool(options.openStylizer);
  }

  get defaultModel(): string {
    return this.options.defaultModel;
  }

  /** The names offered to viewers (/api/models): the default first, then each package folder. */
  async list(): Promise<string[]> {
    const { modelsDir, defaultModel } = this.options;
    const names = new Set<string>([defaultModel]);
    try {
      for (const entry of await readdir(modelsDir, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(path.join(modelsDir, entry.name, 'model.onnx'))) names.add(entry.name);
      }
    } catch {
      // No models folder: only the default.
    }
    return [...names];
  }

  /**
   * Whether a viewer may pick `name`: viewers choose among the listed packages only, so a name from
   * the socket never becomes an arbitrary path on the server.
   */
  async offers(name: string): Promise<boolean> {
    return (await this.list()).includes(name);
  }

  /**
   * The model's stylizer, as a getter a session calls for each frame. The name is resolved to its
   * folder (and int8 copy) once, here, when the session opens or changes model: resolving per frame
   * read and hashed the package's model.onnx on the event loop for every frame.
   */
  stylizerFor(model: string): () => Promise<Stylizer> {
    const dir = this.servedDir(model);
    return () => this.pool.get(dir);
  }

  /** Inference workers restarted after dying, over every loaded stylizer. */
  restarts(): number {
    return this.pool.restarts();
  }

  /** Closes every stylizer. Idempotent. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** A name → its package folder → that package's current int8 copy, when there is one. */
  private servedDir(model: string): string {
    const dir = resolveModelDir(model, this.options.modelsDir);
    if (!this.options.preferInt8) return dir;
    const chosen = preferInt8Copy(dir);
    if (chosen.skipped !== undefined) this.options.log(`int8 copy not used: ${chosen.skipped}`);
    return chosen.dir;
  }
}
