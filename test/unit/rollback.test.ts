// The error classes alone: the whole Automation API would take seconds to load.
import { CommandError, ConcurrentUpdateError } from "@pulumi/pulumi/automation/errors";
import { parseArgs, UsageError } from "../../scripts/rollback/args";
import { errorSummary, formatDuration, formatHistory, isConfirmation, rollbackMessage } from "../../scripts/rollback/format";
import { HistoryEntry, selectTarget, toRows } from "../../scripts/rollback/history";
import { isStackLocked, lockedRefusal, programChanges, RollbackRefused } from "../../scripts/rollback/refusals";
import { listHistory, rollback, RollbackDeps, StackHandle } from "../../scripts/rollback/run";

const SHA = { a: "a".repeat(40), b: "b".repeat(40), c: "c".repeat(40), d: "d".repeat(40) };

/** A `stack history` entry as the Automation API returns it from a DIY backend (every version 0). */
function entry(overrides: Partial<HistoryEntry> & { commit?: string; dirty?: boolean } = {}): HistoryEntry {
  const { commit, dirty, ...rest } = overrides;
  const environment: Record<string, string> = { "exec.kind": "auto.local", "pulumi.version": "v3.276.0" };
  if (commit !== undefined) environment["git.head"] = commit;
  if (commit !== undefined) environment["git.dirty"] = String(dirty ?? false);
  return {
    version: 0,
    kind: "update",
    result: "succeeded",
    startTime: new Date("2026-11-20T10:00:00Z"),
    message: "deploy",
    environment,
    ...rest,
  };
}

/** Newest first, like `pulumi stack history`: v4 deployed c, v3 a refresh, v2 deployed b, v1 deployed a. */
const HISTORY: HistoryEntry[] = [
  entry({ commit: SHA.c, message: "Add the logging stack\n\nlong body", startTime: new Date("2026-11-24T09:30:00Z") }),
  entry({ kind: "refresh", commit: SHA.b, startTime: new Date("2026-11-23T04:17:00Z") }),
  entry({ commit: SHA.b, message: "Raise the node pool", startTime: new Date("2026-11-22T15:00:00Z") }),
  entry({ commit: SHA.a, message: "First deploy", startTime: new Date("2026-11-21T12:00:00Z") }),
];

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RollbackRefused);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("command line", () => {
  test("a stack alone rolls back to the default target, asking first", () => {
    expect(parseArgs(["prod"])).toEqual({ kind: "rollback", stack: "prod", to: undefined, yes: false });
  });

  test("--to takes a version, as a separate or an attached value, and --yes skips the question", () => {
    expect(parseArgs(["prod", "--to", "41", "--yes"])).toEqual({ kind: "rollback", stack: "prod", to: 41, yes: true });
    expect(parseArgs(["--to=7", "organization/k8s-platform/prod", "-y"])).toEqual({ kind: "rollback", stack: "organization/k8s-platform/prod", to: 7, yes: true });
  });

  test("--list lists, --help helps", () => {
    expect(parseArgs(["stage", "--list"])).toEqual({ kind: "list", stack: "stage" });
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
  });

  test.each([
    [[], /missing <stack>/],
    [["prod", "stage"], /expected one stack, got prod stage/],
    [["prod", "--to"], /--to expects a version number .* got nothing/],
    [["prod", "--to", "0"], /got "0"/],
    [["prod", "--to", "v41"], /got "v41"/],
    [["prod", "--to", "3", "--to", "4"], /--to given twice/],
    [["prod", "--list", "--to", "3"], /--list and --to exclude each other/],
    [["prod", "--list", "--yes"], /--list changes nothing/],
    [["prod", "--force"], /unknown option --force/],
    [["prod;rm -rf ~"], /is not a stack name/],
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
      message: "Add the logging stack\n\nlong body",
      commit: SHA.c,
      dirty: false,
    });
  });

  test("versions that the backend numbers (Pulumi Cloud) are kept", () => {
    const rows = toRows([entry({ version: 42, commit: SHA.b }), entry({ version: 40, commit: SHA.a })]);
    expect(rows.map((r) => r.version)).toEqual([42, 40]);
  });

  test("a git.head that is not a full object name is no commit, and git.dirty is read", () => {
    const [short, none, dirty, upper] = toRows([entry({ commit: "abc123" }), entry(), entry({ commit: SHA.d, dirty: true }), entry({ commit: SHA.a.toUpperCase() })]);
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
    expect(refusal(() => selectTarget("prod", dirty, 1))).toMatch(/uncommitted changes \(git.dirty\), so commit a{12} is not the program that ran/);
  });
});

