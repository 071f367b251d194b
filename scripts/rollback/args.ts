/** The command line of `npm run rollback -- <stack> [--list | --to <version>] [--yes]`. */

export const USAGE = `usage: npm run rollback -- <stack> [--list | --to <version>] [--yes]

  <stack>          the stack to roll back (e2e, stage, prod, admin, local; or <org>/<project>/<stack>)
  --list           print the stack's history (version, time, kind, result, git commit, message) and exit
  --to <version>   roll back to this version of the history. Without it: after a rollback (failed,
                   cancelled or not), the same version again; otherwise the last successful update of
                   another commit than the latest update's. Refused, printing the --to commands, when an
                   update was interrupted without being recorded (see docs/delivery.md, "Roll back")
  --yes            do not ask for confirmation after the preview

Exit status: 0 rolled back (or listed), 1 failed (also Ctrl-C during the update), 2 nothing was changed
(usage error, refusal, declined, or Ctrl-C before the update).`;

export type Command = { kind: "help" } | { kind: "list"; stack: string } | { kind: "rollback"; stack: string; to?: number; yes: boolean };

/** A command line that cannot be run; nothing has been touched yet. */
export class UsageError extends Error {
  override name = "UsageError";
}

const STACK_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

export function parseArgs(argv: readonly string[]): Command {
  if (argv.includes("--help") || argv.includes("-h")) return { kind: "help" };

  const positional: string[] = [];
  let list = false;
  let yes = false;
  let to: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--list") list = true;
    else if (arg === "--yes" || arg === "-y") yes = true;
    else if (arg === "--to" || arg.startsWith("--to=")) {
      if (to !== undefined) throw new UsageError("--to given twice");
      const value = arg === "--to" ? argv[++i] : arg.slice("--to=".length);
      to = parseVersion(value);
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }

  if (positional.length !== 1) {
    throw new UsageError(positional.length === 0 ? "missing <stack>" : `expected one stack, got ${positional.join(" ")}`);
  }
  const [stack] = positional;
  if (!STACK_NAME.test(stack)) throw new UsageError(`"${stack}" is not a stack name`);
  if (list && to !== undefined) throw new UsageError("--list and --to exclude each other: list first, then roll back");
  if (list && yes) throw new UsageError("--yes confirms a rollback; --list changes nothing");
  return list ? { kind: "list", stack } : { kind: "rollback", stack, to, yes };
}

function parseVersion(value: string | undefined): number {
  if (value === undefined || !/^[0-9]+$/.test(value) || Number(value) < 1) {
    throw new UsageError(
      `--to expects a version number from the history (see --list), got ${value === undefined ? "nothing" : `"${value}"`}`,
    );
  }
  return Number(value);
}
