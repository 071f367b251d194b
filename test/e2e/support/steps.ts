/**
 * Tests that run in order on one stack: each needs the stack the previous ones left, so once a blocking step
 * fails, the later ones report that they did not run instead of failing for its reason.
 */
export type Step = (name: string, timeout: number, body: () => Promise<void>, options?: { blocking: boolean }) => void;

export function stepsInOrder(): Step {
  /** The step whose failure makes the following steps meaningless. */
  let broken: string | undefined;
  return (name, timeout, body, options = { blocking: true }) =>
    test(
      name,
      async () => {
        if (broken) throw new Error(`not run: the earlier step "${broken}" failed`);
        try {
          await body();
        } catch (error) {
          if (options.blocking) broken = name;
          throw error;
        }
      },
      timeout,
    );
}
