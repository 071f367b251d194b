/**
 * The state bucket's policy, as the admin bootstrap sends it, evaluated for every environment's roles against
 * every object key the Pulumi DIY backend uses for a stack (bootstrap/state-layout.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { HISTORY_CHECKS, stateBucketPolicy } from "../../bootstrap/bucket-policy";
import { ACCOUNTS, deployRole, ENVS, HUB_OUTPUTS, previewRole, runBootstrap, STATE_BUCKET } from "../bootstrap-harness";
import { ALLOW_ALL, decide, Decision } from "../iam-evaluator";

/**
 * The objects the CLI (v3.274.1, file backend, same layout as S3) wrote for a stack `prod` of project
 * `k8s-platform` in two updates and a `stack tag set`, plus the compressed checkpoints and the lock
 * (pkg/backend/diy/lock.go) that exist only while an update runs.
 */
const objectsOf = (env: string) =>
  [
    `stacks/k8s-platform/${env}.json`,
    `stacks/k8s-platform/${env}.json.bak`,
    `stacks/k8s-platform/${env}.json.gz`,
    `stacks/k8s-platform/${env}.json.zst.bak`,
    `stacks/k8s-platform/${env}.pulumi-tags`,
    `history/k8s-platform/${env}/${env}-1764643200123456789.history.json`,
    `history/k8s-platform/${env}/${env}-1764643200123456789.checkpoint.json`,
    `backups/k8s-platform/${env}/${env}.1764643200123456789.json`,
    `locks/organization/k8s-platform/${env}/0b9f3c2e-5d1a-4f7e-9a61-2c8d4e5f6a7b.json`,
  ].map((key) => `${STATE_BUCKET}/.pulumi/${key}`);
/** What ReadOnlyAccess allows of S3: reads. */
const READ_ONLY = {
  Version: "2012-10-17" as const,
  Statement: [{ Sid: "ReadOnly", Effect: "Allow" as const, Action: ["s3:Get*", "s3:List*"], Resource: "*" }],
};

let policy: any;
beforeAll(async () => {
  policy = (await runBootstrap("admin")).policy("aws:s3/bucketPolicy:BucketPolicy", "state-policy");
}, 60_000);

/** Even a role whose IAM allows everything (the deploy roles have AdministratorAccess) gets only what the bucket policy leaves. */
function s3(principalArn: string, action: string, resource: string, options: { tls?: boolean; identity?: any[] } = {}): Decision {
  return decide(
    { principalArn, action, resource, context: { "aws:SecureTransport": String(options.tls ?? true) } },
    { identity: options.identity ?? [ALLOW_ALL], resourcePolicy: policy, resourceAccount: ACCOUNTS.admin },
  );
}

/** An environment's own stack and two of its tenancy shards (config/tenancy-shards.ts). */
const stacksOf = (env: string) => [env, `${env}-tenancy-1`, `${env}-tenancy-12`];

describe.each(ENVS)("%s's deploy role", (env) => {
  test("writes and deletes every object of its own stack and of its shards: checkpoint, backup, tags, history, backups, locks", () => {
    for (const object of stacksOf(env).flatMap(objectsOf)) {
      expect([object, s3(deployRole(env), "s3:PutObject", object)]).toEqual([object, "allowed"]);
      expect([object, s3(deployRole(env), "s3:DeleteObject", object)]).toEqual([object, "allowed"]);
      expect([object, s3(deployRole(env), "s3:GetObject", object)]).toEqual([object, "allowed"]);
    }
  });

  test.each(ENVS.filter((other) => other !== env))("cannot write %s's state, nor its shards'", (other) => {
    for (const object of stacksOf(other).flatMap(objectsOf)) {
      expect([object, s3(deployRole(env), "s3:PutObject", object)]).toEqual([object, "explicitly denied"]);
      expect([object, s3(deployRole(env), "s3:DeleteObject", object)]).toEqual([object, "explicitly denied"]);
    }
  });

  test("writes nothing outside its stack: not meta.yaml, not the bootstrap's state, not another project", () => {
    for (const key of [
      ".pulumi/meta.yaml",
      ".pulumi/stacks/k8s-platform-bootstrap/admin.json",
      `.pulumi/stacks/other-project/${env}.json`,
      "anything.txt",
    ]) {
      expect(s3(deployRole(env), "s3:PutObject", `${STATE_BUCKET}/${key}`)).toBe("explicitly denied");
    }
  });

  test(env === "admin" ? "writes the outputs it publishes for the spokes" : "cannot write what admin publishes", () => {
    expect(s3(deployRole(env), "s3:PutObject", HUB_OUTPUTS)).toBe(env === "admin" ? "allowed" : "explicitly denied");
    expect(s3(previewRole(env), "s3:PutObject", HUB_OUTPUTS)).toBe("explicitly denied");
  });

  test("erases no old version, and nothing goes over plain HTTP", () => {
    const [checkpoint] = objectsOf(env);
    expect(s3(deployRole(env), "s3:DeleteObjectVersion", checkpoint)).toBe("explicitly denied");
    expect(s3(deployRole(env), "s3:GetObject", checkpoint, { tls: false })).toBe("explicitly denied");
    expect(s3(deployRole(env), "s3:PutObject", checkpoint, { tls: false })).toBe("explicitly denied");
  });
});

