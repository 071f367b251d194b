/**
 * Tenancy shards (config/tenancy-shards.ts, stacks/tenancy-shard.ts): a team declared by a shard is the same
 * Team, object for object, as the environment's stack would declare, on a provider for the same cluster; a team
 * lives in one stack of its environment; no stack carries more than 100 teams.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { teamsOwnedElsewhere } from "../../config/tenancy-shards";
import { stackMatrices } from "../../scripts/delivery/stacks";
import { syntheticTeams } from "../../scripts/bench/teams";
import { violationsOf } from "../config-errors";
import { readStackConfig, RecordedResource, runStack, StackRun } from "../../mock-engine";

const SHARD = "local-tenancy-1";
const TEAM = "Team";
const ISOLATION = "kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy";
const gamma = { ...syntheticTeams(1)[0], name: "gamma" };
const localTeams = () => readStackConfig("local")["platform:teams"] as { name: string }[];

let environment: StackRun;
beforeAll(async () => {
  environment = await runStack("local");
});

const runShard = (teams: object[], environmentOutputs: Record<string, unknown> = environment.outputs) =>
  runStack(SHARD, { configure: (c) => (c["platform:teams"] = teams), stackOutputs: { local: environmentOutputs } });

/** A team's objects as the engine would key them within a stack: type, name, parent's name, inputs. */
const objectsOf = (run: StackRun, team: string) =>
  run.resources
    .filter((r) => r.name === team || r.parent?.endsWith(`::${team}`))
    .map((r: RecordedResource) => ({ type: r.type, name: r.name, parent: r.parent?.split("::").slice(2).join("::"), inputs: r.inputs }));

test("a team in a shard is the Team the environment's stack would declare, on a provider for the same cluster", async () => {
  const [shard, inEnvironment] = [await runShard([gamma]), await runStack("local", { configure: (c) => c["platform:teams"].push(gamma) })];
  expect(objectsOf(shard, "gamma").length).toBeGreaterThan(5);
  expect(objectsOf(shard, "gamma")).toEqual(objectsOf(inEnvironment, "gamma"));

  const shardProvider = shard.one("pulumi:providers:kubernetes", "cluster").inputs;
  const environmentProvider = environment.one("pulumi:providers:kubernetes", "cluster-provider").inputs;
  // Only a change of clusterIdentifier makes the provider replace what it manages (pulumi-kubernetes DiffConfig).
  expect(shardProvider.clusterIdentifier).toBe(environmentProvider.clusterIdentifier);
  expect(shardProvider.kubeconfig).toBe(environmentProvider.kubeconfig);
  expect(shardProvider.enableServerSideApply).toBe("true");
  for (const resource of objectsOf(shard, "gamma")) {
    if (resource.type !== "platform:tenancy:Team")
      expect(shard.resources.find((r) => r.name === resource.name)!.provider).toMatch(/::cluster::/);
  }
  // Nothing cluster-wide: the environment's stack keeps RBAC, guardrails and services.
  expect(new Set(shard.resources.map((r) => r.type.split(":").slice(0, 2).join(":")))).toEqual(
    new Set([
      "pulumi:pulumi",
      "pulumi:providers",
      "platform:tenancy",
      "kubernetes:core/v1",
      "kubernetes:rbac.authorization.k8s.io/v1",
      "kubernetes:networking.k8s.io/v1",
    ]),
  );
  expect(shard.outputs.teamNamespaces).toEqual({ gamma: ["gamma"] });
});

// That the kubeconfig output is encrypted in the state is shown with the real engine (test/e2e/tenancy-shards.test.ts).
test("the environment's stack publishes what a shard needs, and its kubeconfig", () => {
  expect(environment.outputs.tenancy).toMatchObject({
    environment: "local",
    cluster: { identifier: "local/current-context" },
    groupsPrefix: "oidc:",
    nodePortsRefused: true,
    clusterNetworkPolicies: false,
    pullSecret: false,
  });
  expect(environment.outputs.kubeconfig).toContain("apiVersion");
});

test("a shard of an environment not deployed with shards yet stops before registering any team", async () => {
  const error = await runShard([gamma], {}).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).toBeInstanceOf(pulumi.RunError);
  expect(error!.message).toMatch(/organization\/k8s-platform\/local has no "tenancy" output; deploy local .* first/);
});

