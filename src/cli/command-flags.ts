/**
 * The flags the model-package commands (`quantize`, `export`, `eval`) have in common, defined once,
 * as option-flags.ts is the one place library option names become flags: how their argv is parsed
 * (strict, positional inputs, `--json`), the one input they name (`quantize <model-dir>`,
 * `export <run>`) with the `--out` they write, and whole-number flags. One definition keeps their
 * messages alike: a user who mistypes `--frames` and `--step` reads the same sentence.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

/** `--json`: print the result as one JSON object (every model-package command). */
export const JSON_FLAG = { json: { type: 'boolean', default: false } } as const;

/** `--out <dir>`: the package a command writes. */
export const OUT_FLAG = { out: { type: 'string' } } as const;

/** What parseCommandArgs returns: node:util's typed values (the command's flags and --json) and the positionals. */
export type CommandArgs<O extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & typeof JSON_FLAG }>>;

/** Parses a model-package command's argv: its own flags plus --json, strictly, positionals allowed. */
export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O): CommandArgs<O> {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, ...JSON_FLAG } });
}

/** How a `<command> <input> --out <dir>` command names its input in usage errors. */
export interface InputShape {
  command: string;
  /** The placeholder in the usage line, e.g. 'model-dir'. */
  placeholder: string;
  /** What the input is, e.g. 'the model package'. */
  what: string;
}

/**
 * Pure: the one input and the --out of a command shaped `<command> <input> --out <dir>`; UsageError
 * with the usage line when either is missing or there are more inputs.
 */
export function inputAndOut(shape: InputShape, positionals: string[], out: string | undefined): { input: string; out: string } {
  const usage = `japananime ${shape.command} <${shape.placeholder}> --out <model-dir>`;
  const [first, ...extra] = positionals;
  if (!first) throw new UsageError(`${shape.command} needs ${shape.what}: ${usage}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (${usage})`);
  if (!out) throw new UsageError(`${shape.command} needs --out <model-dir>: ${usage}`);
  return { input: first, out };
}

/** Pure: a whole-number flag, undefined when absent; UsageError naming the flag when it is not a whole number ≥ min. */
export function wholeNumberFlag(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text)) || Number(text) < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, got '${text}'`);
  return Number(text);
}
