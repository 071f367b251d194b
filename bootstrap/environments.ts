/**
 * The environments' accounts as the platform's own stack files (`../Pulumi.<env>.yaml`) describe them: account ids,
 * regions and role names have one source of truth.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { HUB_STACK } from "../config/rules-delivery";
import { awsSection } from "../config/sections/environment";
import { firstPerPath, Problem, valueOf } from "./problems";

/** The platform project's directory: its Pulumi.yaml names the project whose state the bucket holds. */
export const PLATFORM_DIR = path.resolve(__dirname, "..");

/** One environment's AWS account as its platform stack file describes it. */
export interface EnvironmentAccount {
  readonly stack: string;
  readonly region: string;
  readonly accountId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`, from the deploy role's ARN. */
  readonly partition: string;
  readonly deployRoleArn: string;
  readonly previewRoleArn: string;
  /** The platform's domain (`platform:environment.domain`): the environment's public zone is `<stack>.<domain>`. */
  readonly domain: string;
  /** `platform:environment.hostedZoneId` as the stack file has it: the id of that zone once it exists. */
  readonly hostedZoneId?: string;
  readonly tags: Record<string, string>;
}

/** The part of the platform's `platform:aws` the bootstrap needs, checked as the platform checks it. */
const platformAws = z.object({
  region: awsSection.shape.region,
  accountId: awsSection.shape.accountId,
  deployRoleArn: awsSection.shape.deployRoleArn,
  previewRoleArn: awsSection.shape.previewRoleArn,
});

export function readYaml(file: string): Record<string, any> | undefined {
  return fs.existsSync(file) ? ((parse(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, any>) : undefined;
}

export function readPlatformStackConfig(stack: string): Record<string, any> | undefined {
  return readYaml(path.join(PLATFORM_DIR, `Pulumi.${stack}.yaml`))?.config;
}

export function readEnvironment(
  stack: string,
  config: Record<string, any> | undefined,
  problems: Problem[],
): EnvironmentAccount | undefined {
  const file = `Pulumi.${stack}.yaml`;
  if (!config) {
    problems.push({ file, key: "config", value: undefined, expected: "the platform stack file of this environment" });
    return undefined;
  }
  const parsed = platformAws.safeParse(config["platform:aws"]);
  if (!parsed.success) {
    for (const issue of firstPerPath(parsed.error.issues)) {
      problems.push({
        file,
        key: ["platform:aws", ...issue.path].join("."),
        value: valueOf(config["platform:aws"], issue.path),
        expected: issue.message,
      });
    }
    return undefined;
  }
  const { region, accountId, deployRoleArn, previewRoleArn } = parsed.data;
  const partition = deployRoleArn.split(":")[1];
  const before = problems.length;
  for (const [key, arn] of [
    ["deployRoleArn", deployRoleArn],
    ["previewRoleArn", previewRoleArn],
  ] as const) {
    const account = arn.split(":")[4];
    if (account !== accountId)
      problems.push({
        file,
        key: `platform:aws.${key}`,
        value: arn,
        expected: `a role in platform:aws.accountId ${accountId} (this ARN is in ${account})`,
      });
  }
  if (previewRoleArn === deployRoleArn) {
    problems.push({
      file,
      key: "platform:aws.previewRoleArn",
      value: previewRoleArn,
      expected: "a role other than the deploy role: previews must not be able to write",
    });
  }
  if (problems.length > before) return undefined;
  const environment = config["platform:environment"] ?? {};
  const { domain, hostedZoneId } = environment;
  if (typeof domain !== "string" || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    problems.push({ file, key: "platform:environment.domain", value: domain, expected: "a DNS domain such as platform.example.com" });
    return undefined;
  }
  const tags = {
    environment: stack,
    owner: String(environment.owner),
    "cost-centre": String(environment.costCentre),
    "managed-by": "pulumi",
    component: "bootstrap",
  };
  return {
    stack,
    region,
    accountId,
    partition,
    deployRoleArn,
    previewRoleArn,
    domain,
    hostedZoneId: typeof hostedZoneId === "string" ? hostedZoneId : undefined,
    tags,
  };
}

/**
 * admin publishes the outputs its spokes read in the state bucket (stacks/hub-outputs.ts), and the bucket policy
 * grants the spokes that one object: admin's file must publish there and every spoke's read from there.
 */
export function publicationProblems(
  stacks: readonly string[],
  stackConfig: (stack: string) => Record<string, any> | undefined,
  expected: string,
): Problem[] {
  return stacks.flatMap((name) => {
    const key = name === HUB_STACK ? "platform:admin.backendUrl" : "platform:hub.backendUrl";
    const [section, field] = key.split(".");
    const value = stackConfig(name)?.[section]?.[field];
    const why =
      name === HUB_STACK ? "where admin publishes the outputs its spokes read" : "where admin publishes the outputs this environment reads";
    return value === expected ? [] : [{ file: `Pulumi.${name}.yaml`, key, value, expected: `${expected}, the state bucket (${why})` }];
  });
}

/** The bucket and key policies tell environments apart by role ARN: two environments on one role would be one. */
export function distinctRoles(environments: EnvironmentAccount[]): Problem[] {
  const owners = new Map<string, string>();
  const problems: Problem[] = [];
  for (const env of environments) {
    for (const [key, arn] of [
      ["deployRoleArn", env.deployRoleArn],
      ["previewRoleArn", env.previewRoleArn],
    ] as const) {
      const owner = owners.get(arn);
      if (owner)
        problems.push({
          file: `Pulumi.${env.stack}.yaml`,
          key: `platform:aws.${key}`,
          value: arn,
          expected: `a role of this environment only (${owner} uses it): one environment's role must not write another's state`,
        });
      else owners.set(arn, `${env.stack}'s ${key}`);
    }
  }
  return problems;
}
