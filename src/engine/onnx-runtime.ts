/**
 * The one import of onnxruntime-node. ONNX Runtime 1.2x on Linux starts Microsoft's 1DS telemetry
 * with the first session: it leaves an empty `mat-debug-<pid>.log` in the temp folder of every
 * process (each stylize run, serve, test file) and would upload events. ORT_DISABLE_TELEMETRY turns
 * it off; a user who set the variable keeps their choice. Native code reads it when its environment
 * is created (the first session), so setting it here, after the import, is in time.
 */
import * as ort from 'onnxruntime-node';
import { disableOrtTelemetry } from './ort-telemetry.js';

disableOrtTelemetry();

export { ort };
