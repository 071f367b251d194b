/**
 * The bootstrap's config: read from the platform stack files, checked before anything registers, and the
 * time-boxed operator access it can add to a deploy role.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadBootstrapConfig } from "../../bootstrap/config";
import { readPlatformStackConfig } from "../../bootstrap/environments";
import { BootstrapConfigError } from "../../bootstrap/problems";
import { bootstrapStackConfig, runBootstrap } from "../bootstrap-harness";
import { ALLOW_ALL, decide } from "../iam-evaluator";

const NOW = new Date("2026-12-02T10:00:00Z");
const SETTINGS = {
  "k8s-platform-bootstrap:githubRepository": "acme@1000003/k8s-platform@2000003",
  "k8s-platform-bootstrap:stateBucket": "example-pulumi-state",
};

/** The problems reported for `stack` after `edit` changed copies of the platform stack files. */
function problemsOf(stack: string, edit: (files: Record<string, any>) => void, settings: Record<string, string> = SETTINGS): string[] {
  const files = Object.fromEntries(["admin", "e2e", "stage", "prod"].map((name) => [name, structuredClone(readPlatformStackConfig(name))]));
  edit(files);
  try {
    loadBootstrapConfig(stack, settings, { now: NOW, platformStackConfig: (name) => files[name] });
  } catch (error) {
    expect(error).toBeInstanceOf(BootstrapConfigError);
    expect(error).toBeInstanceOf(pulumi.RunError);
    const [header, ...lines] = (error as Error).message.split("\n");
    expect(header).toBe(`Invalid configuration for bootstrap stack "${stack}"; nothing was deployed:`);
    return lines.map((line) => line.trim());
  }
  throw new Error("expected a configuration error");
}

describe("reading the platform stack files", () => {
  test("accounts, regions and roles are the platform's", () => {
    const config = loadBootstrapConfig("stage", SETTINGS, { now: NOW });
    expect(config.environments.map((env) => [env.stack, env.accountId, env.region])).toEqual([
      ["admin", "444444444444", "eu-west-1"],
      ["e2e", "333333333333", "eu-west-1"],
      ["stage", "222222222222", "eu-west-1"],
      ["prod", "111111111111", "eu-west-1"],
    ]);
    expect(config.account).toMatchObject({
      deployRoleArn: "arn:aws:iam::222222222222:role/platform-deployer",
      previewRoleArn: "arn:aws:iam::222222222222:role/platform-previewer",
      partition: "aws",
    });
    expect(config.platformProject).toBe("k8s-platform");
    expect(config.account.tags).toMatchObject({ environment: "stage", "managed-by": "pulumi" });
  });

  test("a previewRoleArn in the platform file is the one used", () => {
    const files = Object.fromEntries(
      ["admin", "e2e", "stage", "prod"].map((name) => [name, structuredClone(readPlatformStackConfig(name))]),
    );
    files.prod!["platform:aws"].previewRoleArn = "arn:aws:iam::111111111111:role/ci/prod-previewer";
    const config = loadBootstrapConfig("prod", SETTINGS, { now: NOW, platformStackConfig: (name) => files[name] });
    expect(config.account.previewRoleArn).toBe("arn:aws:iam::111111111111:role/ci/prod-previewer");
  });

  test("every environment admin lists has a bootstrap stack file, which runs with the project's settings", () => {
    const stacks = ["admin", ...readPlatformStackConfig("admin")!["platform:admin"].spokes.map((spoke: { name: string }) => spoke.name)];
    expect(stacks).toEqual(["admin", "e2e", "stage", "prod"]);
    for (const stack of stacks) {
      expect(fs.existsSync(path.join(__dirname, "../../bootstrap", `Pulumi.${stack}.yaml`))).toBe(true);
      expect(bootstrapStackConfig(stack)).toMatchObject({
        "k8s-platform-bootstrap:githubRepository": "example@1000001/k8s-platform@2000001",
        "k8s-platform-bootstrap:stateBucket": "example-pulumi-state",
      });
    }
  });
});

