/** The rollback's steps in order, with every outside effect faked (scripts/rollback/run.ts). */
import { EngineRun, previewArgs, upArgs } from "../../scripts/rollback/engine";
import type { HistoryEntry } from "../../scripts/lib/stack-records";
import { Interrupt } from "../../scripts/rollback/interrupt";
import { EngineFailure, RollbackCancelled, RollbackRefused } from "../../scripts/rollback/refusals";
import { listHistory, rollback, RollbackDeps } from "../../scripts/rollback/run";
import { StateSummary } from "../../scripts/rollback/target";
import { entry, HISTORY, rollbackEntry, SHA } from "./rollback-fixtures";

type Call = [string, ...unknown[]];
const WORKTREE = "/tmp/rollback-1/program";
const LOCK = JSON.stringify({ packages: { "": {}, "node_modules/a": { version: "1" } } });
const INSTALLED = JSON.stringify({ packages: { "node_modules/a": { version: "1" } } });
const STACK_FILE = "encryptionsalt: v1:salt\nconfig:\n  platform:x: 1\n";

interface Options {
  history?: HistoryEntry[];
  state?: StateSummary;
  hasCommit?: boolean;
  status?: string;
  confirm?: boolean;
  upError?: Error;
  previewError?: Error;
  topLevel?: string;
  /** Files of the fake file system; by default, both lockfiles equal and the live node_modules installed from it. */
  files?: Record<string, string>;
  stackFiles?: { HEAD?: string; target?: string };
  configDiff?: string;
  /** Ctrl-C while this step runs. */
  ctrlCDuring?: "preview" | "up" | "install";
  /** The CLI killed by that Ctrl-C instead of handling it, and what became of its lock. */
  ctrlCKills?: "none" | "released" | "left";
}

/** Records every outside call; the clock advances 5 s per call. */
function fakes(options: Options = {}) {
  const calls: Call[] = [];
  const lines: string[] = [];
  let clock = 0;
  const interrupt = new Interrupt((line) => lines.push(line));
  const engineStopped: string[] = [];
  const engineCall = async (kind: "preview" | "up", run: EngineRun & { message?: string }) => {
    calls.push(kind === "up" ? ["up", run.programDir, run.message, run.policy] : ["preview", run.programDir, run.policy]);
    const stop = interrupt.onRequest(() => engineStopped.push(kind));
    try {
      if (options.ctrlCDuring === kind) {
        interrupt.receive("SIGINT");
        if (options.ctrlCKills) throw new EngineFailure(`pulumi ${kind}`, null, "", { lock: options.ctrlCKills });
        throw new EngineFailure(`pulumi ${kind}`, 255, "error: update canceled\n");
      }
      if (kind === "preview" && options.previewError) throw options.previewError;
      if (kind === "up" && options.upError) throw options.upError;
    } finally {
      stop();
    }
  };
  const fileSystem: Record<string, string> = options.files ?? {
    [`${WORKTREE}/package-lock.json`]: LOCK,
    "/repo/package-lock.json": LOCK,
    "/repo/node_modules/.package-lock.json": INSTALLED,
    "/repo/policy/PulumiPolicy.yaml": "runtime: nodejs\n",
    "/repo/policy/config/prod.json": "{}",
    "/repo/policy/node_modules/.package-lock.json": "{}",
  };
  const deps: RollbackDeps = {
    openStack: async (name, dir) => {
      calls.push(["openStack", name, dir]);
      return {
        backend: async () => "s3://state?region=eu-west-1",
        history: async () => (calls.push(["history", dir]), options.history ?? HISTORY),
        state: async () => (calls.push(["state", dir]), options.state ?? { pendingOperations: [] }),
      };
    },
    engine: { preview: (run) => engineCall("preview", run), up: (run) => engineCall("up", run) },
    git: {
      topLevel: async () => options.topLevel ?? "/repo",
      hasCommit: async (commit) => (calls.push(["hasCommit", commit]), options.hasCommit ?? true),
      show: async (ref, file) => {
        calls.push(["show", ref, file]);
        return ref === "HEAD" ? (options.stackFiles?.HEAD ?? STACK_FILE) : (options.stackFiles?.target ?? STACK_FILE);
      },
      diff: async (from, to, file) => (calls.push(["diff", from, to, file]), options.configDiff ?? ""),
      addWorktree: async (commit) => (calls.push(["addWorktree", commit]), WORKTREE),
      statusPorcelain: async (dir, pathspec) => (
        calls.push(["status", dir, ...(pathspec ? [pathspec] : [])]),
        pathspec ? "" : (options.status ?? "?? node_modules\n")
      ),
      removeWorktree: async (dir) => void calls.push(["removeWorktree", dir]),
    },
    files: {
      read: (file) => fileSystem[file],
      linkDirectory: (target, link) => void calls.push(["link", target, link]),
      npmCi: async (dir) => {
        calls.push(["npmCi", dir]);
        if (options.ctrlCDuring === "install") interrupt.receive("SIGINT");
      },
    },
    interrupt,
    confirm: async (question) => (calls.push(["confirm", question]), options.confirm ?? true),
    log: (line) => lines.push(line),
    now: () => (clock += 5_000),
    operator: "ana@laptop",
  };
  return { deps, calls, lines, engineStopped, names: () => calls.map((c) => c[0]) };
}

