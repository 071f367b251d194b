/**
 * Teams' CI (components/ci-runners/team-access.ts, components/tenancy/team.ts): each team that lists repositories
 * gets, in each workload environment, a role only those repositories' jobs in that GitHub environment assume, with
 * no IAM permission, in the team's own Kubernetes group, which only the team's namespaces bind, in whichever stack
 * carries the team.
 */
import { GITHUB_OIDC_AUDIENCE as BOOTSTRAP_AUDIENCE, GITHUB_OIDC_HOST as BOOTSTRAP_HOST } from "../../bootstrap/trust-policies";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../../components/ci-runners/github-oidc";
import { TeamConfig, teamNamespaces } from "../../config/sections/tenancy";
import { violationsOf } from "../config-errors";
import { readStackConfig, RecordedResource, runStack, StackRun } from "../../mock-engine";

const ENVIRONMENTS = ["e2e", "stage", "prod"] as const;
const ROLE = "aws:iam/role:Role";
const ENTRY = "aws:eks/accessEntry:AccessEntry";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const teamsOf = (stack: string) => readStackConfig(stack)["platform:teams"] as TeamConfig[];

const runs = {} as Record<(typeof ENVIRONMENTS)[number], StackRun>;
beforeAll(async () => {
  for (const env of ENVIRONMENTS) runs[env] = await runStack(env);
}, 180_000);

/** The resources declared inside the component whose URN is `urn`, at any depth. */
const within = (run: StackRun, urn: string): RecordedResource[] =>
  run.resources.filter((r) => r.parent === urn).flatMap((r) => [r, ...within(run, r.urn)]);

test("the committed environments give some teams CI and leave others without", () => {
  for (const env of ENVIRONMENTS) {
    expect(teamsOf(env).some((t) => t.ci)).toBe(true);
  }
  expect(teamsOf("prod").some((t) => !t.ci)).toBe(true);
});

