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

test("no change: clean, and the report says what was not checked and why", async () => {
  const { deps } = fakeCli({ code: 0, stdout: JSON.stringify({ steps: [{ op: "same", urn: QUOTA }] }) });
  const result = await checkDrift("prod", policy, deps);
  expect(result.status).toBe("clean");
  expect(result.report).toContain("No drift: prod matches the program it runs.");
  expect(result.report).toContain("2 Kubernetes Secrets: the preview role reads no Secret");
  expect(result.report).toContain("1 Helm releases: Helm keeps a release's record in Secrets of its namespace");
});

test("a change made outside Pulumi is drift, with the object and the properties that differ", async () => {
  const step = { op: "update", urn: QUOTA, detailedDiff: { "spec.hard.pods": { kind: "update" } } };
  const { deps } = fakeCli({ code: 0, stdout: JSON.stringify({ steps: [step] }) });
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
