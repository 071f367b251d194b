/**
 * What one bootstrap stack needs, read from the platform's own stack files (`../Pulumi.<env>.yaml`), so that
 * account ids, regions and role names have one source of truth, plus the few settings of the bootstrap itself.
 * A bad value stops the run before any resource is registered, naming the file, the key, the value and what is
 * expected.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { z } from "zod";
import { showValue } from "../config/key-paths";
import { backendUrl } from "../lib/backend-url";
import { HUB_STACK } from "../config/rules-delivery";
import { awsSection } from "../config/sections/environment";

/** The platform project's directory: its Pulumi.yaml names the project whose state the bucket holds. */
const PLATFORM_DIR = path.resolve(__dirname, "..");
const BOOTSTRAP_NAMESPACE = "k8s-platform-bootstrap";
export { HUB_STACK };
/** How long an operator's break-glass trust may stay open: a first deploy of admin takes about an hour. */
const MAX_OPERATOR_ACCESS_HOURS = 48;

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

export interface OperatorAccess {
  /** An IAM role or user of the same account that may assume the deploy role until `until`. */
  readonly principalArn: string;
  /** ISO 8601 UTC time, e.g. 2026-12-03T18:00:00Z. */
  readonly until: string;
}

export interface BootstrapConfig {
  /** The environment this bootstrap stack sets up (the bootstrap stack has the platform stack's name). */
  readonly account: EnvironmentAccount;
  /** admin's account: it holds the state bucket. */
  readonly hub: EnvironmentAccount;
  /** Every environment whose state the bucket holds, admin first. */
  readonly environments: EnvironmentAccount[];
  /** Name of the platform project (`../Pulumi.yaml`): its stacks are `organization/<project>/<stack>`. */
  readonly platformProject: string;
  /** `<owner>/<repository>` of the GitHub repository whose workflows deploy. */
  readonly repository: string;
  readonly stateBucket: string;
  /** The operator's AWS CLI profile for this account; absent: the ambient credentials. */
  readonly awsProfile?: string;
  readonly operatorAccess?: OperatorAccess;
}

interface Problem {
  readonly file: string;
  readonly key: string;
  readonly value: unknown;
  readonly expected: string;
}

export class BootstrapConfigError extends pulumi.RunError {
  constructor(stack: string, problems: readonly Problem[]) {
    super(
      [`Invalid configuration for bootstrap stack "${stack}"; nothing was deployed:`]
        .concat(
          problems.map(
            (p) => `  ${p.file}: ${p.key} = ${showValue(p.value)}: ${p.expected.startsWith("expected") ? "" : "expected "}${p.expected}`,
          ),
        )
        .join("\n"),
    );
    this.name = "BootstrapConfigError";
  }
}

/** The part of the platform's `platform:aws` the bootstrap needs, checked as the platform checks it. */
const platformAws = z.object({
  region: awsSection.shape.region,
  accountId: awsSection.shape.accountId,
  deployRoleArn: awsSection.shape.deployRoleArn,
  previewRoleArn: awsSection.shape.previewRoleArn,
});

const bootstrapSettings = z.strictObject({
  githubRepository: z
    .string()
    .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/, { message: "<owner>/<repository> of the GitHub repository, e.g. acme/k8s-platform" }),
  stateBucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'" }),
  awsProfile: z.string().min(1).optional(),
  operatorAccess: z
    .strictObject({
      principalArn: z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)\/[\w+=,.@/-]+$/, { message: "an IAM role or user ARN" }),
      until: z.iso.datetime({ message: "an ISO 8601 UTC time such as 2026-12-03T18:00:00Z" }),
    })
    .optional(),
});