describe.each(ENVS)("%s's preview role", (env) => {
  const read = (object: string) => s3(previewRole(env), "s3:GetObject", object, { identity: [READ_ONLY] });

  test("reads its own stack and lists the bucket, writes nothing", () => {
    for (const object of objectsOf(env)) expect(read(object)).toBe("allowed");
    expect(s3(previewRole(env), "s3:ListBucket", STATE_BUCKET, { identity: [READ_ONLY] })).toBe("allowed");
    expect(read(`${STATE_BUCKET}/.pulumi/meta.yaml`)).toBe("allowed");
    for (const object of [...objectsOf(env), `${STATE_BUCKET}/.pulumi/meta.yaml`]) {
      expect(s3(previewRole(env), "s3:PutObject", object)).toBe("explicitly denied");
      expect(s3(previewRole(env), "s3:DeleteObject", object)).toBe("explicitly denied");
    }
  });

  test("reads what admin publishes for the spokes and nothing else of admin's: not its checkpoint, history, backups, locks or shards", () => {
    expect(read(HUB_OUTPUTS)).toBe("allowed");
    if (env === "admin") return;
    for (const object of [...objectsOf("admin"), ...objectsOf("admin-tenancy-1")]) {
      expect([object, read(object)]).toEqual([object, expect.stringMatching(/denied|not allowed/)]);
    }
  });

  test.each(ENVS.filter((other) => other !== env && other !== "admin"))(
    "reads nothing of %s's state but what a history check needs",
    (other) => {
      const checked = HISTORY_CHECKS.some((check) => check.reader === env && check.of === other);
      for (const object of objectsOf(other)) {
        const historyCheck = checked && (/\/stacks\/k8s-platform\/\w+\.json/.test(object) || object.endsWith(".history.json"));
        expect([object, read(object)]).toEqual([object, historyCheck ? "allowed" : expect.stringMatching(/denied|not allowed/)]);
      }
    },
  );
});

describe("the history checks of the workflows", () => {
  test("prod's plan may read stage's history entries and see its checkpoint; prod's deploy role may not", () => {
    expect(HISTORY_CHECKS).toEqual([{ reader: "prod", of: "stage" }]);
    const entry = `${STATE_BUCKET}/.pulumi/history/k8s-platform/stage/stage-1764643200123456789.history.json`;
    expect(s3(previewRole("prod"), "s3:GetObject", entry, { identity: [READ_ONLY] })).toBe("allowed");
    expect(
      s3(previewRole("prod"), "s3:GetObject", `${STATE_BUCKET}/.pulumi/stacks/k8s-platform/stage.json`, { identity: [READ_ONLY] }),
    ).toBe("allowed");
    expect(s3(previewRole("prod"), "s3:GetObject", entry.replace(".history.", ".checkpoint."), { identity: [READ_ONLY] })).toBe(
      "not allowed",
    );
    expect(s3(deployRole("prod"), "s3:GetObject", entry)).toBe("not allowed");
    expect(
      s3(previewRole("stage"), "s3:GetObject", `${STATE_BUCKET}/.pulumi/history/k8s-platform/prod/prod-1.history.json`, {
        identity: [READ_ONLY],
      }),
    ).toBe("not allowed");
  });

  test("they are the checks the plan of stack-up.yml runs (.github/actions/plan-stack)", () => {
    const plan = fs.readFileSync(path.join(__dirname, "../../.github/actions/plan-stack/action.yml"), "utf8");
    expect(fs.readFileSync(path.join(__dirname, "../../.github/workflows/stack-up.yml"), "utf8")).toMatch(
      /uses: \.\/\.github\/actions\/plan-stack/,
    );
    // Run by the plan of the reader environment's stacks (its own and its shards', as its preview role).
    const runs = [
      ...plan.matchAll(
        /if: \(inputs\.environment \|\| inputs\.stack\) == '(\w+)'\s+(?:shell: bash\s+)?run: npm run --silent delivery -- require-deployed (\w+) "\$GITHUB_SHA" "\$STACK"/g,
      ),
    ].map(([, reader, of]) => ({ reader, of }));
    expect(runs).toEqual(HISTORY_CHECKS);
  });
});

