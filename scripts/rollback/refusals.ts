/** Why a rollback does not start. Every refusal is raised before the stack is changed. */
export class RollbackRefused extends Error {
  override name = "RollbackRefused";
}

/**
 * The Automation API raises ConcurrentUpdateError both for the DIY backend's lock file and for Pulumi Cloud's
 * 409. Matched by name, not `instanceof`, because the tool and the program's node_modules may hold two copies
 * of @pulumi/pulumi.
 */
export function isStackLocked(error: unknown): boolean {
  return error instanceof Error && error.name === "ConcurrentUpdateError";
}

/** The lock's owner as the CLI reports it (`<lock url>: created by user@host (pid N) at <time>`). */
export function lockedRefusal(stack: string, error: Error): RollbackRefused {
  // The CLI's stderr can reach the message more than once (stderr and the error itself).
  const details = new Set(
    error.message
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => /created by|Another update is currently in progress/.test(line)),
  );
  return new RollbackRefused(
    [
      `stack ${stack} is locked by another update, so nothing was changed.`,
      ...[...details].map((line) => `  ${line}`),
      `Wait for that update to finish and run the rollback again. If its process is gone (a killed CI job), remove`,
      `the stale lock with \`pulumi cancel --stack ${stack}\` first.`,
    ].join("\n"),
  );
}

/**
 * Lines of `git status --porcelain` that mean the checked-out program is not exactly the commit. The
 * dependencies that `npm ci` installs are not part of the program (older commits may not ignore them).
 */
export function programChanges(porcelain: string): string[] {
  return porcelain
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !/(^|\/)node_modules(\/|$)/.test(line.slice(3)));
}