describe.each(ENVIRONMENTS)("%s", (env) => {
  const run = () => runs[env];
  const { accountId } = readStackConfig(env)["platform:aws"];

  test.each(teamsOf(env).filter((t) => t.ci))(
    "team $name: a role its repositories' jobs in the GitHub environment assume, and nothing else",
    (team) => {
      const component = run().one("platform:ci-runners:TeamCiAccess", `${team.name}-ci`);
      // A child of its Team, so that it moves with the team between an environment's stack and its shards.
      expect(run().byUrn(component.parent!)).toMatchObject({ type: "platform:tenancy:Team", name: team.name });
      const children = within(run(), component.urn);
      const role = children.find((r) => r.type === ROLE)!;
      expect(role.inputs.name).toBe(`${env}-ci-${team.name}`);
      expect(role.inputs.permissionsBoundary).toMatch(new RegExp(`^arn:aws:iam::${accountId}:policy/`));
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
        {
          Sid: "GitHubActionsJobs",
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": team.ci!.repositories.map((r) => `repo:${r}:environment:${env}`),
            },
          },
        },
      ]);
      // One IAM permission, what `aws eks update-kubeconfig` needs of its own cluster; the rest is its access entry's.
      const roleName = role.inputs.name;
      const grants = run()
        .resources.filter((r) => r.type.startsWith("aws:iam/rolePolicy") || r.type === "aws:iam/policyAttachment:PolicyAttachment")
        .filter((r) => JSON.stringify(r.inputs).includes(roleName) || r.parent === component.urn);
      const { region } = readStackConfig(env)["platform:aws"];
      expect(grants.map((r) => ({ type: r.type, policy: JSON.parse(r.inputs.policy).Statement }))).toEqual([
        {
          type: "aws:iam/rolePolicy:RolePolicy",
          policy: [{ Effect: "Allow", Action: "eks:DescribeCluster", Resource: `arn:aws:eks:${region}:${accountId}:cluster/${env}-eks` }],
        },
      ]);
      expect(children.map((r) => r.type).sort()).toEqual([ENTRY, ROLE, POLICY]);

      const entry = children.find((r) => r.type === ENTRY)!;
      expect(entry.inputs).toMatchObject({ type: "STANDARD", kubernetesGroups: [`platform:ci:${team.name}`] });
      expect(entry.provider).toMatch(/::team-ci::/);
      expect(
        run()
          .ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
          .filter((a) => a.parent === component.urn),
      ).toEqual([]);
    },
  );

  test("each CI group is bound to developer in its own team's namespaces, and in no other", () => {
    const bindings = run()
      .ofType(BINDING)
      .filter((b) => b.inputs.metadata.name === "team-ci-deploy")
      .map((b) => b.inputs);
    const expected = teamsOf(env)
      .filter((t) => t.ci)
      .flatMap((t) => teamNamespaces(t).map((namespace) => ({ namespace, group: `platform:ci:${t.name}` })));
    expect(bindings.map((b) => ({ namespace: b.metadata.namespace, group: b.subjects[0].name }))).toEqual(expected);
    for (const binding of bindings) {
      expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "developer" });
      expect(binding.subjects).toHaveLength(1);
    }
    // No binding anywhere names another team's CI group, nor a group every team's CI would share.
    const ciSubjects = run()
      .resources.filter((r) => r.type.includes("RoleBinding"))
      .flatMap((b) => (b.inputs.subjects ?? []).map((s: { name: string }) => ({ namespace: b.inputs.metadata.namespace, name: s.name })))
      .filter((s) => s.name.startsWith("platform:ci"));
    expect(ciSubjects).toEqual(expected.map(({ namespace, group }) => ({ namespace, name: group })));
  });

  test("a team without CI gets no role, no access entry and no CI binding", () => {
    const without = teamsOf(env).filter((t) => !t.ci);
    for (const team of without) {
      expect(run().resources.filter((r) => r.name === `${team.name}-ci`)).toEqual([]);
    }
    const roles = run()
      .ofType(ROLE)
      .map((r) => r.inputs.name);
    expect(roles.filter((name) => name.startsWith(`${env}-ci-`)).sort()).toEqual(
      teamsOf(env)
        .filter((t) => t.ci)
        .map((t) => `${env}-ci-${t.name}`)
        .sort(),
    );
  });

  test("publishes where its teams' CI roles go, for its tenancy shards", () => {
    const { region } = readStackConfig(env)["platform:aws"];
    expect(run().outputs.tenancy.teamCi).toMatchObject({ partition: "aws", region, accountId, clusterName: expect.any(String) });
  });
});

test("the GitHub OIDC provider trusted is the one the bootstrap creates in every account", () => {
  expect([GITHUB_OIDC_HOST, GITHUB_OIDC_AUDIENCE]).toEqual([BOOTSTRAP_HOST, BOOTSTRAP_AUDIENCE]);
});