const POLICY = { dir: "/repo/policy", config: "/repo/policy/config/prod.json" };

test("the whole run: config diff, policy pack, worktree, linked node_modules, preview, question, up with a rollback message, clean-up, time", async () => {
  const { deps, calls, lines } = fakes({ configDiff: "-  platform:x: 2\n+  platform:x: 1\n" });
  await expect(rollback({ stack: "prod", yes: false }, "/repo", deps)).resolves.toBe("rolled-back");
  expect(calls).toEqual([
    ["openStack", "prod", "/repo"],
    ["history", "/repo"],
    ["state", "/repo"],
    ["hasCommit", SHA.b],
    ["diff", "HEAD", SHA.b, "Pulumi.prod.yaml"],
    ["show", SHA.b, "Pulumi.prod.yaml"],
    ["show", "HEAD", "Pulumi.prod.yaml"],
    ["status", "/repo", "policy"],
    ["addWorktree", SHA.b],
    ["link", "/repo/node_modules", `${WORKTREE}/node_modules`],
    ["status", WORKTREE],
    ["preview", WORKTREE, POLICY],
    ["confirm", "Roll prod back to version 2 as previewed above? [y/N] "],
    ["up", WORKTREE, `Rollback of prod to version 2 (commit ${"b".repeat(12)}) by ana@laptop: Raise the node pool`, POLICY],
    ["removeWorktree", WORKTREE],
  ]);
  expect(lines[0]).toBe(
    `Rolling prod (s3://state?region=eu-west-1) back to version 2 (2026-11-22T15:00:00.000Z, commit ${"b".repeat(12)}: Raise the node pool).\n` +
      "Why this version: the newest successful update of another commit than the latest update (version 4).",
  );
  expect(lines).toContain("\nPulumi.prod.yaml from HEAD to version 2:\n-  platform:x: 2\n+  platform:x: 1");
  expect(lines).toContain(
    `Dependencies: linked /repo/node_modules (the commit's package-lock.json is this checkout's, and that is what is installed here).`,
  );
  // Clock: start 5 s, after preview 10 s, after confirmation 15 s, after up 20 s.
  expect(lines[lines.length - 1]).toBe(
    `\nRolled prod back to version 2 (commit ${"b".repeat(12)}) in 10s (preparation and preview 5s, update 5s; time waiting for confirmation not counted).`,
  );
});

