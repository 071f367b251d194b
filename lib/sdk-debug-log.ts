/**
 * The SDK's debug lines about its own resource RPCs, kept in the program.
 *
 * @pulumi/pulumi sends every `log.debug` to the engine as an RPC of its own, one after the other (log/index.js
 * `log`), and runtime/resource.js writes three or more per resource: "Registering resource", "RegisterResource
 * RPC prepared", "RegisterResource RPC finished" (with the whole response printed), and more for component
 * outputs and reads. The engine shows them only with `--debug`, and logs each of those RPCs itself at `-v=5`
 * (pulumi `pkg/resource/deploy/source_eval.go`: "ResourceMonitor.RegisterResource received", "... operation
 * finished", "ResourceMonitor.RegisterResourceOutputs received"). Upstream moved other such per-registration
 * lines behind a flag for the same cost (pulumi/pulumi#7144). Every other debug message still goes out.
 */
import * as log from "@pulumi/pulumi/log";

const SDK_RPC_LINES = [
  "Registering resource: ",
  "RegisterResource RPC ",
  "RegisterResourceOutputs RPC ",
  "Resource RPC serialization requested: ",
  "Reading resource: ",
  "ReadResource RPC ",
  "Getting resource: ",
  "getResource Invoke RPC ",
  "Checking resource existence: ",
];

/** Whether a debug message is one of the SDK's lines about its own resource RPCs. */
export function isSdkRpcLine(message: string): boolean {
  return SDK_RPC_LINES.some((start) => message.startsWith(start));
}

const FILTERED = Symbol.for("platform.sdkRpcDebugLinesKept");
type Debug = typeof log.debug & { [FILTERED]?: true };

/** `log.debug` sends anything but the SDK's own RPC lines to the engine (the SDK calls it through the module). */
export function keepSdkRpcDebugLinesLocal(): void {
  const send: Debug = log.debug;
  if (send[FILTERED]) return;
  const filtered: Debug = (message, ...rest) => (isSdkRpcLine(message) ? Promise.resolve() : send(message, ...rest));
  filtered[FILTERED] = true;
  (log as { debug: Debug }).debug = filtered;
}
