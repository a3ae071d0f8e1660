/**
 * Turns ONNX Runtime's telemetry off for this process (see onnx-runtime.ts for why). Its own module,
 * without ORT, because worker threads need it set by the main thread: a worker's process.env is a
 * copy that native code does not see, so the real environment changes only from the main thread.
 */
export function disableOrtTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