describe("refusal details and formatting", () => {
  const cliError = (Class: unknown, stderr: string) =>
    new (Class as new (result: { toString(): string }) => Error)({ toString: () => `code: 255\n stdout: Updating (prod):\n stderr: ${stderr}\n err?: \n` });
  const LOCK =
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
    "  s3://state/.pulumi/locks/organization/k8s-platform/prod/1f.json: created by runner@gh-7 (pid 42) at 2026-11-24T09:31:00Z";

  test("a locked stack is recognised by the Automation API's error name, and its lock owner is shown", () => {
    const locked = cliError(ConcurrentUpdateError, `${LOCK}\n${LOCK}`);
    expect(isStackLocked(locked)).toBe(true);
    expect(isStackLocked(cliError(CommandError, "error: boom"))).toBe(false);
    const message = lockedRefusal("prod", locked).message;
    expect(message).toContain("stack prod is locked by another update, so nothing was changed.");
    expect(message).toContain("  s3://state/.pulumi/locks/organization/k8s-platform/prod/1f.json: created by runner@gh-7 (pid 42) at 2026-11-24T09:31:00Z");
    expect(message).toContain("`pulumi cancel --stack prod`");
    expect(message.split("created by")).toHaveLength(2); // the CLI repeats its stderr; the owner is shown once
  });

  test("a CLI failure is summarised by its stderr", () => {
    expect(errorSummary(cliError(CommandError, "error: program failed"))).toBe("error: program failed");
    expect(errorSummary(new Error("plain"))).toBe("plain");
  });

  test("installed dependencies do not make a worktree dirty; anything else does", () => {
    expect(programChanges("?? node_modules/\n?? policy/node_modules/\n")).toEqual([]);
    expect(programChanges(" M package-lock.json\n?? node_modules/\n?? out.txt\n")).toEqual([" M package-lock.json", "?? out.txt"]);
  });

  test("durations, confirmation answers and the recorded message", () => {
    expect([formatDuration(12_400), formatDuration(65_000), formatDuration(3_723_000)]).toEqual(["12s", "1m 05s", "1h 02m 03s"]);
    expect(["y", "YES", " yes "].map(isConfirmation)).toEqual([true, true, true]);
    expect(["", "n", "yep", "no"].map(isConfirmation)).toEqual([false, false, false, false]);
    const target = selectTarget("prod", toRows(HISTORY), 2);
    expect(rollbackMessage("prod", target, "ana@laptop")).toBe(`Rollback of prod to version 2 (commit ${"b".repeat(12)}) by ana@laptop: Raise the node pool`);
  });
});

