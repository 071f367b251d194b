/**
 * How every command ends: 0 done, 1 failed, 2 refused (a usage error, or a refusal before anything changed), with
 * one message and never a stack trace.
 */

export const EXIT = { done: 0, failed: 1, refused: 2 } as const;

/** A refusal: nothing was started or changed. The message says what was given, what is expected, and how to go on. */
export class Refused extends Error {
  override name = "Refused";
}

/** Runs a command's main and exits with its status (a number it returns, or 0), or as its error says. */
export function runCommand(main: () => Promise<number | void>): void {
  main().then(
    (status) => process.exit(status ?? EXIT.done),
    (error: Error) => {
      if (error instanceof Refused) {
        console.error(`Refused: ${error.message}`);
        process.exit(EXIT.refused);
      }
      console.error(error.message);
      process.exit(EXIT.failed);
    },
  );
}
