/**
 * Every environment's stack, run under mocks with its real config, fed resource by resource through the
 * policy pack with that environment's policy config (policy/config/<stack>.json): what a preview with
 * `--policy-pack policy` would block must be nothing.
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { evaluate, Finding, ResourceSnapshot } from "../../policy/evaluate";
import { readStackConfig, runStack } from "../../mock-engine";
import { snapshotsOf } from "../policy-snapshots";
import { teamNamespaces } from "../../config/sections/tenancy";
import { syntheticTeams } from "../../scripts/bench/teams";

const TEAM_LABEL = "platform.example.io/team";

const policyConfig = (stack: string): PolicyPackConfig =>
  JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../policy/config", `${stack}.json`), "utf8"));

/** Namespaces the stack's config gives its teams. */
function configuredTeamNamespaces(stack: string): string[] {
  const teams: { name: string; namespaces?: string[] }[] = readStackConfig(stack)["platform:teams"] ?? [];
  return teams.flatMap(teamNamespaces);
}

const describeFinding = (f: Finding) => `${f.policy}: ${f.message} [${f.urn}]`;

describe.each([...ENVIRONMENTS])("%s", (stack) => {
  let snapshots: ResourceSnapshot[];
  beforeAll(async () => {
    snapshots = snapshotsOf(await runStack(stack));
  });

  test("no mandatory violation under the environment's policy config", async () => {
    const findings = await evaluate(snapshots, policyConfig(stack));
    expect(findings.filter((f) => f.level === "mandatory").map(describeFinding)).toEqual([]);
  });

  test("the policies see exactly the configured team namespaces, and every provider and dependency", () => {
    const urns = new Set(snapshots.map((s) => s.urn));
    const teamNamespaces = snapshots.filter((s) => s.type === "kubernetes:core/v1:Namespace" && s.props.metadata?.labels?.[TEAM_LABEL]);
    expect(teamNamespaces.map((s) => s.props.metadata.name).sort()).toEqual(configuredTeamNamespaces(stack).sort());
    for (const s of snapshots.filter((s) => s.provider)) expect(urns.has(s.provider!)).toBe(true);
    for (const s of snapshots) for (const dependency of s.dependencies ?? []) expect(urns.has(dependency)).toBe(true);
  });

  test("a team namespace stripped of its quota is a mandatory violation", async () => {
    const withoutQuotas = snapshots.filter((s) => s.type !== "kubernetes:core/v1:ResourceQuota");
    const findings = await evaluate(withoutQuotas, policyConfig(stack));
    const reported = findings.filter((f) => f.policy === "k8s-team-namespace-baseline" && f.level === "mandatory");
    expect(reported.map((f) => f.message.match(/^Namespace "([^"]+)"/)?.[1]).sort()).toEqual(configuredTeamNamespaces(stack).sort());
  });
});

describe("a tenancy shard, checked with its environment's policy config (scripts/deploy-plan: policyArgs)", () => {
  let snapshots: ResourceSnapshot[];
  beforeAll(async () => {
    const prod = await runStack("prod");
    const teams = syntheticTeams(3);
    const shard = await runStack("prod-tenancy-1", {
      configure: (c) => (c["platform:teams"] = teams),
      stackOutputs: { prod: prod.outputs },
    });
    snapshots = snapshotsOf(shard);
  });

  test("no mandatory violation: the guardrails a team relies on live in the environment's stack", async () => {
    const findings = await evaluate(snapshots, policyConfig("prod"));
    expect(findings.filter((f) => f.level === "mandatory").map(describeFinding)).toEqual([]);
  });

  test("and its team objects are checked there: a namespace stripped of its quota is a mandatory violation", async () => {
    const findings = await evaluate(
      snapshots.filter((s) => s.type !== "kubernetes:core/v1:ResourceQuota"),
      policyConfig("prod"),
    );
    const reported = findings.filter((f) => f.policy === "k8s-team-namespace-baseline" && f.level === "mandatory");
    expect(reported.map((f) => f.message.match(/^Namespace "([^"]+)"/)?.[1]).sort()).toEqual(["team-0", "team-1", "team-2"]);
  });
});
