/**
 * Every error class lives in src/errors.ts and is exported from the public API, the classes other
 * modules re-export are the same ones, and each gives a stable code and a one-line message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as api from '../src/index.js';
import * as errors from '../src/errors.js';
import { FfmpegError as MediaFfmpegError } from '../src/media/child-process.js';
import { DatasetError as LoaderDatasetError } from '../src/train/data-loader.js';
import { RunError as TrainerRunError } from '../src/train/trainer.js';

void test('every error class of src/errors.ts is exported from src/index.ts, and re-exports are the same class', () => {
  const classes = Object.entries(errors).filter(([, v]) => typeof v === 'function' && (v === errors.JapananimeError || v.prototype instanceof errors.JapananimeError));
  assert.deepEqual(classes.map(([name]) => name).sort(), ['AbortedError', 'BackendUnavailableError', 'ClosedError', 'DatasetError', 'FfmpegError', 'InputError', 'JapananimeError', 'ModelError', 'OptionError', 'RunError', 'UsageError', 'WorkerCrashedError']);
  for (const [name, cls] of classes) assert.equal((api as Record<string, unknown>)[name], cls, name);
  assert.equal(MediaFfmpegError, errors.FfmpegError);
  assert.equal(LoaderDatasetError, errors.DatasetError);
  assert.equal(TrainerRunError, errors.RunError);
});

void test('the errors added here carry their codes and exit codes', () => {
  const closed = new errors.ClosedError('the stylizer');
  assert.equal(closed.message, 'the stylizer is closed');
  assert.equal(closed.code, 'E_CLOSED');
  assert.equal(closed.exitCode, 2);
  const crashed = new errors.WorkerCrashedError('the inference worker stopped');
  assert.equal(crashed.code, 'E_WORKER_CRASHED');
  assert.equal(crashed.exitCode, 2);
  const ffmpeg = new errors.FfmpegError('ffmpeg failed (exit code 1): bad', 'line 1\nbad');
  assert.equal(ffmpeg.code, 'E_FFMPEG_FAILED');
  assert.equal(ffmpeg.stderrTail, 'line 1\nbad');
  assert.equal(new errors.DatasetError('x').code, 'E_DATASET_INVALID');
  assert.equal(new errors.RunError('x').code, 'E_RUN_INVALID');
});
