import { Refused } from "../lib/command";

/** Why a rollback does not start. Every refusal is raised before the stack is changed. */
export class RollbackRefused extends Refused {
  override name = "RollbackRefused";

  // Apart from the engine's output streamed above it.
  override describe(): string {
    return `\nRollback refused: ${this.message}`;
  }
}

/** Ctrl-C before the update started: nothing was changed. */
export class RollbackCancelled extends Refused {
  override name = "RollbackCancelled";

  override describe(): string {
    return `\nRollback ${this.message}`;
  }
}

/**
 * A `pulumi` command that exited with an error. `locked` when its stderr is the DIY backend's lock refusal
 * or Pulumi Cloud's 409, the two texts the Automation API also recognises (ConcurrentUpdateError).
 */
export class EngineFailure extends Error {
  override name = "EngineFailure";
  readonly locked: boolean;

  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    /**
     * Killed by the forwarded SIGINT where the CLI does not handle it: while starting, before it took the stack's
     * lock (`none`), or around the engine's run, after which the tool removed the lock it left, or could not.
     */
    readonly killed?: { lock: "none" | "released" | "left" },
  ) {
    super(`\`${command}\` exited with ${exitCode ?? "a signal"}${stderr.trim() ? `: ${lastLines(stderr)}` : ""}`);
    this.locked =
      stderr.includes("the stack is currently locked by") || stderr.includes("[409] Conflict: Another update is currently in progress.");
  }
}

function lastLines(text: string, count = 8): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

/** The lock's owner as the CLI reports it (`<lock url>: created by user@host (pid N) at <time>`). */
export function lockedRefusal(stack: string, error: EngineFailure): RollbackRefused {
  // The CLI can print the owner more than once.
  const details = new Set(
    error.stderr
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => /created by|Another update is currently in progress/.test(line)),
  );
  return new RollbackRefused(
    [
      `stack ${stack} is locked by another update, so nothing was changed.`,
      ...[...details].map((line) => `  ${line}`),
      `Wait for that update to finish and run the rollback again. If its process is gone (a killed job), remove the`,
      `stale lock with \`pulumi cancel --stack ${stack}\` first; the rollback then sees that an update was interrupted`,
      `and tells you which --to to choose.`,
    ].join("\n"),
  );
}

/**
 * Lines of `git status --porcelain` that mean the checked-out program is not exactly the commit. The
 * dependencies (installed by `npm ci`, or linked) are not part of the program (older commits may not ignore them).
 */
export function programChanges(porcelain: string): string[] {
  return porcelain
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !/(^|\/)node_modules(\/|$)/.test(line.slice(3)));
}
