import { UsageError } from "../../scripts/lib/command";
import { parseArgs } from "../../scripts/rollback/args";
import { errorSummary, formatDuration, formatHistory, isConfirmation } from "../../scripts/rollback/format";
import { parseRollbackMessage, rollbackMessage } from "../../scripts/rollback/message";
import { toRows } from "../../scripts/rollback/history";
import { EngineFailure, lockedRefusal, programChanges } from "../../scripts/rollback/refusals";
import { selectTarget as select, StateSummary } from "../../scripts/rollback/target";
import { entry, HISTORY, refusal, SHA } from "./rollback-fixtures";

/** The state as a clean run leaves it: written when the latest update ended, nothing pending. */
const CLEAN: StateSummary = { pendingOperations: [] };
const selectTarget = (stack: string, rows: ReturnType<typeof toRows>, to?: number) => select(stack, rows, CLEAN, to).target;

describe("command line", () => {
  test("a stack alone rolls back to the default target, asking first", () => {
    expect(parseArgs(["prod"])).toEqual({ kind: "rollback", stack: "prod", to: undefined, yes: false });
  });

  test("--to takes a version, as a separate or an attached value, and --yes skips the question", () => {
    expect(parseArgs(["prod", "--to", "41", "--yes"])).toEqual({ kind: "rollback", stack: "prod", to: 41, yes: true });
    expect(parseArgs(["--to=7", "organization/k8s-platform/prod", "-y"])).toEqual({
      kind: "rollback",
      stack: "organization/k8s-platform/prod",
      to: 7,
      yes: true,
    });
  });

  test("--list lists, --help helps", () => {
    expect(parseArgs(["stage", "--list"])).toEqual({ kind: "list", stack: "stage" });
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
  });

  test.each([
    [[], /^missing <stack>$/],
    [["prod", "stage"], /^unexpected argument "stage": expected only <stack>$/],
    [["prod", "--to"], /^--to needs a value: --to <version>$/],
    [["prod", "--to", "0"], /^--to = "0": expected a version of the stack's history \(see --list\), a whole number of at least 1$/],
    [["prod", "--to", "v41"], /^--to = "v41": expected a version/],
    [["prod", "--to", "3", "--to", "4"], /^--to is given twice: expected it once$/],
    [["prod", "--list", "--to", "3"], /--list and --to exclude each other/],
    [["prod", "--list", "--yes"], /--list changes nothing/],
    [["prod", "--force"], /^unknown option --force: expected --list, --to, --yes, --help$/],
    [["prod;rm -rf ~"], /is not a stack name/],
    [["qa"], /^<stack> = "qa" is not a stack of this project: expected one of e2e, stage, prod, admin, local, or a tenancy shard/],
    [["organization/k8s-platform/prod-tenancy-7"], /this checkout has no Pulumi\.prod-tenancy-7\.yaml/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseArgs(argv as string[])).toThrow(message as RegExp);
  });
});

describe("history", () => {
  test("DIY backends report version 0: rows are numbered from the oldest (1) to the newest, with their commit", () => {
    const rows = toRows(HISTORY);
    expect(rows.map((r) => [r.version, r.kind, r.commit?.[0]])).toEqual([
      [4, "update", "c"],
      [3, "refresh", "b"],
      [2, "update", "b"],
      [1, "update", "a"],
    ]);
    expect(rows[0]).toEqual({
      version: 4,
      kind: "update",
      result: "succeeded",
      startTime: new Date("2026-11-24T09:30:00Z"),
      endTime: new Date("2026-11-24T09:31:00Z"),
      message: "Add the logging stack\n\nlong body",
      commit: SHA.c,
      dirty: false,
      rollbackTo: undefined,
    });
  });

  test("versions that the backend numbers (Pulumi Cloud) are kept", () => {
    const rows = toRows([entry({ version: 42, commit: SHA.b }), entry({ version: 40, commit: SHA.a })]);
    expect(rows.map((r) => r.version)).toEqual([42, 40]);
  });

  test("a git.head that is not a full object name is no commit, and git.dirty is read", () => {
    const [short, none, dirty, upper] = toRows([
      entry({ commit: "abc123" }),
      entry(),
      entry({ commit: SHA.d, dirty: true }),
      entry({ commit: SHA.a.toUpperCase() }),
    ]);
    expect(short.commit).toBeUndefined();
    expect(none.commit).toBeUndefined();
    expect(dirty).toMatchObject({ commit: SHA.d, dirty: true });
    expect(upper.commit).toBe(SHA.a);
  });

  test("the table shows version, UTC time, kind, result, short commit and the message's first line", () => {
    const rows = toRows([entry({ commit: SHA.d, dirty: true, message: "x".repeat(100) }), ...HISTORY]);
    const lines = formatHistory(rows).split("\n");
    expect(lines[0]).toMatch(/^VERSION +TIME \(UTC\) +KIND +RESULT +COMMIT +MESSAGE$/);
    expect(lines[1]).toMatch(new RegExp(`^5 +2026-11-20 10:00 +update +succeeded +${"d".repeat(12)} \\(dirty\\) +${"x".repeat(71)}…$`));
    expect(lines[2]).toMatch(new RegExp(`^4 +2026-11-24 09:30 +update +succeeded +${"c".repeat(12)} +Add the logging stack$`));
    expect(lines).toHaveLength(6);
  });
});

describe("version selection", () => {
  const rows = toRows(HISTORY);

  test("by default: the newest successful update of another commit than the current one", () => {
    expect(selectTarget("prod", rows).version).toBe(2);
  });

  test("by default, after a failed update: the last successful update before it", () => {
    const failed = toRows([entry({ commit: SHA.d, result: "failed" }), ...HISTORY]);
    expect(selectTarget("prod", failed).version).toBe(4);
  });

  test("by default, a redeploy of the same commit is skipped", () => {
    const redeployed = toRows([entry({ commit: SHA.c }), ...HISTORY]);
    expect(selectTarget("prod", redeployed).commit).toBe(SHA.b);
  });

  test("--to picks that version", () => {
    expect(selectTarget("prod", rows, 1)).toMatchObject({ version: 1, commit: SHA.a });
  });

  test("refused: an empty history, or no earlier successful update of another commit", () => {
    expect(refusal(() => selectTarget("prod", []))).toBe("stack prod has no history: there is nothing to roll back to.");
    expect(refusal(() => selectTarget("prod", toRows([entry({ commit: SHA.a }), entry({ commit: SHA.a })])))).toMatch(
      /no successful update of another commit before the current one; choose a version with --to/,
    );
  });

  test("refused: a version that is not in the history", () => {
    expect(refusal(() => selectTarget("prod", rows, 9))).toBe("version 9 is not in the history of prod (versions 1 to 4; see --list).");
  });

  test("refused: a version that deployed no program (a refresh) or did not succeed", () => {
    expect(refusal(() => selectTarget("prod", rows, 3))).toMatch(/version 3 of prod is a refresh, not an update/);
    const failed = toRows([entry({ commit: SHA.d, result: "failed" }), ...HISTORY]);
    expect(refusal(() => selectTarget("prod", failed, 5))).toMatch(/version 5 of prod failed: its program never fully deployed/);
  });

  test("refused: a version that recorded no commit", () => {
    const noCommit = toRows([entry({ commit: SHA.b }), entry({ message: "from a tarball" })]);
    expect(refusal(() => selectTarget("prod", noCommit, 1))).toMatch(/version 1 of prod recorded no git commit/);
    expect(refusal(() => selectTarget("prod", noCommit))).toMatch(/recorded no git commit/);
  });

  test("refused: a version deployed from a dirty work tree", () => {
    const dirty = toRows([entry({ commit: SHA.b }), entry({ commit: SHA.a, dirty: true })]);
    expect(refusal(() => selectTarget("prod", dirty, 1))).toMatch(
      /uncommitted changes \(git.dirty\), so commit a{12} is not the program that ran/,
    );
  });
});

describe("refusal details and formatting", () => {
  const LOCK =
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
    "  s3://state/.pulumi/locks/organization/k8s-platform/prod/1f.json: created by runner@gh-7 (pid 42) at 2026-11-24T09:31:00Z";

  test("a locked stack is recognised by the CLI's texts (the DIY lock, Pulumi Cloud's 409), and its lock owner is shown once", () => {
    const locked = new EngineFailure("pulumi up", 255, `${LOCK}\n${LOCK}\n`);
    expect(locked.locked).toBe(true);
    expect(new EngineFailure("pulumi preview", 255, "error: [409] Conflict: Another update is currently in progress.").locked).toBe(true);
    expect(new EngineFailure("pulumi up", 255, "error: boom").locked).toBe(false);
    const message = lockedRefusal("prod", locked).message;
    expect(message).toContain("stack prod is locked by another update, so nothing was changed.");
    expect(message).toContain(
      "  s3://state/.pulumi/locks/organization/k8s-platform/prod/1f.json: created by runner@gh-7 (pid 42) at 2026-11-24T09:31:00Z",
    );
    expect(message).toContain("`pulumi cancel --stack prod`");
    expect(message.split("created by")).toHaveLength(2);
  });

  test("an engine failure is summarised by the last lines of its stderr", () => {
    const stderr = ["warning: a", "error: 1", "error: 2", "error: 3", "error: 4", "error: program failed", ""].join("\n");
    expect(errorSummary(new EngineFailure("pulumi up", 255, stderr))).toBe("error: 1\nerror: 2\nerror: 3\nerror: 4\nerror: program failed");
    expect(errorSummary(new EngineFailure("pulumi up", null, ""))).toBe("`pulumi up` exited with a signal");
    expect(errorSummary(new Error("plain"))).toBe("plain");
  });

  test("installed or linked dependencies do not make a worktree dirty; anything else does", () => {
    expect(programChanges("?? node_modules/\n?? node_modules\n?? policy/node_modules/\n")).toEqual([]);
    expect(programChanges(" M package-lock.json\n?? node_modules/\n?? out.txt\n")).toEqual([" M package-lock.json", "?? out.txt"]);
  });

  test("durations, confirmation answers, and the recorded message, which is read back", () => {
    expect([formatDuration(12_400), formatDuration(65_000), formatDuration(3_723_000)]).toEqual(["12s", "1m 05s", "1h 02m 03s"]);
    expect(["y", "YES", " yes "].map(isConfirmation)).toEqual([true, true, true]);
    expect(["", "n", "yep", "no"].map(isConfirmation)).toEqual([false, false, false, false]);
    const target = selectTarget("prod", toRows(HISTORY), 2);
    const message = rollbackMessage("prod", target, "ana@laptop");
    expect(message).toBe(`Rollback of prod to version 2 (commit ${"b".repeat(12)}) by ana@laptop: Raise the node pool`);
    expect(parseRollbackMessage(message)).toEqual({ version: 2, shortCommit: "b".repeat(12) });
    expect(parseRollbackMessage("Rollback the logging change")).toBeUndefined();
    expect(toRows([entry({ message })])[0].rollbackTo).toEqual({ version: 2, shortCommit: "b".repeat(12) });
    // A refresh that happens to carry such a message deployed nothing.
    expect(toRows([entry({ kind: "refresh", message })])[0].rollbackTo).toBeUndefined();
  });
});
