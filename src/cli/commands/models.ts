import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { describeOrigin, listInstalledModels } from '../../model/import/installed-models.js';
import { MODELS_DIR } from '../../project-paths.js';
import type { CommandModule } from '../command-module.js';

const HELP = `Usage: japananime models [--dir <models-folder>] [--json]

Lists the installed model packages (the folders of models/, usable as --model <name>): architecture,
parameters, where the weights came from (trained here, or imported from which file) and their licence.

  --dir <folder>   the models folder (default: the project's models/)
  --json           one JSON object per package`;

export const command: CommandModule = {
  summary: 'list installed model packages with their source and licence',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { dir: { type: 'string' }, json: { type: 'boolean', default: false } } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const models = await listInstalledModels(values.dir ?? MODELS_DIR);
    for (const m of models) {
      if (values.json) {
        const row = m.ok
          ? { name: m.name, dir: m.dir, architecture: m.meta.architecture, parameters: m.meta.parameters, license: m.meta.license, source: m.meta.source ?? null, training: m.meta.training['kind'] ?? null }
          : { name: m.name, dir: m.dir, problem: m.problem };
        process.stdout.write(JSON.stringify(row) + '\n');
      } else if (m.ok) {
        process.stdout.write(`${m.name.padEnd(20)} ${m.meta.architecture.padEnd(16)} ${(m.meta.parameters / 1e6).toFixed(2).padStart(6)}M  licence: ${m.meta.license}  ${describeOrigin(m.meta)}\n`);
      } else {
        process.stdout.write(`${m.name.padEnd(20)} (not a usable package: ${m.problem})\n`);
      }
    }
    if (!values.json && models.length === 0) process.stdout.write(`no model packages in ${values.dir ?? MODELS_DIR}\n`);
    return 0;
  },
};
