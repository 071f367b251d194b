/**
 * The bootstrap (bootstrap/) under mocks, with the platform's real stack files: what each account gets, and,
 * by evaluating the generated policies (test/iam-evaluator.ts), who can then do what.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ACCOUNTS, BootstrapRun, deployRole, Env, ENVS, previewRole, runBootstrap, STATE_BUCKET } from "../bootstrap-harness";
import { ALLOW_ALL, decide } from "../iam-evaluator";

const ROLE = "aws:iam/role:Role";
const KEY = "aws:kms/key:Key";
const REPO = "example@1000001/k8s-platform@2000001";

let runs: Record<Env, BootstrapRun>;
beforeAll(async () => {
  runs = {} as Record<Env, BootstrapRun>;
  for (const env of ENVS) runs[env] = await runBootstrap(env);
}, 120_000);

describe("every account", () => {
  test.each(ENVS)("%s: the GitHub OIDC provider, for the STS audience", (env) => {
    const provider = runs[env].one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${env}-github-oidc`);
    expect(provider.inputs).toMatchObject({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] });
  });

  /** The one statement of a GitHub-trusted role: jobs of this repository whose token's subject is one of `subjects`. */
  const trustsGitHubJobs = (env: Env, subjects: string | string[]) => [
    {
      Sid: "GitHubActionsJobs",
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::${ACCOUNTS[env]}:oidc-provider/token.actions.githubusercontent.com` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": subjects,
        },
      },
    },
  ];

  /** Whether a GitHub Actions job whose token carries `sub` may assume the role. */
  const jobMayAssume = (env: Env, role: "deploy" | "preview", sub: string) =>
    decide(
      {
        principalArn: `arn:aws:iam::${ACCOUNTS[env]}:oidc-provider/token.actions.githubusercontent.com`,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: "*",
        context: { "token.actions.githubusercontent.com:sub": sub, "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      },
      {
        resourcePolicy: runs[env].policy(ROLE, `${env}-${role}-role`, "assumeRolePolicy"),
        resourceAccount: ACCOUNTS[env],
        webIdentity: true,
      },
    );

  test.each(ENVS)("%s: the deploy role is the platform file's, trusted only for jobs of its GitHub environment, for 2 h", (env) => {
    const role = runs[env].one(ROLE, `${env}-deploy-role`);
    expect(role.inputs).toMatchObject({ name: "platform-deployer", path: "/", maxSessionDuration: 7200 });
    expect(role.inputs.permissionsBoundary).toBe(`arn:aws:iam::${ACCOUNTS[env]}:policy/platform-deployer-boundary`);
    const trust = runs[env].policy(ROLE, `${env}-deploy-role`, "assumeRolePolicy");
    expect(trust.Statement).toEqual(trustsGitHubJobs(env, `repo:${REPO}:environment:${env}`));
    expect(jobMayAssume(env, "deploy", `repo:${REPO}:environment:${env}`)).toBe("allowed");
    for (const sub of [
      `repo:${REPO}:ref:refs/heads/main`,
      `repo:${REPO}:pull_request`,
      `repo:${REPO}:environment:preview-${env}`,
      `repo:other/${REPO}:environment:${env}`,
      // The same names, another holder: a renamed organisation's or a deleted repository's name taken again.
      `repo:example/k8s-platform:environment:${env}`,
      `repo:example@1000009/k8s-platform@2000009:environment:${env}`,
    ]) {
      expect([sub, jobMayAssume(env, "deploy", sub)]).toEqual([sub, "not allowed"]);
    }
    for (const other of ENVS.filter((e) => e !== env))
      expect(jobMayAssume(env, "deploy", `repo:${REPO}:environment:${other}`)).toBe("not allowed");
  });

  test.each(ENVS)(
    "%s: the preview role is trusted for jobs its preview environment's reviewers let run, and for main, with ReadOnlyAccess",
    (env) => {
      const trust = runs[env].policy(ROLE, `${env}-preview-role`, "assumeRolePolicy");
      expect(trust.Statement).toEqual(
        trustsGitHubJobs(env, [`repo:${REPO}:environment:preview-${env}`, `repo:${REPO}:ref:refs/heads/main`]),
      );
      // A pull request's preview and a release's plan (preview-<stack>, behind its reviewers); a merge's plan and drift (main).
      const admitted = [`repo:${REPO}:environment:preview-${env}`, `repo:${REPO}:ref:refs/heads/main`];
      for (const sub of admitted) expect([sub, jobMayAssume(env, "preview", sub)]).toEqual([sub, "allowed"]);
      const refused = [
        `repo:${REPO}:pull_request`, // a pull request's job outside the preview environment's approval
        `repo:${REPO}:ref:refs/heads/feature`,
        `repo:${REPO}:ref:refs/heads/main-copy`,
        `repo:${REPO}:environment:${env}`,
        ...ENVS.filter((e) => e !== env).map((other) => `repo:${REPO}:environment:preview-${other}`),
      ];
      for (const sub of refused) expect([sub, jobMayAssume(env, "preview", sub)]).toEqual([sub, "not allowed"]);
      expect(runs[env].one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${env}-preview-read-only`).inputs.policyArn).toBe(
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
      );
      expect(runs[env].one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${env}-deploy-administrator`).inputs.policyArn).toBe(
        "arn:aws:iam::aws:policy/AdministratorAccess",
      );
    },
  );

  // Whoever may push a tag can run any workflow of the tagged commit, outside every environment: its token's subject is
  // the tag's ref. No preview or deploy role of any environment takes it (a release's plan runs in preview-<stack>).
  test.each(ENVS)("%s: a job of a pushed tag can assume neither the preview nor the deploy role", (env) => {
    for (const tag of ["v1.4.0", "v*", "nightly", "refs/heads/main"]) {
      const sub = `repo:${REPO}:ref:refs/tags/${tag}`;
      expect([sub, jobMayAssume(env, "preview", sub)]).toEqual([sub, "not allowed"]);
      expect([sub, jobMayAssume(env, "deploy", sub)]).toEqual([sub, "not allowed"]);
    }
  });

  test.each(ENVS)(
    "%s: the secrets key is alias/pulumi-<stack>, rotated, protected: the one the platform stack file's secretsprovider names",
    (env) => {
      const key = runs[env].one(KEY, `${env}-secrets-key`);
      expect(key.inputs.enableKeyRotation).toBe(true);
      expect(key.protect).toBe(true);
      expect(runs[env].one("aws:kms/alias:Alias", `${env}-secrets-key-alias`).inputs.name).toBe(`alias/pulumi-${env}`);
      const stackFile = parse(fs.readFileSync(path.join(__dirname, "../..", `Pulumi.${env}.yaml`), "utf8"));
      expect(runs[env].outputs.secretsProvider).toBe(
        `awskms:///arn:aws:kms:eu-west-1:${ACCOUNTS[env]}:alias/pulumi-${env}?region=eu-west-1`,
      );
      expect(stackFile.secretsprovider).toBe(runs[env].outputs.secretsProvider);
    },
  );

  test.each(ENVS)("%s: every AWS resource uses the stack's provider, which accepts only the environment's account", (env) => {
    const provider = runs[env].one("pulumi:providers:aws", "aws");
    expect(JSON.parse(provider.inputs.allowedAccountIds)).toEqual([ACCOUNTS[env]]);
    expect(provider.inputs.profile).toBe(`platform-${env}`);
    const custom = runs[env].resources.filter((r) => r.type.startsWith("aws:"));
    expect(custom.every((r) => r.provider?.startsWith(`urn:pulumi:${env}::k8s-platform-bootstrap::pulumi:providers:aws::aws::`))).toBe(
      true,
    );
    // Each belongs to one of the components, so that the tree says what it is for.
    expect(custom.filter((r) => !/::platform:bootstrap:(DeployAccess|StateBackend|PublicZone)::/.test(r.parent ?? ""))).toEqual([]);
  });

  test("only admin creates the state backend; the spokes read its key's ARN from admin's bootstrap stack", () => {
    expect(runs.admin.resources.filter((r) => r.type === "platform:bootstrap:StateBackend")).toHaveLength(1);
    for (const env of ["e2e", "stage", "prod"] as const) {
      expect(runs[env].resources.filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
      expect(runs[env].one("pulumi:pulumi:StackReference", "organization/k8s-platform-bootstrap/admin")).toBeDefined();
      const [, keys] = runs[env].policy("aws:iam/rolePolicy:RolePolicy", `${env}-preview-state`).Statement;
      // Their own secrets key and the state bucket's; never admin's secrets key.
      expect(keys.Resource).toEqual([
        `arn:aws:kms:eu-west-1:${ACCOUNTS[env]}:key/${env}-secrets-key-id`,
        "arn:aws:kms:eu-west-1:444444444444:key/state-key-id",
      ]);
    }
  });
});