describe("a team in a tenancy shard", () => {
  const gamma = {
    name: "gamma",
    owner: "gamma@example.com",
    costCentre: "cc-9900-gamma",
    groups: { developers: ["team-gamma"] },
    ci: { repositories: ["example@1000001/gamma@2000901"] },
  };
  const shardRun = (teams: object[], environmentOutputs: Record<string, unknown>, shard = "prod-tenancy-1") =>
    runStack(shard, { configure: (c) => (c["platform:teams"] = teams), stackOutputs: { [shard.split("-")[0]]: environmentOutputs } });
  /** A team's objects, by name: the Team and everything declared inside it. */
  const namesOf = (run: StackRun, team: string) => {
    const component = run.one("platform:tenancy:Team", team);
    return [component, ...within(run, component.urn)].map((r) => `${r.type} ${r.name}`).sort();
  };

  test("deploys its CI role and access entry as the environment's stack would, through a provider configured alike", async () => {
    const shard = await shardRun([gamma], runs.prod.outputs);
    const inEnvironment = await runStack("prod", { configure: (c) => c["platform:teams"].push(gamma) });
    const ciOf = (run: StackRun) =>
      within(run, run.one("platform:ci-runners:TeamCiAccess", "gamma-ci").urn)
        .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }))
        .sort((a, b) => a.name.localeCompare(b.name));
    expect(ciOf(shard).length).toBe(3);
    expect(ciOf(shard)).toEqual(ciOf(inEnvironment));
    expect(namesOf(shard, "gamma")).toEqual(namesOf(inEnvironment, "gamma"));
    // Equal inputs: `pulumi state move` keeps the destination's provider instead of copying the source's.
    const provider = (run: StackRun) => run.one("pulumi:providers:aws", "team-ci").inputs;
    expect(provider(shard)).toEqual(provider(inEnvironment));
    expect(provider(shard)).toMatchObject({ region: "eu-west-1", allowedAccountIds: JSON.stringify(["111111111111"]) });
  });

  test("a shard's team without CI registers nothing of AWS but its certificate", async () => {
    const shard = await shardRun([{ ...gamma, ci: undefined }], runs.prod.outputs);
    const ofAws = shard.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws");
    expect(ofAws.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      "aws:acm/certificate:Certificate gamma-tls-certificate",
      "aws:acm/certificateValidation:CertificateValidation gamma-tls-certificate",
      "aws:route53/record:Record gamma-tls-certificate-validation",
      "pulumi:providers:aws team-tls",
    ]);
  });

  test("CI in a shard of an environment without a target for it is a config error, before anything is registered", async () => {
    const local = await runStack("local");
    const error = await shardRun([gamma], local.outputs, "local-tenancy-1").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain(
      `platform:teams[0].ci = {"repositories":["example@1000001/gamma@2000901"]}: expected no ci section: local has no account and cluster for teams' CI roles`,
    );
    expect(error).toHaveProperty("resourcesRegistered", 1);
  });
});

describe("config errors", () => {
  const ci = { repositories: ["example@1000001/alpha@2000001"] };
  const firstTeam = (edit: (team: any) => void) => (c: Record<string, any>) => edit(c["platform:teams"][0]);

  test("a repository named without its immutable ids", async () => {
    expect(
      await violationsOf(
        "prod",
        firstTeam((t) => (t.ci.repositories = ["example/payments-api"])),
      ),
    ).toEqual([
      expect.stringMatching(
        /^ {2}platform:teams\[0\]\.ci\.repositories\[0\] = "example\/payments-api": expected <owner>@<owner id>\/<repository>@<repository id>/,
      ),
    ]);
  });

  test("CI on an existing cluster or on the hub", async () => {
    const expected = (stack: string) =>
      `  platform:teams[0].ci = {"repositories":["example@1000001/alpha@2000001"]}: expected no ci section in ${stack}: teams' CI roles are EKS access entries of e2e, stage, prod`;
    expect(
      await violationsOf(
        "local",
        firstTeam((t) => (t.ci = ci)),
      ),
    ).toEqual([expected("local")]);
    const team = { name: "alpha", owner: "alpha@example.com", costCentre: "cc-1", groups: { developers: ["team-alpha"] }, ci };
    expect(await violationsOf("admin", (c) => (c["platform:teams"] = [team]))).toEqual([expected("admin")]);
  });

  test("a team whose CI role name would not fit IAM", async () => {
    const name = "a".repeat(60);
    const lines = await violationsOf(
      "prod",
      firstTeam((t) => (t.name = name)),
    );
    // Its certificate's name is too long as well (team-certificates.test.ts): each limit is named.
    expect(lines).toContain(
      `  platform:teams[0].name = "${name}": expected a name of at most 56 characters for a team with ci: its CI role prod-ci-${name} is longer than IAM's 64`,
    );
  });
});