test("a changed lockfile is installed with npm ci; a missing policy pack install is run first", async () => {
  const { deps, calls, lines } = fakes({
    files: {
      [`${WORKTREE}/package-lock.json`]: LOCK.replace('"1"', '"2"'),
      "/repo/package-lock.json": LOCK,
      "/repo/node_modules/.package-lock.json": INSTALLED,
      "/repo/policy/PulumiPolicy.yaml": "runtime: nodejs\n",
      "/repo/policy/config/prod.json": "{}",
    },
  });
  await rollback({ stack: "prod", yes: true }, "/repo", deps);
  expect(calls.filter((c) => c[0] === "npmCi" || c[0] === "link")).toEqual([
    ["npmCi", "/repo/policy"],
    ["npmCi", WORKTREE],
  ]);
  expect(lines).toContain("Dependencies: installed with npm ci (not linked: its package-lock.json differs from this checkout's).");
});

test("--yes does not ask; a program in a subdirectory of the repository is found in the worktree", async () => {
  const { deps, calls } = fakes({ topLevel: "/repo" });
  deps.files.read = (file) => (file.endsWith("package-lock.json") || file.startsWith("/repo/infra/policy") ? "{}" : undefined);
  await rollback({ stack: "prod", to: 1, yes: true }, "/repo/infra", deps);
  expect(calls.filter((c) => c[0] === "confirm")).toEqual([]);
  expect(calls).toContainEqual([
    "up",
    `${WORKTREE}/infra`,
    expect.stringContaining("to version 1 (commit aaaaaaaaaaaa)"),
    { dir: "/repo/infra/policy", config: "/repo/infra/policy/config/prod.json" },
  ]);
});

test("after a failed rollback, running it again without --to goes to the same version", async () => {
  const { deps, calls, lines } = fakes({ history: [rollbackEntry({ version: 2, commit: SHA.b }, { result: "failed" }), ...HISTORY] });
  await rollback({ stack: "prod", yes: true }, "/repo", deps);
  expect(calls).toContainEqual(["addWorktree", SHA.b]);
  expect(lines[0]).toMatch(
    /back to version 2 .*\nWhy this version: the latest update, version 5, is a rollback to version 2 that failed or was cancelled: a retry goes to the same version\.$/,
  );
});

test("a declined confirmation changes nothing and still removes the worktree", async () => {
  const { deps, names, lines } = fakes({ confirm: false });
  await expect(rollback({ stack: "prod", yes: false }, "/repo", deps)).resolves.toBe("declined");
  expect(names()).not.toContain("up");
  expect(names()[names().length - 1]).toBe("removeWorktree");
  expect(lines).toContain("Rollback declined: nothing was changed.");
});

describe("refused before anything is checked out", () => {
  test("the version's commit is not in the clone", async () => {
    const { deps, names } = fakes({ hasCommit: false });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      /^commit b{40} \(version 2\) is not in this clone\. Run `git fetch`/,
    );
    expect(names()).toEqual(["openStack", "history", "state", "hasCommit"]);
  });

  test("the version recorded no commit or a dirty one", async () => {
    for (const history of [
      [entry({ commit: SHA.b }), entry()],
      [entry({ commit: SHA.b }), entry({ commit: SHA.a, dirty: true })],
    ]) {
      const { deps, names } = fakes({ history });
      await expect(rollback({ stack: "prod", to: 1, yes: true }, "/repo", deps)).rejects.toThrow(RollbackRefused);
      expect(names()).toEqual(["openStack", "history", "state"]);
    }
  });

  test("an interrupted update without --to: the commands to choose from, and nothing else", async () => {
    const { deps, names } = fakes({ state: { writtenAt: new Date("2026-11-25T00:00:00Z"), pendingOperations: [] } });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      /Choose one and run it:\n {2}npm run rollback -- prod --to 4 /,
    );
    expect(names()).toEqual(["openStack", "history", "state"]);
  });

  test("the secrets provider differs: the config diff is shown first, then the refusal", async () => {
    const { deps, names, lines } = fakes({
      stackFiles: {
        target: STACK_FILE,
        HEAD: `secretsprovider: awskms://alias/pulumi-prod?region=eu-west-1\nencryptedkey: AQ==\nconfig:\n  platform:x: 1\n`,
      },
      configDiff: "-secretsprovider: awskms://alias/pulumi-prod?region=eu-west-1\n-encryptedkey: AQ==\n+encryptionsalt: v1:salt\n",
    });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      /^the secrets provider of prod differs between version 2 and HEAD/,
    );
    expect(lines[lines.length - 1]).toMatch(/^\nPulumi.prod.yaml from HEAD to version 2:\n-secretsprovider: awskms/);
    expect(names()).not.toContain("addWorktree");
  });

  test("the policy pack has no config for the stack, or uncommitted changes", async () => {
    const noConfig = fakes();
    noConfig.deps.files.read = (file) => (file.endsWith("prod.json") ? undefined : "{}");
    await expect(rollback({ stack: "prod", yes: true }, "/repo", noConfig.deps)).rejects.toThrow(
      "the policy pack has no config for prod: /repo/policy/config/prod.json does not exist.",
    );
    const edited = fakes();
    edited.deps.git.statusPorcelain = async () => " M policy/policies/tenancy.ts\n?? policy/node_modules/\n";
    await expect(rollback({ stack: "prod", yes: true }, "/repo", edited.deps)).rejects.toThrow(
      "the policy pack has uncommitted changes, and a rollback is checked by the committed pack only:\n   M policy/policies/tenancy.ts",
    );
    expect(edited.names()).not.toContain("addWorktree");
  });
});

