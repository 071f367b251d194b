/**
 * Moving teams from an environment's stack into a tenancy shard (`npm run move-teams`, docs/scale.md) with the
 * real CLI and provider on a throwaway control plane: every object of the moved teams keeps its identity (UID),
 * both stacks then preview with no change, a team added to the shard is the shard's update alone, a team moves
 * back the same way, and a move that would delete an object, or whose preview fails, is undone before anything
 * is touched. Last, a team's isolation
 * policy moves from the guardrails into the team as the same object (its alias), which `local` (no Calico) cannot
 * show: a fixture project declares it both ways. Needs the toolchain (scripts/toolchain.sh).
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { syntheticTeam, syntheticTeams } from "../../scripts/bench/teams";
import { Sandbox, STACK } from "./support/sandbox";
import { stepsInOrder } from "./support/steps";
import { findToolchain, inCi } from "./support/toolchain";

const MINUTE = 60_000;
const SHARD = "local-tenancy-1";
const TEAM_LABEL = "platform.example.io/team";
const TEAM_KINDS = "namespaces,resourcequotas,limitranges,networkpolicies,rolebindings";
const [STAYING, MOVING] = [syntheticTeams(3), syntheticTeams(6).slice(3)];

const CNP_CRD = "clusternetworkpolicies.policy.networking.k8s.io";
/** Enough of the network-policy API's CRD (Calico's CRD chart installs the real one) to store the objects. */
const CLUSTER_NETWORK_POLICY_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  // Groups under k8s.io need this annotation (the API server's protected-group check).
  metadata: { name: CNP_CRD, annotations: { "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/network-policy-api" } },
  spec: {
    group: "policy.networking.k8s.io",
    scope: "Cluster",
    names: {
      plural: "clusternetworkpolicies",
      singular: "clusternetworkpolicy",
      kind: "ClusterNetworkPolicy",
      listKind: "ClusterNetworkPolicyList",
    },
    versions: [
      {
        name: "v1alpha2",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
};

const toolchain = findToolchain();
const runSuite = toolchain.ok || inCi();

(runSuite ? describe : describe.skip)("moving teams into a tenancy shard (real engine)", () => {
  let sandbox: Sandbox;
  const step = stepsInOrder();
  /** The shard's secrets manager as `stack init` stored it in its state (never deployed before the moves). */
  let initialised: { type: string; state: { salt: string } };
  const secretsManager = async () =>
    JSON.parse((await sandbox.pulumi(["stack", "export", "--stack", SHARD])).stdout).deployment.secrets_providers;

  beforeAll(async () => {
    if (!toolchain.ok) throw new Error(`E2E FAILED: CI is set and the toolchain is incomplete (missing: ${toolchain.missing.join("; ")})`);
    sandbox = new Sandbox(toolchain.env);
    await sandbox.initLocalStack([...STAYING, ...MOVING]);
    sandbox.commit("six teams in the environment's stack");
    await sandbox.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
    await sandbox.pulumi(["stack", "init", SHARD, "--secrets-provider", "passphrase"]);
    initialised = await secretsManager();
  }, 10 * MINUTE);

  afterAll(async () => {
    if (sandbox) await sandbox.cleanUp(process.env.E2E_KEEP === "1");
  }, 2 * MINUTE);

  /** Every team object in the cluster: `<kind>/<namespace>/<name>` → UID (a replaced object gets a new one). */
  const teamObjects = async () => {
    const items: { kind: string; metadata: { name: string; namespace?: string; uid: string } }[] = (
      await sandbox.kubectlJson(["get", TEAM_KINDS, "--all-namespaces", "-l", TEAM_LABEL])
    ).items;
    return Object.fromEntries(items.map((o) => [`${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`, o.metadata.uid]));
  };
  const teamsInState = async (stack: string) => {
    const resources: { type: string; urn: string }[] =
      JSON.parse((await sandbox.pulumi(["stack", "export", "--stack", stack])).stdout).deployment.resources ?? [];
    return resources
      .filter((r) => r.type === "platform:tenancy:Team")
      .map((r) => r.urn.split("::").pop())
      .sort();
  };
  /** The shard's file as an operator commits it: what `stack init` wrote (its encryption salt) and its teams. */
  const writeShard = (teams: object[]) => {
    const file = path.join(sandbox.projectDir, `Pulumi.${SHARD}.yaml`);
    fs.writeFileSync(file, stringify({ ...parse(fs.readFileSync(file, "utf8")), config: { "platform:teams": teams } }));
  };
  /** What the deploy workflow's plan job outputs for the shard: whether its saved plan changes anything. */
  const planChanges = async (name: string) => {
    const dir = path.join(sandbox.root, `shard-plan-${name}`);
    await sandbox.npm(["run", "--silent", "deploy-plan", "--", "save", SHARD, dir]);
    return (await sandbox.npm(["run", "--silent", "deploy-plan", "--", "changes", dir])).stdout.trim();
  };
  const noChanges = (stack: string) => sandbox.pulumi(["preview", "--expect-no-changes", "--stack", stack]);

  step("a move whose preview would replace an object is undone, and nothing changes", 10 * MINUTE, async () => {
    const before = await teamObjects();
    // Renaming a namespace on the way replaces it: refused after the previews, the teams moved back.
    writeShard([{ ...MOVING[0], namespaces: [`${MOVING[0].name}-renamed`] }]);
    sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:teams"], doc.createNode([...STAYING, ...MOVING.slice(1)])));
    sandbox.commit("a move that renames a namespace");

    const refused = await sandbox.npm(["run", "move-teams", "--", SHARD, "--yes"], { allowFailure: true });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("after the move the previews would do more than move state:");
    expect(refused.stderr).toContain("The teams were moved back; no object was touched.");
    expect(refused.stderr).toMatch(new RegExp(`\\n  ${SHARD}: delete \\S+:Namespace::${MOVING[0].name}-${MOVING[0].name}(\\n|$)`));
    // Two state moves into and out of a shard never deployed: its secrets manager is still the one `stack init` stored.
    expect(initialised.state.salt).toMatch(/^v1:/);
    expect(await secretsManager()).toEqual(initialised);
    expect(await teamsInState(STACK)).toEqual([...STAYING, ...MOVING].map((t) => t.name).sort());
    expect(await teamsInState(SHARD)).toEqual([]);
    expect(await teamObjects()).toEqual(before);
  });

  step("a move whose preview fails (a quota the environment's defaults refuse) is undone too", 10 * MINUTE, async () => {
    const before = await teamObjects();
    writeShard([{ ...MOVING[0], quota: { limitsMemory: "64Mi" } }]);
    sandbox.commit("a move with a quota below the environment's default limits");

    const refused = await sandbox.npm(["run", "move-teams", "--", SHARD, "--yes"], { allowFailure: true });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the preview of ${SHARD} failed`);
    expect(refused.stderr).toContain("platform:teams[0].quota.limitsMemory");
    expect(refused.stderr).toContain("The teams were moved back; no object was touched.");
    expect(await teamsInState(STACK)).toEqual([...STAYING, ...MOVING].map((t) => t.name).sort());
    expect(await teamsInState(SHARD)).toEqual([]);
    expect(await teamObjects()).toEqual(before);
  });

  step("teams move into the shard with every object kept: same UIDs, then no change in either stack", 10 * MINUTE, async () => {
    const before = await teamObjects();
    expect(Object.keys(before)).toHaveLength(6 * 7);
    writeShard(MOVING);
    sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:teams"], doc.createNode(STAYING)));
    sandbox.commit("three teams move into local-tenancy-1");

    // Deployed before the move, the environment's update would delete the moved teams' namespaces: its plan is refused.
    const plan = await sandbox.npm(["run", "--silent", "deploy-plan", "--", "save", STACK, path.join(sandbox.root, "plan")], {
      allowFailure: true,
    });
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(
      `the update would delete teams another stack of local lists: ${MOVING.map((t) => t.name).join(", ")} (Pulumi.${SHARD}.yaml).`,
    );
    expect(plan.stderr).toContain(`npm run move-teams -- ${SHARD} --from ${STACK} --yes`);

    const moved = await sandbox.npm(["run", "move-teams", "--", SHARD, "--yes"]);
    expect(moved.stdout).toContain(`Moving 3 team(s) from ${STACK} to ${SHARD}: ${MOVING.map((t) => t.name).join(", ")}`);
    expect(await teamObjects()).toEqual(before);
    expect(await teamsInState(STACK)).toEqual(STAYING.map((t) => t.name).sort());
    expect(await teamsInState(SHARD)).toEqual(MOVING.map((t) => t.name).sort());
    await noChanges(STACK);
    await noChanges(SHARD);
    expect(await secretsManager()).toEqual(initialised);

    // What the shard reads of its environment: the kubeconfig is published encrypted in the state.
    const environmentState = JSON.parse((await sandbox.pulumi(["stack", "export", "--stack", STACK])).stdout).deployment;
    const published = environmentState.resources.find((r: { type: string }) => r.type === "pulumi:pulumi:Stack").outputs;
    expect(Object.keys(published.kubeconfig)).toContain("ciphertext");
    expect(published.tenancy.environment).toBe(STACK);
  });

  step("a team added to the shard is the shard's update alone; deployed, the shard's plan changes nothing", 10 * MINUTE, async () => {
    const added = syntheticTeam(6);
    writeShard([...MOVING, added]);
    sandbox.commit("a team added to the shard");
    expect(await planChanges("with-team")).toBe("true");
    const update = await sandbox.pulumi(["up", "--yes", "--skip-preview", "--stack", SHARD]);
    expect(update.stdout).toMatch(/\+ 8 created/);
    expect((await sandbox.kubectlJson(["get", "namespace", added.name])).metadata.labels[TEAM_LABEL]).toBe(added.name);
    await noChanges(STACK);
    // Deployed, the shard's plan (its environment's outputs read again) changes nothing: CI skips its update.
    expect(await planChanges("deployed")).toBe("false");
  });

  step("a team moves back from the shard: both stacks' plans are refused until its state moves too (--from)", 10 * MINUTE, async () => {
    const returning = syntheticTeam(6);
    const before = await teamObjects();
    writeShard(MOVING);
    sandbox.editStackConfig((doc) => doc.setIn(["config", "platform:teams"], doc.createNode([...STAYING, returning])));
    sandbox.commit("a team moves back into the environment's stack");

    const plan = await sandbox.npm(["run", "--silent", "deploy-plan", "--", "save", SHARD, path.join(sandbox.root, "shard-plan")], {
      allowFailure: true,
    });
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain(`the update would delete teams another stack of local lists: ${returning.name} (Pulumi.${STACK}.yaml).`);
    expect(plan.stderr).toContain(`npm run move-teams -- ${STACK} --from ${SHARD} --yes`);
    // The environment's stack deploys first: its plan, which would create the team the shard still holds, is refused as well.
    const environmentPlan = await sandbox.npm(
      ["run", "--silent", "deploy-plan", "--", "save", STACK, path.join(sandbox.root, "environment-plan")],
      { allowFailure: true },
    );
    expect(environmentPlan.code).toBe(2);
    expect(environmentPlan.stderr).toContain(
      `the update would create teams another stack of local still holds: ${returning.name} (in ${SHARD}'s state).`,
    );

    const moved = await sandbox.npm(["run", "move-teams", "--", STACK, "--from", SHARD, "--yes"]);
    expect(moved.stdout).toContain(`Moving 1 team(s) from ${SHARD} to ${STACK}: ${returning.name}`);
    expect(await teamObjects()).toEqual(before);
    expect(await teamsInState(STACK)).toEqual([...STAYING, returning].map((t) => t.name).sort());
    expect(await teamsInState(SHARD)).toEqual(MOVING.map((t) => t.name).sort());
    await noChanges(STACK);
    await noChanges(SHARD);
  });

  step("a team's isolation policy moves from the guardrails into the team with the same object (the alias)", 10 * MINUTE, async () => {
    await sandbox.kubectl(["apply", "-f", sandbox.writeFile("cluster-network-policy-crd.json", CLUSTER_NETWORK_POLICY_CRD)]);
    await sandbox.kubectl(["wait", "--for", "condition=Established", "--timeout", "60s", `crd/${CNP_CRD}`]);
    const cwd = path.join(sandbox.projectDir, "test/e2e/fixtures/isolation-alias");
    const fixture = (...args: string[]) => sandbox.pulumi([...args, "--stack", "alias"], { cwd });
    await sandbox.pulumi(["stack", "init", "alias", "--secrets-provider", "passphrase"], { cwd });
    await fixture("config", "set", "test:kubeconfig", sandbox.kubeconfig);
    await fixture("config", "set", "test:layout", "before");
    await fixture("up", "--yes", "--skip-preview");
    const policy = async () => (await sandbox.kubectlJson(["get", CNP_CRD, "team-isolated-isolation"])).metadata.uid as string;
    const policyUrns = async () =>
      (JSON.parse((await fixture("stack", "export")).stdout).deployment.resources as { urn: string }[])
        .map((r) => r.urn.split("::").slice(2).join("::"))
        .filter((urn) => urn.includes("ClusterNetworkPolicy"));
    const uid = await policy();
    expect(await policyUrns()).toEqual([
      "platform:tenancy:TenancyGuardrails$kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy::tenancy-guardrails-isolate-isolated",
    ]);

    await fixture("config", "set", "test:layout", "after");
    // Without the alias: a create under the team and a delete under the guardrails, which would delete the object.
    const preview = JSON.parse((await fixture("preview", "--json")).stdout) as {
      steps: { op: string }[];
      changeSummary: Record<string, number>;
    };
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
    expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
    const moved = "platform:tenancy:Team$kubernetes:policy.networking.k8s.io/v1alpha2:ClusterNetworkPolicy::isolated-isolation";
    await fixture("up", "--yes", "--skip-preview");
    expect(await policy()).toBe(uid);
    expect(await policyUrns()).toEqual([moved]);
    await fixture("preview", "--expect-no-changes");
  });
});