describe("the secrets keys", () => {
  const kms =
    (env: Env) =>
    (principalArn: string, action: string, identity = [ALLOW_ALL]) =>
      decide(
        { principalArn, action, resource: `arn:aws:kms:eu-west-1:${ACCOUNTS[env]}:key/${env}-secrets-key-id` },
        {
          identity,
          resourcePolicy: runs[env].policy(KEY, `${env}-secrets-key`),
          resourceAccount: ACCOUNTS[env],
          resourcePolicyRequired: true,
        },
      );

  test.each(ENVS)("%s: the deploy role encrypts and decrypts, the preview role decrypts, nobody else uses it", (env) => {
    const use = kms(env);
    expect(use(deployRole(env), "kms:Encrypt")).toBe("allowed");
    expect(use(deployRole(env), "kms:Decrypt")).toBe("allowed");
    expect(use(previewRole(env), "kms:Decrypt")).toBe("allowed");
    expect(use(previewRole(env), "kms:Encrypt")).toBe("not allowed");
    const administrator = `arn:aws:iam::${ACCOUNTS[env]}:role/infra-admin`;
    expect(use(administrator, "kms:Decrypt")).toBe("not allowed");
    expect(use(administrator, "kms:CreateGrant")).toBe("not allowed");
    expect(use(administrator, "kms:PutKeyPolicy")).toBe("allowed");
    for (const other of ENVS.filter((e) => e !== env && env !== "admin")) expect(use(deployRole(other), "kms:Decrypt")).toBe("not allowed");
  });

  test("admin's key is no spoke's: the spokes read what admin publishes, not its state (bootstrap-cross-environment.test.ts)", () => {
    const use = kms("admin");
    for (const spoke of ["e2e", "stage", "prod"] as const) {
      expect(use(deployRole(spoke), "kms:Decrypt")).toBe("not allowed");
      expect(use(previewRole(spoke), "kms:Decrypt")).toBe("not allowed");
    }
  });

  test("the deploy role's boundary keeps its key, roles, OIDC provider and boundary out of its reach", () => {
    for (const env of ENVS) {
      const boundary = runs[env].policy("aws:iam/policy:Policy", `${env}-deploy-boundary`);
      const may = (action: string, resource: string) =>
        decide({ principalArn: deployRole(env), action, resource }, { identity: [ALLOW_ALL], boundary, resourceAccount: ACCOUNTS[env] });
      const key = `arn:aws:kms:eu-west-1:${ACCOUNTS[env]}:key/${env}-secrets-key-id`;
      expect(may("kms:Decrypt", key)).toBe("allowed");
      expect(may("kms:PutKeyPolicy", key)).toBe("explicitly denied");
      expect(may("kms:ScheduleKeyDeletion", key)).toBe("explicitly denied");
      expect(may("iam:UpdateAssumeRolePolicy", deployRole(env))).toBe("explicitly denied");
      expect(may("iam:DeleteRolePermissionsBoundary", deployRole(env))).toBe("explicitly denied");
      expect(may("iam:AttachRolePolicy", previewRole(env))).toBe("explicitly denied");
      expect(may("iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNTS[env]}:policy/platform-deployer-boundary`)).toBe("explicitly denied");
      expect(
        may("iam:DeleteOpenIDConnectProvider", `arn:aws:iam::${ACCOUNTS[env]}:oidc-provider/token.actions.githubusercontent.com`),
      ).toBe("explicitly denied");
      expect(may("sts:AssumeRole", deployRole(env))).toBe("explicitly denied");
      expect(may("iam:CreateRole", `arn:aws:iam::${ACCOUNTS[env]}:role/${env}-eks-cluster`)).toBe("explicitly denied"); // no boundary: bootstrap-boundary.test.ts
      expect(may("eks:CreateCluster", "*")).toBe("allowed");
      expect(may("s3:PutBucketPolicy", STATE_BUCKET)).toBe(env === "admin" ? "explicitly denied" : "allowed");
    }
  });
});

describe("the preview role reads no secret data", () => {
  const readOnly = {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Sid: "ReadOnlyAccess",
        Effect: "Allow" as const,
        Action: ["s3:Get*", "s3:List*", "secretsmanager:*", "ssm:Get*", "logs:*", "ec2:Describe*", "ec2:Get*"],
        Resource: "*",
      },
    ],
  };
  const may = (env: Env, action: string, resource: string) =>
    decide(
      { principalArn: previewRole(env), action, resource },
      {
        identity: [
          readOnly,
          runs[env].policy("aws:iam/rolePolicy:RolePolicy", `${env}-preview-no-secret-reads`),
          runs[env].policy("aws:iam/rolePolicy:RolePolicy", `${env}-preview-state`),
        ],
        resourceAccount: ACCOUNTS[env],
      },
    );

  test.each(ENVS)("%s", (env) => {
    const account = ACCOUNTS[env];
    expect(may(env, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:eu-west-1:${account}:secret:x`)).toBe("explicitly denied");
    expect(may(env, "ssm:GetParameter", `arn:aws:ssm:eu-west-1:${account}:parameter/db`)).toBe("explicitly denied");
    expect(may(env, "logs:GetLogEvents", "*")).toBe("explicitly denied");
    expect(may(env, "ec2:GetPasswordData", "*")).toBe("explicitly denied");
    expect(may(env, "s3:GetObject", `arn:aws:s3:::${env}-velero/backups/x.tar.gz`)).toBe("explicitly denied");
    expect(may(env, "ec2:DescribeInstances", "*")).toBe("allowed");
    expect(may(env, "secretsmanager:DescribeSecret", "*")).toBe("allowed");
    expect(may(env, "s3:GetObject", `${STATE_BUCKET}/.pulumi/stacks/k8s-platform/${env}.json`)).toBe("allowed");
    expect(may(env, "sts:AssumeRole", deployRole(env))).toBe("not allowed");
  });
});

describe("the state bucket", () => {
  test("SSE-KMS with its own rotated, protected key, Bucket Keys, versioning, no public access, ACLs off", () => {
    const run = runs.admin;
    const stateKey = run.one(KEY, "state-key");
    expect(stateKey).toMatchObject({ protect: true, inputs: expect.objectContaining({ enableKeyRotation: true }) });
    expect(run.one("aws:s3/bucket:Bucket", "state-bucket")).toMatchObject({
      protect: true,
      inputs: expect.objectContaining({ bucket: "example-pulumi-state", forceDestroy: false }),
    });
    const [rule] = run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "state-encryption")
      .inputs.rules;
    expect(rule).toEqual({
      applyServerSideEncryptionByDefault: {
        sseAlgorithm: "aws:kms",
        kmsMasterKeyId: "arn:aws:kms:eu-west-1:444444444444:key/state-key-id",
      },
      bucketKeyEnabled: true,
    });
    expect(run.one("aws:s3/bucketVersioning:BucketVersioning", "state-versioning").inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
    expect(run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "state-public-access").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "state-ownership").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    expect(run.one("aws:s3/bucketObjectv2:BucketObjectv2", "state-store-version").inputs).toMatchObject({
      key: ".pulumi/meta.yaml",
      content: "version: 1\n",
    });
    expect(run.outputs).toMatchObject({ backendUrl: "s3://example-pulumi-state?region=eu-west-1", stateBucket: "example-pulumi-state" });
  });

  test("its key is used only through S3: by the admin account as IAM allows, by the spokes' deploy roles to write and preview roles to read", () => {
    const policy = runs.admin.policy(KEY, "state-key");
    const use = (principalArn: string, action: string, viaS3 = true) =>
      decide(
        {
          principalArn,
          action,
          resource: "arn:aws:kms:eu-west-1:444444444444:key/state-key-id",
          context: viaS3 ? { "kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": principalArn.split(":")[4] } : {},
        },
        {
          identity: [ALLOW_ALL],
          resourcePolicy: policy,
          resourceAccount: ACCOUNTS.admin,
          resourcePolicyRequired: true,
        },
      );
    expect(use(deployRole("prod"), "kms:GenerateDataKey")).toBe("allowed");
    expect(use(previewRole("prod"), "kms:Decrypt")).toBe("allowed");
    expect(use(previewRole("prod"), "kms:GenerateDataKey")).toBe("not allowed");
    expect(use("arn:aws:iam::111111111111:role/infra-admin", "kms:Decrypt")).toBe("not allowed");
    expect(use("arn:aws:iam::444444444444:role/infra-admin", "kms:Decrypt")).toBe("allowed");
    expect(use("arn:aws:iam::444444444444:role/infra-admin", "kms:Decrypt", false)).toBe("not allowed");
    expect(use(deployRole("prod"), "kms:Decrypt", false)).toBe("not allowed");
  });
});

describe("the public zone of each environment", () => {
  test.each(ENVS)("%s: <env>.<domain> of its platform stack file, protected, with the record the parent zone needs", (env) => {
    const domain = parse(fs.readFileSync(path.join(__dirname, "../..", `Pulumi.${env}.yaml`), "utf8")).config["platform:environment"]
      .domain;
    const zone = runs[env].one("aws:route53/zone:Zone", `${env}-zone`);
    expect(zone).toMatchObject({ protect: true, inputs: expect.objectContaining({ name: `${env}.${domain}`, forceDestroy: false }) });
    const { hostedZoneId, hostedZoneName, parentZoneDelegation } = runs[env].outputs;
    expect(hostedZoneName).toBe(`${env}.${domain}`);
    expect(hostedZoneId).toMatch(/^Z0/);
    const [change] = parentZoneDelegation.Changes;
    expect(change).toMatchObject({ Action: "UPSERT", ResourceRecordSet: { Name: `${env}.${domain}`, Type: "NS" } });
    expect(change.ResourceRecordSet.ResourceRecords).toHaveLength(4);
  });

  test("a stack file whose hostedZoneId is not the zone's is pointed out, naming the file, the key and the zone's id", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const run = await runBootstrap("stage");
      const lines = warn.mock.calls.map(([line]) => String(line));
      expect(lines).toContain(
        `warning: [runtime] Pulumi.stage.yaml has platform:environment.hostedZoneId = "Z0STAGE000000000000001", but the zone ` +
          `stage.platform.example.com is ${run.outputs.hostedZoneId}: set it to ${run.outputs.hostedZoneId} before deploying stage ` +
          `(docs/bootstrap.md, "The public zone")`,
      );
    } finally {
      warn.mockRestore();
    }
  });
});

describe("an operator's window onto the deploy role", () => {
  const until = () => new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");

  test("prints the AWS profile that assumes the deploy role from the operator's, one hour at a time, renewed by the SDKs", async () => {
    const run = await runBootstrap("prod", {
      configure: (config) =>
        (config["k8s-platform-bootstrap:operatorAccess"] = { principalArn: "arn:aws:iam::111111111111:role/infra-admin", until: until() }),
    });
    expect(run.outputs.operatorProfileName).toBe("platform-prod-deploy");
    expect(run.outputs.operatorProfile).toBe(
      [
        "[profile platform-prod-deploy]",
        "source_profile = platform-prod",
        `role_arn = ${deployRole("prod")}`,
        "role_session_name = prod-operator",
        "duration_seconds = 3600",
        "region = eu-west-1",
        "",
      ].join("\n"),
    );
  });

  test("and no profile while no window is open: the deploy role would refuse it", () => {
    for (const env of ENVS) expect(runs[env].outputs).not.toHaveProperty("operatorProfile");
  });
});
