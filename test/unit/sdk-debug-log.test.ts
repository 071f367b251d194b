import * as k8s from "@pulumi/kubernetes";
import * as log from "@pulumi/pulumi/log";
import { evaluateStack } from "../../mock-engine";
import { isSdkRpcLine, keepSdkRpcDebugLinesLocal } from "../../lib/sdk-debug-log";

describe("the SDK's debug lines about its own resource RPCs (lib/sdk-debug-log.ts)", () => {
  const writable = log as { debug: typeof log.debug };
  const original = log.debug;
  afterEach(() => {
    writable.debug = original;
  });

  test("are not sent to the engine while the program registers resources; other debug messages are", async () => {
    const sent = jest.fn((_message: string) => Promise.resolve());
    writable.debug = sent;
    keepSdkRpcDebugLinesLocal();
    const filtered = log.debug;
    const seen: string[] = [];
    writable.debug = (message, ...rest) => {
      seen.push(message);
      return filtered(message, ...rest);
    };

    await evaluateStack("local", {
      program: () => {
        new k8s.core.v1.Namespace("probe", { metadata: { name: "probe" } });
        return {};
      },
    });
    await log.debug("a message of the program's own");

    // The SDK still writes its lines in the wording matched (an upgrade that rewords them shows here)...
    expect(seen.some((message) => message.startsWith("Registering resource: "))).toBe(true);
    expect(seen.some((message) => message.startsWith("RegisterResource RPC finished: "))).toBe(true);
    // ...and none reaches the engine, while everything else does.
    expect(sent.mock.calls.map(([message]) => message)).toEqual(seen.filter((message) => !isSdkRpcLine(message)));
    expect(sent).toHaveBeenCalledWith("a message of the program's own");
  });

  test("installing twice filters once", () => {
    const sent = jest.fn((_message: string) => Promise.resolve());
    writable.debug = sent;
    keepSdkRpcDebugLinesLocal();
    const once = log.debug;
    keepSdkRpcDebugLinesLocal();
    expect(log.debug).toBe(once);
  });
});