function readYaml(file: string): Record<string, any> | undefined {
  return fs.existsSync(file) ? ((parse(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, any>) : undefined;
}

export interface LoadOptions {
  /** The time the operator-access window is judged against. */
  readonly now?: Date;
  /** The `config:` of a platform stack file; by default read from ../Pulumi.<stack>.yaml. */
  readonly platformStackConfig?: (stack: string) => Record<string, any> | undefined;
}

/** @param raw the bootstrap stack's config (`k8s-platform-bootstrap:<key>` → string, as the engine passes it). */
export function loadBootstrapConfig(stack: string, raw: Record<string, string>, options: LoadOptions = {}): BootstrapConfig {
  const now = options.now ?? new Date();
  const stackConfig = options.platformStackConfig ?? readPlatformStackConfig;
  const problems: Problem[] = [];
  const platformProject = String(readYaml(path.join(PLATFORM_DIR, "Pulumi.yaml"))?.name);
  const hubFile = stackConfig(HUB_STACK) ?? {};
  const spokes: string[] = (hubFile["platform:admin"]?.spokes ?? []).map((spoke: { name: string }) => spoke.name);
  const stacks = [HUB_STACK, ...spokes];
  if (!stacks.includes(stack)) {
    problems.push({
      file: `Pulumi.${HUB_STACK}.yaml`,
      key: "platform:admin.spokes",
      value: spokes,
      expected: `a spoke named "${stack}", or a bootstrap stack named ${stacks.join(", ")}`,
    });
    throw new BootstrapConfigError(stack, problems);
  }

  const environments = stacks.map((name) => readEnvironment(name, stackConfig(name), problems));
  spokes.forEach((name, i) => {
    const file = `Pulumi.${name}.yaml`;
    const hubStack = stackConfig(name)?.["platform:hub"]?.stack;
    const expectedHub = `organization/${platformProject}/${HUB_STACK}`;
    // The bucket policy lets the spokes read exactly what that stack publishes: another name would be refused.
    if (hubStack !== expectedHub)
      problems.push({
        file,
        key: "platform:hub.stack",
        value: hubStack,
        expected: `"${expectedHub}", the admin stack whose published outputs the bucket shares`,
      });
    const listed = hubFile["platform:admin"].spokes[i];
    const own = environments[i + 1];
    if (own && listed.accountId !== own.accountId) {
      problems.push({
        file: `Pulumi.${HUB_STACK}.yaml`,
        key: `platform:admin.spokes[${i}].accountId`,
        value: listed.accountId,
        expected: `the platform:aws.accountId of ${file} (${own.accountId})`,
      });
    }
  });
  problems.push(...distinctRoles(environments.filter((e): e is EnvironmentAccount => e !== undefined)));

  const settings = bootstrapSettings.safeParse(bootstrapValues(raw));
  if (!settings.success) {
    for (const issue of firstPerPath(settings.error.issues)) {
      // githubRepository and stateBucket usually come from the project's defaults.
      const file = ["githubRepository", "stateBucket"].includes(String(issue.path[0]))
        ? `bootstrap/Pulumi.${stack}.yaml or bootstrap/Pulumi.yaml`
        : `bootstrap/Pulumi.${stack}.yaml`;
      if (issue.code === "unrecognized_keys") {
        const known = Object.keys(bootstrapSettings.shape).join(", ");
        for (const key of issue.keys)
          problems.push({
            file,
            key: `${BOOTSTRAP_NAMESPACE}:${[...issue.path, key].join(".")}`,
            value: valueOf(bootstrapValues(raw), [...issue.path, key]),
            expected: `a known key (${issue.path.length === 0 ? known : "principalArn, until"})`,
          });
        continue;
      }
      problems.push({
        file,
        key: `${BOOTSTRAP_NAMESPACE}:${issue.path.join(".")}`,
        value: valueOf(bootstrapValues(raw), issue.path),
        expected: issue.message,
      });
    }
  } else {
    if (settings.data.operatorAccess)
      problems.push(...operatorAccessProblems(stack, settings.data.operatorAccess, environments[stacks.indexOf(stack)], now));
    if (environments[0])
      problems.push(...publicationProblems(stacks, stackConfig, backendUrl(settings.data.stateBucket, environments[0].region)));
  }
  if (problems.length > 0) throw new BootstrapConfigError(stack, problems);

  const all = environments as EnvironmentAccount[];
  return {
    account: all[stacks.indexOf(stack)],
    hub: all[0],
    environments: all,
    platformProject,
    repository: settings.data!.githubRepository,
    stateBucket: settings.data!.stateBucket,
    awsProfile: settings.data!.awsProfile,
    operatorAccess: settings.data!.operatorAccess,
  };
}

export function readPlatformStackConfig(stack: string): Record<string, any> | undefined {
  return readYaml(path.join(PLATFORM_DIR, `Pulumi.${stack}.yaml`))?.config;
}

function readEnvironment(stack: string, config: Record<string, any> | undefined, problems: Problem[]): EnvironmentAccount | undefined {
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
function publicationProblems(
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
function distinctRoles(environments: EnvironmentAccount[]): Problem[] {
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

function operatorAccessProblems(stack: string, access: OperatorAccess, account: EnvironmentAccount | undefined, now: Date): Problem[] {
  const file = `bootstrap/Pulumi.${stack}.yaml`;
  const key = `${BOOTSTRAP_NAMESPACE}:operatorAccess`;
  const problems: Problem[] = [];
  const hoursLeft = (Date.parse(access.until) - now.getTime()) / 3_600_000;
  if (hoursLeft <= 0 || hoursLeft > MAX_OPERATOR_ACCESS_HOURS) {
    problems.push({
      file,
      key: `${key}.until`,
      value: access.until,
      expected: `a time within the next ${MAX_OPERATOR_ACCESS_HOURS} h (now is ${now.toISOString()}); remove operatorAccess once the window has passed`,
    });
  }
  const principalAccount = access.principalArn.split(":")[4];
  if (account && principalAccount !== account.accountId) {
    problems.push({
      file,
      key: `${key}.principalArn`,
      value: access.principalArn,
      expected: `a principal of the environment's account ${account.accountId}`,
    });
  }
  return problems;
}

/** The bootstrap's own keys, each parsed from the string the engine passes (objects arrive as JSON). */
function bootstrapValues(raw: Record<string, string>): Record<string, unknown> {
  const prefix = `${BOOTSTRAP_NAMESPACE}:`;
  return Object.fromEntries(
    Object.entries(raw)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value.startsWith("{") ? JSON.parse(value) : value]),
  );
}

/** One problem per key: a value that fails its format also fails the checks behind it. */
function firstPerPath(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = issue.path.join(".");
    return !seen.has(key) && !!seen.add(key);
  });
}

function valueOf(root: unknown, keys: readonly PropertyKey[]): unknown {
  return keys.reduce<unknown>(
    (node, key) => (node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    root,
  );
}