describe("bad input stops the run before any resource", () => {
  test("a bootstrap stack that is no environment", async () => {
    const error = await runBootstrap("dev").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BootstrapConfigError);
    expect(error).toHaveProperty("resourcesRegistered", 0);
    expect((error as Error).message).toContain(
      `Pulumi.admin.yaml: platform:admin.spokes = ["e2e","stage","prod"]: expected a spoke named "dev", or a bootstrap stack named admin, e2e, stage, prod`,
    );
  });

  test("a spoke whose hub stack is not organization/k8s-platform/admin (the bucket shares only what that stack publishes)", () => {
    expect(problemsOf("admin", (files) => (files.stage["platform:hub"].stack = "organization/platform/admin"))).toEqual([
      `Pulumi.stage.yaml: platform:hub.stack = "organization/platform/admin": expected "organization/k8s-platform/admin", the admin stack whose published outputs the bucket shares`,
    ]);
  });

  test("admin publishing, or a spoke reading, anywhere but the state bucket the bootstrap creates", () => {
    expect(problemsOf("e2e", () => undefined, { ...SETTINGS, "k8s-platform-bootstrap:stateBucket": "acme-pulumi-state" })).toEqual([
      `Pulumi.admin.yaml: platform:admin.backendUrl = "s3://example-pulumi-state?region=eu-west-1": expected s3://acme-pulumi-state?region=eu-west-1, the state bucket (where admin publishes the outputs its spokes read)`,
      ...["e2e", "stage", "prod"].map(
        (spoke) =>
          `Pulumi.${spoke}.yaml: platform:hub.backendUrl = "s3://example-pulumi-state?region=eu-west-1": expected s3://acme-pulumi-state?region=eu-west-1, the state bucket (where admin publishes the outputs this environment reads)`,
      ),
    ]);
    expect(problemsOf("admin", (files) => delete files.prod["platform:hub"].backendUrl)).toEqual([
      `Pulumi.prod.yaml: platform:hub.backendUrl = (not set): expected s3://example-pulumi-state?region=eu-west-1, the state bucket (where admin publishes the outputs this environment reads)`,
    ]);
  });

  test("a platform file without the domain its public zone is named after", () => {
    expect(problemsOf("prod", (files) => (files.prod["platform:environment"].domain = "Platform Example"))).toEqual([
      `Pulumi.prod.yaml: platform:environment.domain = "Platform Example": expected a DNS domain such as platform.example.com`,
    ]);
  });

  test("a preview role of another account, or the deploy role itself", () => {
    expect(
      problemsOf("prod", (files) => (files.prod["platform:aws"].previewRoleArn = "arn:aws:iam::222222222222:role/platform-previewer")),
    ).toContain(
      `Pulumi.prod.yaml: platform:aws.previewRoleArn = "arn:aws:iam::222222222222:role/platform-previewer": expected a role in platform:aws.accountId 111111111111 (this ARN is in 222222222222)`,
    );
    expect(problemsOf("prod", (files) => (files.prod["platform:aws"].previewRoleArn = files.prod["platform:aws"].deployRoleArn))).toEqual([
      `Pulumi.prod.yaml: platform:aws.previewRoleArn = "arn:aws:iam::111111111111:role/platform-deployer": expected a role other than the deploy role: previews must not be able to write`,
    ]);
  });

  test("two environments on one account and role: their states could not be told apart", () => {
    const problems = problemsOf("admin", (files) => {
      files.stage["platform:aws"] = { ...files.prod["platform:aws"] };
      const [, stage, prod] = files.admin["platform:admin"].spokes;
      stage.accountId = prod.accountId;
    });
    expect(problems).toContain(
      `Pulumi.prod.yaml: platform:aws.deployRoleArn = "arn:aws:iam::111111111111:role/platform-deployer": expected a role of this environment only (stage's deployRoleArn uses it): one environment's role must not write another's state`,
    );
  });

  test("admin's list of spokes disagreeing with a spoke's own file", () => {
    expect(problemsOf("e2e", (files) => (files.admin["platform:admin"].spokes[0].accountId = "555555555555"))).toEqual([
      `Pulumi.admin.yaml: platform:admin.spokes[0].accountId = "555555555555": expected the platform:aws.accountId of Pulumi.e2e.yaml (333333333333)`,
    ]);
  });

  test("bad values of the platform file and of the bootstrap's own settings", () => {
    const problems = problemsOf("stage", (files) => (files.stage["platform:aws"].region = "europe"), {
      ...SETTINGS,
      "k8s-platform-bootstrap:githubRepository": "acme/k8s-platform",
    });
    expect(problems).toEqual([
      `Pulumi.stage.yaml: platform:aws.region = "europe": expected an AWS region such as eu-west-1`,
      `bootstrap/Pulumi.stage.yaml or bootstrap/Pulumi.yaml: k8s-platform-bootstrap:githubRepository = "acme/k8s-platform": expected <owner>@<owner id>/<repository>@<repository id> as the repository's OIDC subject names it, such as example@1000001/payments-api@2000001 (gh api repos/<owner>/<repository> --jq '.owner.id, .id')`,
    ]);
  });

  test("a misspelt bootstrap key", () => {
    expect(problemsOf("stage", () => undefined, { ...SETTINGS, "k8s-platform-bootstrap:awsprofile": "platform-stage" })).toEqual([
      `bootstrap/Pulumi.stage.yaml: k8s-platform-bootstrap:awsprofile = "platform-stage": expected a known key (githubRepository, stateBucket, awsProfile, operatorAccess)`,
    ]);
  });

  test("operator access that is not time-boxed, already over, or for another account's principal", () => {
    const access = (until: string, principalArn = "arn:aws:iam::444444444444:role/infra-admin") => ({
      ...SETTINGS,
      "k8s-platform-bootstrap:operatorAccess": JSON.stringify({ principalArn, until }),
    });
    expect(problemsOf("admin", () => undefined, access("2026-12-05T10:00:00Z"))).toEqual([
      `bootstrap/Pulumi.admin.yaml: k8s-platform-bootstrap:operatorAccess.until = "2026-12-05T10:00:00Z": expected a time within the next 48 h (now is 2026-12-02T10:00:00.000Z); remove operatorAccess once the window has passed`,
    ]);
    expect(problemsOf("admin", () => undefined, access("2026-12-01T10:00:00Z"))).toHaveLength(1);
    expect(problemsOf("admin", () => undefined, access("2026-12-02T18:00:00Z", "arn:aws:iam::111111111111:role/infra-admin"))).toEqual([
      `bootstrap/Pulumi.admin.yaml: k8s-platform-bootstrap:operatorAccess.principalArn = "arn:aws:iam::111111111111:role/infra-admin": expected a principal of the environment's account 444444444444`,
    ]);
  });
});

