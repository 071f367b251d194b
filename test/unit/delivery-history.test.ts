/** What a stack's history says was deployed (scripts/delivery/history.ts): drift's target and prod's release gate. */
import { deployedCommit, requireDeployed } from "../../scripts/delivery/history";
import { Refused } from "../../scripts/lib/command";
import type { HistoryEntry } from "../../scripts/lib/stack-records";

const [A, B, C] = ["a", "b", "c"].map((x) => x.repeat(40));
const entry = (commit: string | undefined, result = "succeeded", kind = "update", dirty = false): HistoryEntry => ({
  version: 0,
  kind: kind as HistoryEntry["kind"],
  result: result as HistoryEntry["result"],
  startTime: new Date("2026-12-01T00:00:00Z"),
  message: "",
  environment: { ...(commit ? { "git.head": commit } : {}), "git.dirty": String(dirty) },
});

test("the deployed commit is that of the newest successful update from a clean checkout", () => {
  // Newest first, as `pulumi stack history` lists them.
  expect(
    deployedCommit("stage", [
      entry(C, "failed"),
      entry(undefined),
      entry(B, "succeeded", "refresh"),
      entry(A, "succeeded", "update", true),
      entry(B),
      entry(A),
    ]),
  ).toBe(B);
  expect(() => deployedCommit("stage", [entry(A, "failed")])).toThrow(
    new Refused("stack stage has no successful update from a clean git checkout: nothing is known to be deployed"),
  );
});

test("prod takes a commit only when stage's history shows it deployed successfully", () => {
  const stage = [entry(C, "failed"), entry(B), entry(A)];
  expect(() => requireDeployed("stage", A, stage, "prod")).not.toThrow();
  expect(() => requireDeployed("stage", C, stage, "prod")).toThrow(
    /prod deploys only what stage has run, and stage's history has no successful update of cccccccccccc \(it runs bbbbbbbbbbbb\): deploy this commit to stage first/,
  );
});
