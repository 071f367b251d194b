/** What makes the rollback safe to run again: the version chosen after a failed, cancelled or killed rollback, and the refusals around it. */
import { reuseRefusal } from "../../scripts/rollback/dependencies";
import type { HistoryEntry } from "../../scripts/lib/stack-records";
import { secretsProvider } from "../../scripts/lib/settings";
import { toRows } from "../../scripts/rollback/history";
import { Interrupt } from "../../scripts/rollback/interrupt";
import { refuseOtherSecretsProvider, stackFile } from "../../scripts/rollback/stack-config";
import { findInterruption, selectTarget, StateSummary, stateSummary } from "../../scripts/rollback/target";
import { entry, HISTORY, rollbackEntry, refusal, SHA } from "./rollback-fixtures";

const CLEAN: StateSummary = { pendingOperations: [] };
const versionOf = (history: HistoryEntry[], state = CLEAN) => selectTarget("prod", toRows(history), state).target.version;

describe("without --to after a rollback: the same version again", () => {
  // v5 is a rollback to v2 (commit b) on top of HISTORY (v4 deployed c).
  test.each(["failed", "succeeded", "in-progress"])(
    "the latest update is a rollback to version 2 that is %s: version 2 again",
    (result) => {
      const history = [rollbackEntry({ version: 2, commit: SHA.b }, { result: result as HistoryEntry["result"] }), ...HISTORY];
      if (result === "in-progress") {
        // Recorded as running (Pulumi Cloud): still running or killed, so refused like any interrupted update.
        expect(refusal(() => versionOf(history))).toMatch(/version 5 \(update\) is recorded as in progress/);
        return;
      }
      expect(versionOf(history)).toBe(2);
      expect(selectTarget("prod", toRows(history), CLEAN).reason).toMatch(
        result === "failed"
          ? /^the latest update, version 5, is a rollback to version 2 that failed or was cancelled: a retry goes to the same version$/
          : /that succeeded: running the tool again re-applies it and changes nothing/,
      );
    },
  );

  test("the rule this replaces picked the bad commit: after a failed rollback to b, the newest success of another commit is c", () => {
    const history = [rollbackEntry({ version: 2, commit: SHA.b }, { result: "failed" }), ...HISTORY];
    const rows = toRows(history);
    expect(rows.find((row) => row.kind === "update" && row.result === "succeeded" && row.commit !== rows[0].commit)?.commit).toBe(SHA.c);
    expect(versionOf(history)).toBe(2);
  });

  test("two failed retries in a row still go to the same version; a refresh on top changes nothing", () => {
    const failed = rollbackEntry({ version: 2, commit: SHA.b }, { result: "failed" });
    expect(versionOf([failed, failed, ...HISTORY])).toBe(2);
    expect(versionOf([entry({ kind: "refresh", commit: SHA.b }), failed, ...HISTORY])).toBe(2);
  });

  test("a deploy after the rollback is the latest change again: the default undoes it", () => {
    expect(versionOf([entry({ commit: SHA.d }), rollbackEntry({ version: 2, commit: SHA.b }), ...HISTORY])).toBe(5);
  });

  test("refused when the history was renumbered under the recorded version, naming the version that has the commit now", () => {
    // History files deleted: v2 (b) is gone, so b is v1 now and the recorded "version 2" is c.
    const history = [
      rollbackEntry({ version: 2, commit: SHA.b }, { result: "failed" }),
      entry({ commit: SHA.c }),
      entry({ commit: SHA.b }),
    ];
    expect(refusal(() => versionOf(history))).toBe(
      `the latest update of prod, version 3, is a rollback to version 2 (commit ${"b".repeat(12)}), but version 2 of the history is commit ${"c".repeat(12)}: ` +
        "the history was renumbered (history files deleted). That commit is version 1 now: npm run rollback -- prod --to 1",
    );
  });
});

