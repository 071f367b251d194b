/**
 * Stack traces the program can afford at a thousand teams.
 *
 * @pulumi/pulumi captures a stack trace for every promise it tracks (runtime/debuggable.js `debuggablePromise`
 * reads `new Error().stack`), and runtime/rpc.js `transferProperties` tracks four promises per output property:
 * about twenty traces per Kubernetes object, read only if the program exits with a leaked promise. Under the
 * engine, ts-node source-maps every frame of every one of them (its `Error.prepareStackTrace`): most of the
 * program's CPU time with many teams (docs/scale.md). `Resource.callsites` reads one more per resource, with an
 * unlimited depth, to find the line that declared it. Both are message-less plain `Error`s; errors that mean
 * something carry a message and keep the formatter they had.
 */
type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** What V8 prints without any `prepareStackTrace`, with no source map lookups. */
const plainFormat: Formatter = (error, frames) => [String(error), ...frames.map((frame) => `    at ${frame}`)].join("\n");

/**
 * SDK bookkeeping traces: a resource's declaring line (read with `Error.stackTraceLimit` raised to Infinity) in
 * V8's plain format, so in transpiled rather than source-mapped lines; a tracked promise's trace not at all.
 * Everything else through `formatOthers`.
 */
export function bookkeepingAwareFormatter(formatOthers: Formatter = plainFormat): Formatter {
  return (error, frames) => {
    const bookkeeping = error.constructor === Error && error.message === "";
    if (!bookkeeping) return formatOthers(error, frames);
    return Error.stackTraceLimit === Infinity ? plainFormat(error, frames) : String(error);
  };
}

/** The SDK module that tracks promises; the SDK calls its export through the module object, so a wrapper is seen. */
interface PromiseTracking {
  debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T>;
}
const UNTRACED = Symbol.for("platform.untracedPromiseTracking");

/**
 * A tracked promise's trace, which the formatter above prints as a bare `Error` anyway, captured without frames:
 * V8 collects the frames when the `Error` is created, whatever formats them later. Returns whether the SDK still
 * has this shape (an upgrade that changes it keeps its traces, and test/unit/stack-traces.test.ts says so).
 */
export function trackPromisesWithoutFrames(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK internal, absent from its typings
  const tracking = require("@pulumi/pulumi/runtime/debuggable") as PromiseTracking & { [UNTRACED]?: true };
  if (typeof tracking.debuggablePromise !== "function") return false;
  if (tracking[UNTRACED]) return true;
  const track = tracking.debuggablePromise;
  tracking.debuggablePromise = (promise, context) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return track(promise, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  tracking[UNTRACED] = true;
  return true;
}

/** Installs the formatter in front of the current one (ts-node's source-mapping one, under the engine). */
export function skipSdkBookkeepingTraces(): void {
  Error.prepareStackTrace = bookkeepingAwareFormatter(Error.prepareStackTrace ?? plainFormat);
  trackPromisesWithoutFrames();
}