test("operator access lets one principal assume the deploy role until the time given, and nobody else", async () => {
  const until = new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
  const operator = "arn:aws:iam::444444444444:role/infra-admin";
  const run = await runBootstrap("admin", {
    configure: (config) => (config["k8s-platform-bootstrap:operatorAccess"] = { principalArn: operator, until }),
  });
  const trust = run.policy("aws:iam/role:Role", "admin-deploy-role", "assumeRolePolicy");
  const assume = (principalArn: string, at: Date) =>
    decide(
      {
        principalArn,
        action: "sts:AssumeRole",
        resource: "arn:aws:iam::444444444444:role/platform-deployer",
        context: { "aws:CurrentTime": at.toISOString() },
      },
      {
        identity: [ALLOW_ALL],
        resourcePolicy: trust,
        resourceAccount: "444444444444",
        resourcePolicyRequired: true,
      },
    );
  expect(assume(operator, new Date())).toBe("allowed");
  expect(assume(operator, new Date(Date.parse(until) + 1000))).toBe("not allowed");
  expect(assume("arn:aws:iam::444444444444:role/platform-previewer", new Date())).toBe("not allowed");
  expect(assume("arn:aws:iam::444444444444:role/platform-deployer", new Date())).toBe("not allowed");
  expect(assume("arn:aws:iam::111111111111:role/infra-admin", new Date())).toBe("not allowed");
});
