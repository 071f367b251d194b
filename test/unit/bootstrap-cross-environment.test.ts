/**
 * No secret of one environment readable by another's roles. A spoke reads what admin publishes for it
 * (stacks/hub-outputs.ts: one JSON object in the state bucket, without secrets), never admin's state: evaluated
 * here through every policy on the way, as the bootstrap writes them (test/iam-evaluator.ts): the spoke's own IAM
 * policies and boundary, the state bucket's policy, the key of the bucket (used through S3) and admin's secrets key.
 */
import { ACCOUNTS, BootstrapRun, Env, HUB_OUTPUTS, runBootstrap, STATE_BUCKET } from "../bootstrap-harness";
import { ALLOW_ALL, decide, Decision } from "../iam-evaluator";

const SPOKES = ["e2e", "stage", "prod"] as const;
const ADMIN_CHECKPOINTS = ["admin.json", "admin.json.gz", "admin.json.bak"].map(
  (file) => `${STATE_BUCKET}/.pulumi/stacks/k8s-platform/${file}`,
);
const STATE_KEY = "arn:aws:kms:eu-west-1:444444444444:key/state-key-id";
const ADMIN_SECRETS_KEY = "arn:aws:kms:eu-west-1:444444444444:key/admin-secrets-key-id";
/** ReadOnlyAccess, for what it grants of S3 and KMS. */
const READ_ONLY = {
  Version: "2012-10-17" as const,
  Statement: [{ Sid: "ReadOnly", Effect: "Allow" as const, Action: ["s3:Get*", "s3:List*", "kms:Describe*", "kms:List*"], Resource: "*" }],
};

let runs: Record<Env, BootstrapRun>;
beforeAll(async () => {
  runs = {} as Record<Env, BootstrapRun>;
  for (const env of Object.keys(ACCOUNTS) as Env[]) runs[env] = await runBootstrap(env);
}, 120_000);

/** A spoke's role as IAM sees it: its identity policies and, for the deploy role, its boundary. */
function spokeRole(env: (typeof SPOKES)[number], role: "deploy" | "preview") {
  const run = runs[env];
  const principalArn = `arn:aws:iam::${ACCOUNTS[env]}:role/platform-${role === "deploy" ? "deployer" : "previewer"}`;
  const policies =
    role === "deploy"
      ? { identity: [ALLOW_ALL], boundary: run.policy("aws:iam/policy:Policy", `${env}-deploy-boundary`) }
      : {
          identity: [
            READ_ONLY,
            run.policy("aws:iam/rolePolicy:RolePolicy", `${env}-preview-no-secret-reads`),
            run.policy("aws:iam/rolePolicy:RolePolicy", `${env}-preview-state`),
          ],
        };
  return { principalArn, policies };
}

/** An object of the state bucket: the bucket policy and, since the bucket is SSE-KMS, a decrypt of its key through S3. */
function readObject(env: (typeof SPOKES)[number], role: "deploy" | "preview", object: string): Decision {
  const { principalArn, policies } = spokeRole(env, role);
  const get = decide(
    { principalArn, action: "s3:GetObject", resource: object },
    { ...policies, resourcePolicy: runs.admin.policy("aws:s3/bucketPolicy:BucketPolicy", "state-policy"), resourceAccount: ACCOUNTS.admin },
  );
  const decrypt = decide(
    { principalArn, action: "kms:Decrypt", resource: STATE_KEY, context: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
    {
      ...policies,
      resourcePolicy: runs.admin.policy("aws:kms/key:Key", "state-key"),
      resourceAccount: ACCOUNTS.admin,
      resourcePolicyRequired: true,
    },
  );
  return get !== "allowed" ? get : decrypt;
}

function decryptWithAdminsKey(env: (typeof SPOKES)[number], role: "deploy" | "preview"): Decision {
  const { principalArn, policies } = spokeRole(env, role);
  return decide(
    { principalArn, action: "kms:Decrypt", resource: ADMIN_SECRETS_KEY },
    {
      ...policies,
      resourcePolicy: runs.admin.policy("aws:kms/key:Key", "admin-secrets-key"),
      resourceAccount: ACCOUNTS.admin,
      resourcePolicyRequired: true,
    },
  );
}

describe.each(SPOKES)("%s", (env) => {
  test.each(["deploy", "preview"] as const)("its %s role reads what admin publishes for it", (role) => {
    expect(readObject(env, role, HUB_OUTPUTS)).toBe("allowed");
  });

  test.each(["deploy", "preview"] as const)("its %s role cannot read admin's checkpoint, in any of its forms", (role) => {
    for (const checkpoint of ADMIN_CHECKPOINTS)
      expect([checkpoint, readObject(env, role, checkpoint)]).toEqual([checkpoint, "not allowed"]);
  });

  test.each(["deploy", "preview"] as const)("its %s role cannot decrypt with admin's secrets key", (role) => {
    expect(decryptWithAdminsKey(env, role)).toBe("not allowed");
  });

  test("no other spoke's secrets key lets it in either", () => {
    for (const other of SPOKES.filter((s) => s !== env)) {
      for (const role of ["deploy", "preview"] as const) {
        const { principalArn, policies } = spokeRole(env, role);
        const decision = decide(
          { principalArn, action: "kms:Decrypt", resource: `arn:aws:kms:eu-west-1:${ACCOUNTS[other]}:key/${other}-secrets-key-id` },
          {
            ...policies,
            resourcePolicy: runs[other].policy("aws:kms/key:Key", `${other}-secrets-key`),
            resourceAccount: ACCOUNTS[other],
            resourcePolicyRequired: true,
          },
        );
        expect([other, role, decision]).toEqual([other, role, "not allowed"]);
      }
    }
  });
});

test("admin's own roles still read and decrypt admin's state", () => {
  const adminKey = runs.admin.policy("aws:kms/key:Key", "admin-secrets-key");
  for (const role of ["platform-deployer", "platform-previewer"]) {
    const decision = decide(
      { principalArn: `arn:aws:iam::444444444444:role/${role}`, action: "kms:Decrypt", resource: ADMIN_SECRETS_KEY },
      { identity: [ALLOW_ALL], resourcePolicy: adminKey, resourceAccount: ACCOUNTS.admin, resourcePolicyRequired: true },
    );
    expect([role, decision]).toEqual([role, "allowed"]);
  }
});
