import { bookkeepingAwareFormatter } from "../../lib/stack-traces";

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
