/**
 * What one bootstrap stack needs: the environments' accounts, read from the platform's own stack files
 * (environments.ts), plus the few settings of the bootstrap itself. A bad value stops the run before any resource
 * is registered, naming the file, the key, the value and what is expected (problems.ts).
 */
import * as path from "path";
import { z } from "zod";
import { backendUrl } from "../lib/backend-url";
import { HUB_STACK } from "../config/rules-delivery";
import { githubRepository } from "../config/sections/tenancy";
import {
  distinctRoles,
  EnvironmentAccount,
  PLATFORM_DIR,
  publicationProblems,
  readEnvironment,
  readPlatformStackConfig,
  readYaml,
} from "./environments";
import { BootstrapConfigError, firstPerPath, Problem, valueOf } from "./problems";

const BOOTSTRAP_NAMESPACE = "k8s-platform-bootstrap";
export { HUB_STACK };
/** How long an operator's break-glass trust may stay open: a first deploy of admin takes about an hour. */
const MAX_OPERATOR_ACCESS_HOURS = 48;

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
  /** `<owner>@<owner id>/<repository>@<repository id>`: the GitHub repository whose workflows deploy, as its OIDC subject names it. */
  readonly repository: string;
  readonly stateBucket: string;
  /** The operator's AWS CLI profile for this account; absent: the ambient credentials. */
  readonly awsProfile?: string;
  readonly operatorAccess?: OperatorAccess;
}

const bootstrapSettings = z.strictObject({
  githubRepository,
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
