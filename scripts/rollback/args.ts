/** The command line of `npm run rollback -- <stack> [--list | --to <version>] [--yes]`. */
import { expectPositionals, given, parseCommandLine, wholeNumber } from "../lib/args";
import { UsageError } from "../lib/command";
import { requireStack } from "../lib/stacks";

export const USAGE = `usage: npm run rollback -- <stack> [--list | --to <version>] [--yes]

  <stack>          the stack to roll back: an environment or a tenancy shard (or <org>/<project>/<stack>)
  --list           print the stack's history (version, time, kind, result, git commit, message) and exit
  --to <version>   roll back to this version of the history. Without it: after a rollback (failed,
                   cancelled or not), the same version again; otherwise the last successful update of
                   another commit than the latest update's. Refused, printing the --to commands, when an
                   update was interrupted without being recorded (see docs/delivery.md, "Roll back")
  --yes            do not ask for confirmation after the preview

Exit status: 0 rolled back (or listed), 1 failed (also Ctrl-C during the update), 2 nothing was changed
(usage error, refusal, declined, or Ctrl-C before the update).`;

export type Command = { kind: "help" } | { kind: "list"; stack: string } | { kind: "rollback"; stack: string; to?: number; yes: boolean };

const OPTIONS = {
  "--list": {},
  "--to": { value: "<version>" },
  "--yes": { aliases: ["-y"] },
  "--help": { aliases: ["-h"] },
};

const STACK_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/;

/** The command line, and the stack (`prod`, or `<org>/<project>/prod`) one of this project's. */
export function parseArgs(argv: readonly string[], projectDir?: string): Command {
  const line = parseCommandLine(argv, OPTIONS, USAGE);
  if (line.has("--help")) return { kind: "help" };
  const [stack] = expectPositionals(line, ["<stack>"], USAGE);
  if (!STACK_NAME.test(stack))
    throw new UsageError(`${given("<stack>", stack)} is not a stack name: expected <stack> or <org>/<project>/<stack>`, USAGE);
  requireStack(stack.split("/").pop()!, { environments: "all", shards: true }, USAGE, projectDir);
  const list = line.has("--list");
  const yes = line.has("--yes");
  const version = line.value("--to");
  if (list && version !== undefined) throw new UsageError("--list and --to exclude each other: list first, then roll back", USAGE);
  if (list && yes) throw new UsageError("--yes confirms a rollback; --list changes nothing", USAGE);
  const to =
    version === undefined
      ? undefined
      : wholeNumber("--to", version, USAGE, { min: 1, what: "a version of the stack's history (see --list)" });
  return list ? { kind: "list", stack } : { kind: "rollback", stack, to, yes };
}
