import * as k8s from "@pulumi/kubernetes";
import { evaluateStack } from "../../mock-engine";
import { bookkeepingAwareFormatter, trackPromisesWithoutFrames } from "../../lib/stack-traces";

describe("stack traces under many resources (lib/stack-traces.ts)", () => {
  const saved = { limit: Error.stackTraceLimit, prepare: Error.prepareStackTrace };
  const formatOthers = jest.fn((error: Error) => `mapped: ${error.message}`);
  beforeEach(() => {
    formatOthers.mockClear();
    Error.prepareStackTrace = bookkeepingAwareFormatter(formatOthers);
  });
  afterEach(() => Object.assign(Error, { stackTraceLimit: saved.limit, prepareStackTrace: saved.prepare }));

  test("a tracked promise's message-less trace is not formatted at all", () => {
    Error.stackTraceLimit = 10;
    expect(new Error().stack).toBe("Error");
    expect(formatOthers).not.toHaveBeenCalled();
  });

  test("a resource's declaring line (unlimited depth) keeps its frames, in V8's plain format", () => {
    Error.stackTraceLimit = Infinity;
    const stack = new Error().stack!;
    expect(stack.split("\n")[0]).toBe("Error");
    expect(stack).toMatch(/^ {4}at .*stack-traces\.test\.ts:\d+:\d+\)?$/m);
    expect(formatOthers).not.toHaveBeenCalled();
  });

  test("errors that say something, and errors of other classes, keep the formatter they had", () => {
    expect(new Error("config is wrong").stack).toBe("mapped: config is wrong");
    expect(new TypeError("").stack).toBe("mapped: ");
    expect(formatOthers).toHaveBeenCalledTimes(2);
  });
});

describe("promises the SDK tracks while registering resources", () => {
  type Tracking = { debuggablePromise: (promise: Promise<unknown>, context: unknown) => Promise<unknown> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK internal, absent from its typings
  const tracking = require("@pulumi/pulumi/runtime/debuggable") as Tracking & Record<symbol, unknown>;
  const installed = tracking.debuggablePromise;
  afterEach(() => {
    tracking.debuggablePromise = installed;
  });

  test("capture their trace without frames, and the limit is back afterwards", async () => {
    const limits: number[] = [];
    const original = installed;
    tracking.debuggablePromise = (promise, context) => {
      limits.push(Error.stackTraceLimit);
      return original(promise, context);
    };
    delete tracking[Symbol.for("platform.untracedPromiseTracking")];
    expect(trackPromisesWithoutFrames()).toBe(true);

    await evaluateStack("local", {
      program: () => {
        new k8s.core.v1.Namespace("probe", { metadata: { name: "probe" } });
        return {};
      },
    });
    expect(limits.length).toBeGreaterThan(10);
    expect(new Set(limits)).toEqual(new Set([0]));
    expect(Error.stackTraceLimit).not.toBe(0);
  });
});