describe("config errors", () => {
  test("a team another stack of the environment carries", async () => {
    const alpha = localTeams()[0];
    expect(await violationsOf(SHARD, (c) => (c["platform:teams"] = [gamma, alpha]))).toEqual([
      `  platform:teams[1].name = "alpha": expected a team not in another stack of local ("alpha" is in Pulumi.local.yaml)`,
    ]);
  });

  test("anything but teams in a shard's file", async () => {
    const lines = await violationsOf(SHARD, (c) => {
      c["platform:teams"] = [gamma];
      c["platform:tenancy"] = { podSecurity: "baseline" };
    });
    expect(lines).toEqual([expect.stringMatching(/^ {2}platform:tenancy = .*: expected .*teams/)]);
  });

  test.each(["local", SHARD])("more than 100 teams in one stack (%s)", async (stack) => {
    const teams = syntheticTeams(101);
    const lines = await violationsOf(stack, (c) => (c["platform:teams"] = teams));
    expect(lines).toEqual([
      expect.stringContaining(
        "..: expected at most 100 teams per stack (got 101): put the others in a tenancy shard, Pulumi.local-tenancy-1.yaml",
      ),
    ]);
  });

  test("teams given as a secret: the message names the key and what is expected, never a value", async () => {
    const alpha = localTeams()[0];
    const error = await runStack(SHARD, {
      configure: (c) => delete c["platform:teams"],
      secrets: { "platform:teams": [gamma, alpha] },
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error!.message).toContain("platform:teams[1].name");
    expect(error!.message).toContain("expected a team not in another stack of local");
    expect(error!.message).not.toContain(alpha.name);
  });

  test("a team quota below the environment's default limits, known once the environment's output is read", async () => {
    const error = await runShard([{ ...gamma, quota: { limitsMemory: "64Mi" } }]).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error!.message).toContain(
      'platform:teams[0].quota.limitsMemory = "64Mi": expected at least tenancy.defaultLimits.default.memory',
    );
  });
});

test("across the committed stacks of an environment: a team or namespace in two stacks is refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
  const write = (stack: string, teams: object[]) =>
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config: { "platform:teams": teams } }));
  write("prod", [{ name: "payments" }]);
  write("prod-tenancy-1", [{ name: "search", namespaces: ["search", "search-jobs"] }]);
  write("stage-tenancy-1", [{ name: "data" }]);
  const violations = teamsOwnedElsewhere(
    "prod",
    "prod-tenancy-2",
    [{ name: "payments" }, { name: "jobs", namespaces: ["jobs", "search-jobs"] }, { name: "data" }],
    dir,
  );
  expect(violations).toEqual([
    { path: "teams[0].name", expected: 'a team not in another stack of prod ("payments" is in Pulumi.prod.yaml)' },
    {
      path: "teams[1].namespaces[1]",
      expected: 'a namespace not owned by a team of another stack of prod ("search-jobs" is in Pulumi.prod-tenancy-1.yaml)',
    },
  ]);
  fs.rmSync(dir, { recursive: true });
});

test("a team's isolation policy is part of the team, aliased from where the environment's guardrails declared it", async () => {
  const e2e = await runStack("e2e");
  const guardrails = e2e.one("platform:tenancy:TenancyGuardrails", "tenancy-guardrails").urn;
  const policy = e2e.one(ISOLATION, "payments-isolation");
  expect(e2e.byUrn(policy.parent!).type).toBe(`platform:tenancy:${TEAM}`);
  expect(policy.aliases).toEqual([expect.objectContaining({ name: "tenancy-guardrails-isolate-payments", parenturn: guardrails })]);
  expect(policy.inputs.metadata.name).toBe("team-payments-isolation");
});

test("the workflows' job matrices: every environment followed by its committed shards, and each environment's shards alone", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
  for (const stack of ["prod", "prod-tenancy-2", "prod-tenancy-10", "prod-tenancy-1", "e2e-tenancy-1", "prod-teams"])
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "config: {}\n");
  const lines = Object.fromEntries(stackMatrices(dir).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  const prodShards = ["prod-tenancy-1", "prod-tenancy-2", "prod-tenancy-10"].map((stack) => ({ stack, environment: "prod" }));
  expect(JSON.parse(lines.stacks).include).toEqual([
    { stack: "admin", environment: "admin" },
    { stack: "e2e", environment: "e2e" },
    { stack: "e2e-tenancy-1", environment: "e2e" },
    { stack: "stage", environment: "stage" },
    { stack: "prod", environment: "prod" },
    ...prodShards,
  ]);
  expect(JSON.parse(lines.prod)).toEqual({ include: prodShards });
  expect([lines["prod-shards"], lines["stage-shards"], lines.stage]).toEqual(["3", "0", '{"include":[]}']);
  fs.rmSync(dir, { recursive: true });
});
