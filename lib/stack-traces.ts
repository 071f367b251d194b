/**
 * Stack traces the program can afford at a thousand teams.
 *
 * @pulumi/pulumi formats a stack trace for every promise it tracks (runtime/debuggable.js `debuggablePromise`
 * reads `new Error().stack`), and runtime/rpc.js `transferProperties` tracks four promises per output property:
 * about twenty traces per Kubernetes object, read only if the program exits with a leaked promise. Under the
 * engine, ts-node source-maps every frame of every one of them (its `Error.prepareStackTrace`): most of the
 * program's CPU time with many teams (README "Scale"). `Resource.callsites` reads one more per resource, with an
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

/** Installs the formatter in front of the current one (ts-node's source-mapping one, under the engine). */
export function skipSdkBookkeepingTraces(): void {
  Error.prepareStackTrace = bookkeepingAwareFormatter(Error.prepareStackTrace ?? plainFormat);
}
