/**
 * How every command ends: 0 done, 1 failed, 2 refused (a usage error, a missing prerequisite, or a refusal before
 * anything changed), 3 found (a check's finding a workflow branches on: drift, a backup due), with one message and
 * never a stack trace.
 */

export const EXIT = { done: 0, failed: 1, refused: 2, found: 3 } as const;

/** A refusal: nothing was started or changed. The message says what was given, what is expected, and how to go on. */
export class Refused extends Error {
  override name = "Refused";

  /** What the operator reads on stderr. */
  describe(): string {
    return `Refused: ${this.message}`;
  }
}

/** A command line, setting or file the command cannot run with: the problem, then the command's usage. */
export class UsageError extends Refused {
  override name = "UsageError";

  constructor(
    problem: string,
    readonly usage: string,
  ) {
    super(problem);
  }

  override describe(): string {
    return `Refused: ${this.message}\n${this.usage}`;
  }
}

/** How a command ended: its exit status and what it says on stderr, if anything. */
export interface Outcome {
  readonly status: number;
  readonly message?: string;
}

export interface CommandOptions {
  /** How a failure (exit 1) reads; by default its message. */
  readonly describeFailure?: (error: Error) => string;
}

/** Runs a command's main to its outcome: the status it returns (or 0), or what its error says. */
export async function settle(main: () => Promise<number | void>, options: CommandOptions = {}): Promise<Outcome> {
  try {
    return { status: (await main()) ?? EXIT.done };
  } catch (thrown) {
    if (thrown instanceof Refused) return { status: EXIT.refused, message: thrown.describe() };
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    return { status: EXIT.failed, message: (options.describeFailure ?? ((e: Error) => e.message))(error) };
  }
}

/** Runs a command's main and exits with its status, saying why on stderr when it did not finish. */
export function runCommand(main: () => Promise<number | void>, options: CommandOptions = {}): void {
  void settle(main, options).then(({ status, message }) => {
    if (message !== undefined) console.error(message);
    process.exit(status);
  });
}
