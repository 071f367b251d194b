/** Stack runs under the mock engine, shared by a test file's tests. */
import { runStacks, StackRun } from "../mock-engine";

/** Runs `stacks` once, before the file's tests: read them as `runs.<stack>` inside a test. */
export function runsBeforeAll<S extends string>(stacks: readonly S[], timeout = 300_000): Readonly<Record<S, StackRun>> {
  const runs = {} as Record<S, StackRun>;
  beforeAll(async () => {
    Object.assign(runs, await runStacks(stacks));
  }, timeout);
  return runs;
}