describe("other principals", () => {
  const operator = "arn:aws:iam::444444444444:role/infra-admin";

  test("an administrator of the admin account cannot write any environment's state (it assumes that environment's deploy role)", () => {
    for (const env of ENVS) for (const object of objectsOf(env)) expect(s3(operator, "s3:PutObject", object)).toBe("explicitly denied");
  });

  test("the bootstrap's own state and meta.yaml stay the operators' (IAM decides)", () => {
    expect(s3(operator, "s3:PutObject", `${STATE_BUCKET}/.pulumi/stacks/k8s-platform-bootstrap/prod.json`)).toBe("allowed");
    expect(s3(operator, "s3:PutObject", `${STATE_BUCKET}/.pulumi/meta.yaml`)).toBe("allowed");
    expect(s3(operator, "s3:GetObject", `${STATE_BUCKET}/.pulumi/stacks/k8s-platform/prod.json`)).toBe("allowed");
  });

  test("a principal of another account gets nothing, and nobody anything over plain HTTP", () => {
    const stranger = "arn:aws:iam::999999999999:role/platform-deployer";
    expect(s3(stranger, "s3:GetObject", `${STATE_BUCKET}/.pulumi/stacks/k8s-platform/admin.json`)).toBe("not allowed");
    expect(s3(stranger, "s3:ListBucket", STATE_BUCKET)).toBe("not allowed");
    expect(s3(operator, "s3:GetObject", `${STATE_BUCKET}/.pulumi/meta.yaml`, { tls: false })).toBe("explicitly denied");
  });

  test("the policy fits S3's 20 KB limit for bucket policies", () => {
    expect(JSON.stringify(policy).length).toBeLessThan(20 * 1024);
  });
});

test("a role of another environment in the hub's own account reads what the hub publishes, not its state nor its shards'", () => {
  const account = (stack: string) => ({
    stack,
    region: "eu-west-1",
    accountId: ACCOUNTS.admin,
    partition: "aws",
    deployRoleArn: `arn:aws:iam::${ACCOUNTS.admin}:role/${stack}-deployer`,
    previewRoleArn: `arn:aws:iam::${ACCOUNTS.admin}:role/${stack}-previewer`,
    domain: "platform.example.com",
    tags: {},
  });
  const [hub, sameAccount] = [account("admin"), account("e2e")];
  const shared = stateBucketPolicy({
    bucket: "example-pulumi-state",
    platformProject: "k8s-platform",
    hub,
    environments: [hub, sameAccount],
  });
  // IAM alone would let it read anything of the bucket's account: the bucket policy's denials are what stop it.
  const read = (key: string) =>
    decide(
      {
        principalArn: sameAccount.previewRoleArn,
        action: "s3:GetObject",
        resource: `${STATE_BUCKET}/${key}`,
        context: { "aws:SecureTransport": "true" },
      },
      { identity: [READ_ONLY], resourcePolicy: shared, resourceAccount: ACCOUNTS.admin },
    );
  expect(read("published/k8s-platform/admin.json")).toBe("allowed");
  expect(read(".pulumi/stacks/k8s-platform/admin.json")).toBe("explicitly denied");
  expect(read(".pulumi/stacks/k8s-platform/admin-tenancy-1.json")).toBe("explicitly denied");
});