test("refused when the worktree is not clean after the install: no preview, no up, worktree removed", async () => {
  const { deps, names } = fakes({ status: " M package-lock.json\n?? node_modules/\n" });
  await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
    new RollbackRefused(
      `the worktree of ${"b".repeat(12)} is not clean after installing its dependencies, so the program would not be exactly that commit:\n   M package-lock.json`,
    ),
  );
  expect(names()).not.toContain("preview");
  expect(names()[names().length - 1]).toBe("removeWorktree");
});

test("refused when the stack is locked (the DIY lock surfaces at up): the lock's owner is shown and the worktree removed", async () => {
  const locked = new EngineFailure(
    "pulumi up",
    255,
    "error: the stack is currently locked by 1 lock(s).\n  file:///state/.pulumi/locks/organization/k8s-platform/prod/9.json: created by ci@runner (pid 7) at 2026-11-24T09:31:00Z\n",
  );
  const { deps, names } = fakes({ upError: locked });
  const error = await rollback({ stack: "prod", yes: true }, "/repo", deps).catch((e: Error) => e);
  expect(error).toBeInstanceOf(RollbackRefused);
  expect((error as Error).message).toMatch(
    /^stack prod is locked by another update, so nothing was changed.\n {2}file:\/\/\/state\/.*created by ci@runner \(pid 7\)/,
  );
  expect(names()[names().length - 1]).toBe("removeWorktree");
});

test("an up that fails for another reason says the stack may be partly rolled back, and how to retry", async () => {
  const { deps } = fakes({ upError: new EngineFailure("pulumi up", 255, "error: update failed\n") });
  await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
    "the update to version 2 failed, so prod may be partly rolled back (see the output above). Run `npm run rollback -- prod` again to finish it (without --to it goes to version 2 again), or deploy a fix. error: update failed",
  );
});

