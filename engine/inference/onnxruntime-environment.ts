// The process environment onnxruntime-node reads when it starts. Its bundled
// native library (1.30, Linux and macOS) carries Microsoft's 1DS telemetry
// client: on the first session it creates an empty `mat-debug-<pid>.log` in
// the temp folder, a `.ses` file beside it, and a device id plus an event
// database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime, and would
// upload events to a Microsoft collector. `ORT_DISABLE_TELEMETRY=1` switches
// the whole client off (checked: none of those files appear). The library
// reads the variable with getenv() when its environment is created, so it
// must be set in the process environment (the main thread: a worker thread's
// process.env is a private copy) before the first session opens. A value the
// user set explicitly is left alone.

export const ONNXRUNTIME_TELEMETRY_VARIABLE = 'ORT_DISABLE_TELEMETRY';

/** Sets ORT_DISABLE_TELEMETRY=1 in `env` (process.env by default) unless it is already set. */
export function disableOnnxRuntimeTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  if (env[ONNXRUNTIME_TELEMETRY_VARIABLE] === undefined) env[ONNXRUNTIME_TELEMETRY_VARIABLE] = '1';
}
