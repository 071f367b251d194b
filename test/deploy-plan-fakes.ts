/** deploy-plan's dependencies faked: the pulumi CLI answering with a given state and preview, the commit, the clock. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PlanDeps } from "../scripts/deploy-plan/plan";

export const PROJECT = path.resolve(__dirname, "..");
export const COMMIT = "a".repeat(40);
/** `pulumi stack export` of a state holding `resources`. */
export const exported = (resources: unknown[], time = "2026-12-01T00:00:00Z", pending: unknown[] = []) =>
  JSON.stringify({ version: 3, deployment: { manifest: { time }, resources, pending_operations: pending } });
/** A preview with one change: a team's namespace created. */
export const SAMPLE_PREVIEW = {
  steps: [
    { op: "create", urn: "urn:pulumi:prod::k8s-platform::platform:tenancy:Team$kubernetes:core/v1:Namespace::gamma-gamma" },
    { op: "same", urn: "urn:pulumi:prod::p::t::x" },
  ],
  changeSummary: { create: 1, same: 1 },
};

/** The CLI and the clock deploy-plan runs with, answering with `state`; every CLI call is recorded. */
export function fakeDeps(state: { exported: string; head: string; preview?: object }) {
  const calls: string[][] = [];
  const streams: boolean[] = [];
  const deps: PlanDeps = {
    pulumi: async (args, options) => {
      calls.push(args);
      if (args[0] === "up") streams.push(options?.stream ?? false);
      if (args[0] === "stack" && args[1] === "export") return state.exported;
      if (args[0] === "preview") return JSON.stringify(state.preview ?? SAMPLE_PREVIEW);
      return "";
    },
    headCommit: async () => state.head,
    now: () => new Date("2026-12-02T03:00:00Z"),
    log: () => undefined,
  };
  return { deps, calls, streams };
}

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
