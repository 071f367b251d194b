/**
 * The drift check's verdicts (scripts/drift/check.ts) with a fake CLI: a clean stack, a change made outside Pulumi
 * (drift), and a check that could not run (an error, never taken for drift or for clean). The real engine's side, as
 * the preview role on a stack with every chart, is test/e2e/pipeline-identities.test.ts.
 */
import { checkDrift, excludeArgs } from "../../scripts/drift/check";

const QUOTA = "urn:pulumi:prod::k8s-platform::platform:tenancy:Team$kubernetes:core/v1:ResourceQuota::alpha-alpha-quota";
const exported = JSON.stringify({
  deployment: {
    resources: [
      { type: "kubernetes:core/v1:Secret" },
      { type: "kubernetes:core/v1:Secret" },
      { type: "kubernetes:helm.sh/v3:Release" },
      { type: "kubernetes:core/v1:ResourceQuota" },
    ],
  },
});

function fakeCli(preview: { code: number; stdout: string }) {
  const calls: string[][] = [];
  return {
    calls,
    deps: {
      pulumi: async (args: string[]) => {
        calls.push(args);
        return args[0] === "stack" ? { code: 0, stdout: exported, stderr: "" } : { stderr: "", ...preview };
      },
    },
  };
}

const policy = ["--policy-pack", "policy", "--policy-pack-config", "policy/config/prod.json"];

test("it refreshes and previews the stack as JSON, leaving out Secrets, secret versions and Helm releases", async () => {
  const { deps, calls } = fakeCli({ code: 0, stdout: JSON.stringify({ steps: [{ op: "same", urn: QUOTA }] }) });
  await checkDrift("prod", policy, deps);
  expect(calls[1]).toEqual(["preview", "--stack", "prod", "--refresh", "--json", ...excludeArgs(), ...policy]);
  expect(excludeArgs()).toEqual([
    "--exclude",
    "**kubernetes:core/v1:Secret::**",
    "--exclude",
    "**aws:secretsmanager/secretVersion:SecretVersion::**",
    "--exclude",
    "**kubernetes:helm.sh/v3:Release::**",
  ]);
});

test("no change: clean (each resource refreshed, none to change), and the report says what was not checked and why", async () => {
  const { deps } = fakeCli({
    code: 0,
    stdout: JSON.stringify({
      steps: [
        { op: "refresh", urn: QUOTA },
        { op: "same", urn: QUOTA },
      ],
    }),
  });
  const result = await checkDrift("prod", policy, deps);
  expect(result.status).toBe("clean");
  expect(result.report).toContain("No drift: prod matches the program it runs.");
  expect(result.report).toContain("2 Kubernetes Secrets: the preview role reads no Secret");
  expect(result.report).toContain("1 Helm releases: Helm keeps a release's record in Secrets of its namespace");
});

test("a change made outside Pulumi is drift, with the object and the properties that differ", async () => {
  const step = { op: "update", urn: QUOTA, detailedDiff: { "spec.hard.pods": { kind: "update" } } };
  const { deps } = fakeCli({ code: 0, stdout: JSON.stringify({ steps: [{ op: "refresh", urn: QUOTA }, step] }) });
  const result = await checkDrift("prod", policy, deps);
  expect(result.status).toBe("drift");
  expect(result.report).toContain("Drift on prod: 1 resource(s) differ from the program it runs");
  expect(result.report).toContain("  update kubernetes:core/v1:ResourceQuota::alpha-alpha-quota: spec.hard.pods");
});

test("a check that cannot read something fails as an error, with the engine's message, never as drift or clean", async () => {
  const diagnostics = [
    { urn: QUOTA, severity: "error", message: 'resourcequotas "team-quota" is forbidden: User "x" cannot get resource' },
  ];
  const { deps } = fakeCli({ code: 255, stdout: JSON.stringify({ diagnostics }) });
  const result = await checkDrift("prod", policy, deps);
  expect(result.status).toBe("failed");
  expect(result.report).toContain("The drift check of prod could not run (pulumi preview exited with 255)");
  expect(result.report).toContain('kubernetes:core/v1:ResourceQuota::alpha-alpha-quota: resourcequotas "team-quota" is forbidden');
  const unparsable = await checkDrift("prod", policy, fakeCli({ code: 1, stdout: "error: failed to load checkpoint" }).deps);
  expect(unparsable.status).toBe("failed");
});

test("a refresh step reads a resource and changes nothing: a clean `preview --refresh` is no drift", async () => {
  const steps = [
    { op: "refresh", urn: QUOTA },
    { op: "same", urn: QUOTA },
  ];
  const result = await checkDrift("prod", policy, fakeCli({ code: 0, stdout: JSON.stringify({ steps }) }).deps);
  expect(result.status).toBe("clean");
});

describe("a field changed with kubectl, which the server-side apply of the preview conflicts with", () => {
  const conflict = (message: string) => ({
    urn: QUOTA,
    severity: "error",
    message: `error: Preview failed: 1 error occurred:\n\t* ${message}`,
  });
  const ssa =
    'the Kubernetes API server reported that "alpha/team-quota" failed to fully initialize or become live: Server-Side Apply field conflict detected. ' +
    "See https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/ for troubleshooting help.\n" +
    'The resource managed by field manager "pulumi-kubernetes-e0f4e3fa" had an apply conflict: Apply failed with ';
  const cancelled = {
    urn: "urn:pulumi:prod::k8s-platform::kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::x",
    severity: "error",
    message: "failed to run policy: context canceled",
  };

  test("is drift, naming the fields and who changed them, however many", async () => {
    const diagnostics = [
      conflict(`${ssa}1 conflict: conflict with "kubectl-patch" using v1: .spec.hard.pods`),
      cancelled,
      conflict(`${ssa}2 conflicts: conflicts with "kubectl-edit" using v1:\n- .spec.hard.services\n- .spec.hard.secrets`),
    ];
    const result = await checkDrift("prod", policy, fakeCli({ code: 255, stdout: JSON.stringify({ diagnostics }) }).deps);
    expect(result.status).toBe("drift");
    expect(result.report).toContain("Drift on prod: 2 resource(s) have fields another field manager changed outside Pulumi");
    expect(result.report).toContain(
      "  update kubernetes:core/v1:ResourceQuota::alpha-alpha-quota: .spec.hard.pods (changed by kubectl-patch)",
    );
    expect(result.report).toContain(
      "  update kubernetes:core/v1:ResourceQuota::alpha-alpha-quota: .spec.hard.services, .spec.hard.secrets (changed by kubectl-edit)",
    );
  });

  test("but with any other error beside it, the check could not run", async () => {
    const other = { urn: QUOTA, severity: "error", message: 'resourcequotas "team-quota" is forbidden' };
    const diagnostics = [conflict(`${ssa}1 conflict: conflict with "kubectl-patch" using v1: .spec.hard.pods`), other];
    const result = await checkDrift("prod", policy, fakeCli({ code: 255, stdout: JSON.stringify({ diagnostics }) }).deps);
    expect(result.status).toBe("failed");
  });
});