describe("rollback run", () => {
  type Call = [string, ...unknown[]];

  /** Records every outside call; the clock advances 5 s per call. */
  function fakes(options: { history?: HistoryEntry[]; hasCommit?: boolean; status?: string; confirm?: boolean; upError?: Error; previewError?: Error; topLevel?: string } = {}) {
    const calls: Call[] = [];
    const lines: string[] = [];
    let clock = 0;
    const stack = (dir: string): StackHandle => ({
      backend: async () => "s3://state?region=eu-west-1",
      history: async () => (calls.push(["history", dir]), options.history ?? HISTORY),
      preview: async (write) => {
        calls.push(["preview", dir]);
        write("~ aws:eks/nodeGroup:NodeGroup update\n");
        if (options.previewError) throw options.previewError;
      },
      up: async (message) => {
        calls.push(["up", dir, message]);
        if (options.upError) throw options.upError;
      },
    });
    const deps: RollbackDeps = {
      openStack: async (name, dir) => (calls.push(["openStack", name, dir]), stack(dir)),
      git: {
        topLevel: async () => options.topLevel ?? "/repo",
        hasCommit: async (commit) => (calls.push(["hasCommit", commit]), options.hasCommit ?? true),
        addWorktree: async (commit) => (calls.push(["addWorktree", commit]), "/tmp/rollback-1/program"),
        statusPorcelain: async (dir) => (calls.push(["status", dir]), options.status ?? "?? node_modules/\n"),
        removeWorktree: async (dir) => void calls.push(["removeWorktree", dir]),
      },
      install: async (dir) => void calls.push(["install", dir]),
      confirm: async (question) => (calls.push(["confirm", question]), options.confirm ?? true),
      log: (line) => lines.push(line),
      write: (chunk) => lines.push(chunk),
      now: () => (clock += 5_000),
      operator: "ana@laptop",
    };
    return { deps, calls, lines, names: () => calls.map((c) => c[0]) };
  }

  test("checks the commit out, installs it, previews, asks, runs up with a rollback message, cleans up and prints the time", async () => {
    const { deps, calls, lines } = fakes();
    await expect(rollback({ stack: "prod", yes: false }, "/repo", deps)).resolves.toBe("rolled-back");
    expect(calls).toEqual([
      ["openStack", "prod", "/repo"],
      ["history", "/repo"],
      ["hasCommit", SHA.b],
      ["addWorktree", SHA.b],
      ["install", "/tmp/rollback-1/program"],
      ["status", "/tmp/rollback-1/program"],
      ["openStack", "prod", "/tmp/rollback-1/program"],
      ["preview", "/tmp/rollback-1/program"],
      ["confirm", "Roll prod back to version 2 as previewed above? [y/N] "],
      ["up", "/tmp/rollback-1/program", `Rollback of prod to version 2 (commit ${"b".repeat(12)}) by ana@laptop: Raise the node pool`],
      ["removeWorktree", "/tmp/rollback-1/program"],
    ]);
    expect(lines[0]).toBe(`Rolling prod (s3://state?region=eu-west-1) back to version 2 (2026-11-22T15:00:00.000Z, commit ${"b".repeat(12)}: Raise the node pool).`);
    expect(lines).toContain("~ aws:eks/nodeGroup:NodeGroup update\n");
    // Clock: start 5 s, after preview 10 s, after confirmation 15 s, after up 20 s.
    expect(lines[lines.length - 1]).toBe(
      `\nRolled prod back to version 2 (commit ${"b".repeat(12)}) in 10s (preparation and preview 5s, update 5s; time waiting for confirmation not counted).`,
    );
  });

  test("--yes does not ask; a program in a subdirectory of the repository is found in the worktree", async () => {
    const { deps, calls } = fakes({ topLevel: "/repo" });
    await rollback({ stack: "prod", to: 1, yes: true }, "/repo/infra", deps);
    expect(calls.filter((c) => c[0] === "confirm")).toEqual([]);
    expect(calls).toContainEqual(["install", "/tmp/rollback-1/program/infra"]);
    expect(calls).toContainEqual(["up", "/tmp/rollback-1/program/infra", expect.stringContaining("to version 1 (commit aaaaaaaaaaaa)")]);
  });

  test("a declined confirmation changes nothing and still removes the worktree", async () => {
    const { deps, names, lines } = fakes({ confirm: false });
    await expect(rollback({ stack: "prod", yes: false }, "/repo", deps)).resolves.toBe("declined");
    expect(names()).not.toContain("up");
    expect(names()[names().length - 1]).toBe("removeWorktree");
    expect(lines).toContain("Rollback declined: nothing was changed.");
  });

  test("refused before anything is checked out: the version's commit is not in the clone", async () => {
    const { deps, names } = fakes({ hasCommit: false });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      new RollbackRefused(
        `commit ${SHA.b} (version 2) is not in this clone. Run \`git fetch\` and try again; if it is still missing, it was removed from the repository (a force-push) and this version cannot be checked out.`,
      ),
    );
    expect(names()).toEqual(["openStack", "history", "hasCommit"]);
  });

  test("refused before anything is checked out: the version recorded no commit or a dirty one", async () => {
    for (const history of [[entry({ commit: SHA.b }), entry()], [entry({ commit: SHA.b }), entry({ commit: SHA.a, dirty: true })]]) {
      const { deps, names } = fakes({ history });
      await expect(rollback({ stack: "prod", to: 1, yes: true }, "/repo", deps)).rejects.toThrow(RollbackRefused);
      expect(names()).toEqual(["openStack", "history"]);
    }
  });

  test("refused when the worktree is not clean after the install: no preview, no up, worktree removed", async () => {
    const { deps, names } = fakes({ status: " M package-lock.json\n?? node_modules/\n" });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      new RollbackRefused(`the worktree of ${"b".repeat(12)} is not clean after installing its dependencies, so the program would not be exactly that commit:\n   M package-lock.json`),
    );
    expect(names()).not.toContain("preview");
    expect(names()).not.toContain("up");
    expect(names()[names().length - 1]).toBe("removeWorktree");
  });

  test("refused when the stack is locked (the DIY lock surfaces at up): the lock's owner is shown and the worktree removed", async () => {
    const locked = new (ConcurrentUpdateError as unknown as new (result: { toString(): string }) => Error)({
      toString: () => " stderr: error: the stack is currently locked by 1 lock(s).\n  file:///state/.pulumi/locks/organization/k8s-platform/prod/9.json: created by ci@runner (pid 7) at 2026-11-24T09:31:00Z\n",
    });
    const { deps, names } = fakes({ upError: locked });
    const error = await rollback({ stack: "prod", yes: true }, "/repo", deps).catch((e: Error) => e);
    expect(error).toBeInstanceOf(RollbackRefused);
    expect((error as Error).message).toMatch(/^stack prod is locked by another update, so nothing was changed.\n  file:\/\/\/state\/.*created by ci@runner \(pid 7\)/);
    expect(names()[names().length - 1]).toBe("removeWorktree");
  });

  test("refused when the stack is locked at preview (Pulumi Cloud's 409): no question is asked", async () => {
    const locked = Object.assign(new Error("stderr: [409] Conflict: Another update is currently in progress."), { name: "ConcurrentUpdateError" });
    const { deps, names } = fakes({ previewError: locked });
    await expect(rollback({ stack: "prod", yes: false }, "/repo", deps)).rejects.toThrow(/Another update is currently in progress/);
    expect(names()).not.toContain("confirm");
  });

  test("an up that fails for another reason says the stack may be partly rolled back", async () => {
    const { deps } = fakes({ upError: new Error("code: 255\n stdout: \n stderr: error: update failed\n err?: \n") });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      "the update to version 2 failed, so prod may be partly rolled back (see the output above). Run the rollback again, or deploy a fix. error: update failed",
    );
  });

  test("a worktree that cannot be removed is reported without hiding the outcome", async () => {
    const { deps, lines } = fakes();
    deps.git.removeWorktree = async () => {
      throw new Error("locked working tree");
    };
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).resolves.toBe("rolled-back");
    expect(lines[lines.length - 1]).toMatch(/^Could not remove the worktree \/tmp\/rollback-1\/program \(locked working tree\); remove it with `git worktree remove --force/);
  });

  test("--list prints the table and what a rollback without --to would choose, or why it would refuse", async () => {
    const listed = fakes();
    await listHistory("prod", "/repo", listed.deps);
    expect(listed.lines[0]).toBe("History of prod (s3://state?region=eu-west-1):");
    expect(listed.lines[1].split("\n")).toHaveLength(5);
    expect(listed.lines[2]).toMatch(/^\nWithout --to, a rollback goes to version 2 \(/);
    const single = fakes({ history: [entry({ commit: SHA.a })] });
    await listHistory("prod", "/repo", single.deps);
    expect(single.lines[2]).toMatch(/^\nWithout --to, a rollback is refused: stack prod has no successful update of another commit/);
    expect(single.names()).toEqual(["openStack", "history"]);
  });
});