describe("an update that was interrupted before it was recorded", () => {
  const rows = toRows(HISTORY); // v4 ended 2026-11-24T09:31:00Z
  const killedLater: StateSummary = { writtenAt: new Date("2026-11-24T10:02:13Z"), pendingOperations: [] };

  test("the state written after the latest recorded update ended: refused, with the exact commands to choose from", () => {
    expect(refusal(() => selectTarget("prod", rows, killedLater))).toBe(
      [
        "the state was written at 2026-11-24T10:02:13.000Z, after the last recorded update (version 4) ended at 2026-11-24T09:31:00.000Z: " +
          "an update was interrupted (a killed job) before it could record itself, or the state was edited outside an update (pulumi state …, stack import, change-secrets-provider).",
        "The history does not record what the interrupted update deployed, so without --to the tool cannot tell which version to go to.",
        "Choose one and run it:",
        `  npm run rollback -- prod --to 4    # the newest successful update, version 4 (2026-11-24T09:30:00.000Z, commit ${"c".repeat(12)}: Add the logging stack): undoes the interrupted update if it was a deploy`,
        `  npm run rollback -- prod --to 2    # version 2 (2026-11-22T15:00:00.000Z, commit ${"b".repeat(12)}: Raise the node pool): where a rollback started without --to was going, if the interrupted update was one`,
        "A lock left by a killed process is removed with `pulumi cancel --stack prod` (only once that process is surely gone).",
      ].join("\n"),
    );
  });

  test("the engine's last write comes a moment before the recorded end, which DIY backends keep in whole seconds: no interruption", () => {
    const justAfter: StateSummary = { writtenAt: new Date("2026-11-24T09:31:00.810Z"), pendingOperations: [] };
    expect(findInterruption(rows, justAfter)).toBeUndefined();
    expect(selectTarget("prod", rows, justAfter).target.version).toBe(2);
    expect(findInterruption(rows, { writtenAt: new Date("2026-11-24T09:30:40Z"), pendingOperations: [] })).toBeUndefined();
  });

  test("pending operations: refused, listing them", () => {
    const pending: StateSummary = { pendingOperations: ["updating urn:pulumi:prod::k8s-platform::kubernetes:core/v1:Namespace::gamma"] };
    expect(refusal(() => selectTarget("prod", rows, pending))).toMatch(
      /^the state has 1 pending operation\(s\) \(updating urn:pulumi:prod::k8s-platform::kubernetes:core\/v1:Namespace::gamma\), left by an update that was stopped before it saw them end\.\n/,
    );
    const many: StateSummary = { pendingOperations: Array.from({ length: 7 }, (_, i) => `creating urn:${i}`) };
    expect(findInterruption(rows, many)).toMatch(
      /\(creating urn:0; creating urn:1; creating urn:2; creating urn:3; creating urn:4; and 2 more\)/,
    );
  });

  test("a killed retry of a rollback: the commands offer the rollback's version, not the bad commit's, as where it was going", () => {
    const history = [
      rollbackEntry({ version: 2, commit: SHA.b }, { result: "failed", startTime: new Date("2026-11-24T09:40:00Z") }),
      ...HISTORY,
    ];
    const message = refusal(() => selectTarget("prod", toRows(history), killedLater));
    expect(message).toMatch(/npm run rollback -- prod --to 2 {4}# version 2 .*where a rollback started without --to was going/);
  });

  test("with --to, the version is taken, and the interruption is a warning", () => {
    const selection = selectTarget("prod", rows, killedLater, 4);
    expect(selection.target.version).toBe(4);
    expect(selection.warning).toMatch(/^the state was written at .*\. Going to version 4 as asked\.$/);
    expect(selectTarget("prod", rows, CLEAN, 4).warning).toBeUndefined();
  });

  test("the state summary is read from `pulumi stack export`", () => {
    expect(
      stateSummary({
        manifest: { time: "2026-12-02T02:45:54.397843202Z" },
        pending_operations: [{ type: "updating", resource: { urn: "urn:x" } }],
      }),
    ).toEqual({
      writtenAt: new Date("2026-12-02T02:45:54.397Z"),
      pendingOperations: ["updating urn:x"],
    });
    expect(stateSummary(undefined)).toEqual({ writtenAt: undefined, pendingOperations: [] });
  });
});

describe("secrets provider and stack file", () => {
  const KMS = "secretsprovider: awskms://alias/pulumi-prod?region=eu-west-1\nencryptedkey: AQIDAHh…\nconfig:\n  platform:x: 1\n";
  const PASSPHRASE = "encryptionsalt: v1:Oe/3bYrrZus=:v1:c4X5\nconfig:\n  platform:x: 1\n";

  test("the provider as the CLI chooses it: named, passphrase by its salt, else the backend's default", () => {
    expect(secretsProvider(KMS)).toBe("awskms://alias/pulumi-prod?region=eu-west-1");
    expect(secretsProvider(PASSPHRASE)).toBe("passphrase");
    expect(secretsProvider("secretsprovider: passphrase\nencryptionsalt: v1:x\n")).toBe("passphrase");
    expect(secretsProvider("config:\n  platform:x: 1\n")).toBe("the backend's default (no secretsprovider or encryptionsalt)");
    expect(secretsProvider(undefined)).toBe("none (the commit has no stack file)");
    expect(stackFile("organization/k8s-platform/prod")).toBe("Pulumi.prod.yaml");
  });

  test("refused when the target's provider differs from HEAD's; the same provider passes", () => {
    const target = { version: 2, commit: SHA.b };
    expect(() => refuseOtherSecretsProvider("prod", target, KMS, KMS.replace("x: 1", "x: 2"))).not.toThrow();
    expect(refusal(() => refuseOtherSecretsProvider("prod", target, PASSPHRASE, KMS))).toBe(
      [
        "the secrets provider of prod differs between version 2 and HEAD (Pulumi.prod.yaml, diff above):",
        `  version 2 (commit ${"b".repeat(12)}): passphrase`,
        "  HEAD: awskms://alias/pulumi-prod?region=eu-west-1",
        "Its secure values were encrypted by the older provider, and the update would write the state with it. Deploy a fix",
        "forward instead, or choose a version deployed with the current provider (see --list).",
      ].join("\n"),
    );
    expect(refusal(() => refuseOtherSecretsProvider("prod", target, KMS, KMS.replace("pulumi-prod", "pulumi-prod-2")))).toMatch(
      /HEAD: awskms:\/\/alias\/pulumi-prod-2/,
    );
  });
});

describe("node_modules reuse", () => {
  const lock = JSON.stringify({
    packages: { "": { name: "p" }, "node_modules/a": { version: "1.0.0" }, "node_modules/fsevents": { version: "2.0.0", optional: true } },
  });
  const installed = JSON.stringify({ packages: { "node_modules/a": { version: "1.0.0" } } });

  test("reused when the lockfiles are the same and node_modules is exactly what the lockfile installs (other platforms' optional packages left out)", () => {
    expect(reuseRefusal(lock, lock, installed)).toBeUndefined();
  });

  test.each([
    [undefined, lock, installed, "the commit has no package-lock.json"],
    [lock.replace("1.0.0", "1.0.1"), lock, installed, "its package-lock.json differs from this checkout's"],
    [lock, lock, undefined, "this checkout's node_modules has no .package-lock.json (not installed by npm ci)"],
    [
      lock,
      lock,
      installed.replace("1.0.0", "0.9.0"),
      "this checkout's node_modules does not match its package-lock.json (node_modules/a); run npm ci here",
    ],
    [lock, lock, JSON.stringify({ packages: {} }), "this checkout's node_modules lacks node_modules/a; run npm ci here"],
  ])("installed with npm ci when %#", (commitLock, liveLock, hidden, reason) => {
    expect(reuseRefusal(commitLock, liveLock, hidden)).toBe(reason);
  });
});

describe("Ctrl-C", () => {
  test("the first signal stops every registered operation once; later ones are only reported", () => {
    const lines: string[] = [];
    const interrupt = new Interrupt((line) => lines.push(line));
    const stopped: string[] = [];
    interrupt.onRequest(() => stopped.push("engine"));
    const unregister = interrupt.onRequest(() => stopped.push("gone"));
    unregister();
    expect(interrupt.requested).toBe(false);
    interrupt.receive("SIGINT");
    interrupt.receive("SIGINT");
    interrupt.receive("SIGTERM");
    expect(stopped).toEqual(["engine"]);
    expect(interrupt.requested).toBe(true);
    expect(lines[0]).toBe("\nSIGINT: stopping the rollback.");
    expect(lines.slice(1).every((line) => /again: ignored\. .*Killing it now would leave the lock/.test(line))).toBe(true);
    // Registered after the signal: stopped at once.
    interrupt.onRequest(() => stopped.push("late"));
    expect(stopped).toEqual(["engine", "late"]);
  });
});