describe("Ctrl-C", () => {
  test("during the preview: the preview is stopped, nothing is changed, the worktree is removed", async () => {
    const { deps, names, engineStopped } = fakes({ ctrlCDuring: "preview" });
    await expect(rollback({ stack: "prod", yes: false }, "/repo", deps)).rejects.toThrow(
      new RollbackCancelled("stopped (Ctrl-C) before the update started: nothing was changed."),
    );
    expect(engineStopped).toEqual(["preview"]);
    expect(names()).not.toContain("confirm");
    expect(names()[names().length - 1]).toBe("removeWorktree");
  });

  test("during the install: no preview starts", async () => {
    const { deps, names } = fakes({
      ctrlCDuring: "install",
      files: {
        "/repo/policy/PulumiPolicy.yaml": "x",
        "/repo/policy/config/prod.json": "{}",
        "/repo/policy/node_modules/.package-lock.json": "{}",
      },
    });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(RollbackCancelled);
    expect(names()).not.toContain("preview");
  });

  test("during the update: the engine is asked to cancel once, and the error says how to finish the rollback", async () => {
    const { deps, engineStopped } = fakes({ ctrlCDuring: "up" });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(
      "the update to version 2 was cancelled (Ctrl-C): the engine finished the operations in flight, recorded the update as failed and released the lock, so prod may be partly rolled back. " +
        "Run `npm run rollback -- prod` again to finish it (without --to it goes to version 2 again).",
    );
    expect(engineStopped).toEqual(["up"]);
  });

  test("during the update, a CLI killed by the signal before it took the lock changed nothing", async () => {
    const { deps } = fakes({ ctrlCDuring: "up", ctrlCKills: "none" });
    await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).rejects.toThrow(RollbackCancelled);
  });

  test.each([
    [
      "released",
      "the CLI was killed by the signal just before or after the engine ran, where it does not handle it, and the tool removed the lock it left, so prod may be partly rolled back. Run `npm run rollback -- prod --to 2` to finish it.",
    ],
    [
      "left",
      "the CLI was killed by the signal just before or after the engine ran, and its lock could not be removed (see above), so prod may be partly rolled back. Run `npm run rollback -- prod --to 2` to finish it.",
    ],
  ] as const)("during the update, a CLI killed by the signal while holding the lock: lock %s", async (lock, message) => {
    const { deps } = fakes({ ctrlCDuring: "up", ctrlCKills: lock });
    const error = await rollback({ stack: "prod", yes: true }, "/repo", deps).catch((e: Error) => e);
    expect(error).not.toBeInstanceOf(RollbackCancelled);
    expect((error as Error).message).toContain(`the update to version 2 was cancelled (Ctrl-C): ${message}`);
  });
});

test("a worktree that cannot be removed is reported without hiding the outcome", async () => {
  const { deps, lines } = fakes();
  deps.git.removeWorktree = async () => {
    throw new Error("locked working tree");
  };
  await expect(rollback({ stack: "prod", yes: true }, "/repo", deps)).resolves.toBe("rolled-back");
  expect(lines[lines.length - 1]).toMatch(
    /^Could not remove the worktree \/tmp\/rollback-1\/program \(locked working tree\); remove it with `git worktree remove --force/,
  );
});

test("--list prints the table and what a rollback without --to would choose and why, or why it would refuse", async () => {
  const listed = fakes();
  await listHistory("prod", "/repo", listed.deps);
  expect(listed.lines[0]).toBe("History of prod (s3://state?region=eu-west-1):");
  expect(listed.lines[1].split("\n")).toHaveLength(5);
  expect(listed.lines[2]).toMatch(
    /^\nWithout --to, a rollback goes to version 2 \(.*\): the newest successful update of another commit than the latest update \(version 4\)\.$/,
  );
  const single = fakes({ history: [entry({ commit: SHA.a })] });
  await listHistory("prod", "/repo", single.deps);
  expect(single.lines[2]).toMatch(/^\nWithout --to, a rollback is refused: stack prod has no successful update of another commit/);
  expect(single.names()).toEqual(["openStack", "history", "state"]);
});

test("the engine's command lines: the stack, the diff and the policy pack on both; up skips its own preview and records the message", () => {
  const run: EngineRun = { stack: "prod", programDir: WORKTREE, policy: POLICY };
  const common = [
    "--stack",
    "prod",
    "--diff",
    "--policy-pack",
    "/repo/policy",
    "--policy-pack-config",
    "/repo/policy/config/prod.json",
    "--non-interactive",
  ];
  expect(previewArgs(run)).toEqual(["preview", ...common]);
  expect(upArgs({ ...run, message: "Rollback of prod" })).toEqual([
    "up",
    ...common,
    "--yes",
    "--skip-preview",
    "--message",
    "Rollback of prod",
  ]);
});
