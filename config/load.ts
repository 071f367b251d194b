/**
 * Reads and validates one stack's configuration before any resource exists, so that a bad value
 * stops `pulumi up` with one message naming the stack, the key, the value and what was expected.
 */
import * as pulumi from "@pulumi/pulumi";
import { looksSecret, parsePath, showValue, valueAt } from "./key-paths";
import { RawConfig, splitRawConfig } from "./raw-config";
import { RULES } from "./rules";
import { teamCiRolesFit } from "./rules-ci";
import { shardTeamNamesAreTheirOwn, shardTeamCertificatesFit, teamNamespacesAreUsable } from "./rules-tenancy";
import { CONFIG_NAMESPACE, PlatformConfig, PlatformSecrets, platformSchema, SECRET_KEYS, SecretKey, secretsSchema } from "./schema";
import { schemaViolations } from "./schema-issues";
import { parseShardStack, ShardConfig, ShardName, shardSchema, teamsFitOneStack, teamsOwnedElsewhere } from "./tenancy-shards";
import type { Violation } from "./violation";

// The SDK exports this at run time (Config.get uses it to warn about secrets) but marks it @internal.
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** Secret config as `Output`s marked secret, so that no secret reaches the state in plain text. */
export type Secrets = {
  [K in keyof PlatformSecrets]: PlatformSecrets[K] extends Record<string, string>
    ? Record<string, pulumi.Output<string>>
    : pulumi.Output<string> | undefined;
};

export interface LoadedConfig {
  readonly stack: string;
  readonly config: PlatformConfig;
  readonly secrets: Secrets;
}

export class ConfigError extends pulumi.RunError {
  constructor(
    readonly stackName: string,
    readonly violations: readonly (Violation & { value: string })[],
  ) {
    super(
      [`Invalid configuration for stack "${stackName}" (Pulumi.${stackName}.yaml); nothing was deployed:`]
        .concat(violations.map((v) => `  ${v.namespace ?? CONFIG_NAMESPACE}:${v.path} = ${v.value}: ${withExpected(v.expected)}`))
        .join("\n"),
    );
    this.name = "ConfigError";
  }
}

/**
 * @param raw every config key of the stack as the engine passes it (`namespace:key` → string).
 * @param isSecret whether the stack stores that key encrypted.
 */
export function loadConfig(
  stack: string,
  raw: Record<string, string> = pulumi.runtime.allConfig(),
  isSecret: (key: string) => boolean = isConfigSecret,
): LoadedConfig {
  const topLevelKeys = [...Object.keys(platformSchema.shape), ...SECRET_KEYS];
  const sorted = splitRawConfig(raw, isSecret, topLevelKeys);
  const violations: Violation[] = [...sorted.violations];

  const parsedConfig = platformSchema.safeParse(sorted.plain);
  const parsedSecrets = secretsSchema.safeParse(sorted.secret);
  if (!parsedConfig.success) violations.push(...schemaViolations(parsedConfig.error, platformSchema, sorted.plain, SECRET_KEYS));
  if (!parsedSecrets.success) violations.push(...schemaViolations(parsedSecrets.error, secretsSchema, sorted.secret));
  const wrongStack = parsedConfig.success && parsedConfig.data.environment.kind !== stack;
  if (wrongStack) {
    // Every other rule would judge this file by another environment's standards: one mistake, one message.
    violations.push({ path: "environment.kind", expected: `"${stack}", the name of the stack this file configures` });
  }
  if (parsedConfig.success && parsedSecrets.success && !wrongStack) {
    violations.push(...RULES.flatMap((rule) => rule(parsedConfig.data, parsedSecrets.data)));
  }
  if (violations.length > 0) {
    const scrub = secretScrubber(sorted);
    throw new ConfigError(
      stack,
      violations.map((v) => ({ ...v, expected: scrub(v.expected), value: scrub(describeValue(v, sorted)) })),
    );
  }
  return { stack, config: parsedConfig.data!, secrets: wrapSecrets(parsedSecrets.data!) };
}

export interface LoadedShard {
  readonly stack: string;
  readonly shard: ShardName;
  readonly config: ShardConfig;
}

/** A tenancy shard's stack file (config/tenancy-shards.ts): its teams only, checked against the environment's other stacks. */
export function loadShardConfig(
  stack: string,
  raw: Record<string, string> = pulumi.runtime.allConfig(),
  isSecret: (key: string) => boolean = isConfigSecret,
): LoadedShard {
  const shard = parseShardStack(stack);
  if (!shard) throw new Error(`${stack} is not a tenancy shard's stack name`);
  const topLevelKeys = Object.keys(shardSchema.shape);
  const sorted = splitRawConfig(raw, isSecret, topLevelKeys);
  // A shard holds no secrets: a secret key in its file is one more key the schema does not know.
  const plain = { ...sorted.plain, ...sorted.secret };
  const violations: Violation[] = sorted.violations.filter((v) => v.namespace !== undefined);
  const parsed = shardSchema.safeParse(plain);
  if (!parsed.success) violations.push(...schemaViolations(parsed.error, shardSchema, plain));
  if (parsed.success) {
    const { teams } = parsed.data;
    violations.push(
      ...teamNamespacesAreUsable(teams),
      ...teamsFitOneStack(shard.environment, teams),
      ...teamsOwnedElsewhere(shard.environment, stack, teams),
      ...shardTeamNamesAreTheirOwn(shard.environment, teams),
      ...teamCiRolesFit(shard.environment, teams),
      ...shardTeamCertificatesFit(shard.environment, teams),
    );
  }
  if (violations.length > 0) {
    const all = { ...sorted, plain };
    const scrub = secretScrubber(all);
    throw new ConfigError(
      stack,
      violations.map((v) => ({ ...v, expected: scrub(v.expected), value: scrub(describeValue(v, all)) })),
    );
  }
  return { stack, shard, config: parsed.data! };
}

function withExpected(text: string): string {
  return text.startsWith("expected") ? text : `expected ${text}`;
}

/** The value a violation is about, as the message shows it: never a secret's. */
function describeValue(violation: Violation, sorted: RawConfig): string {
  if (violation.namespace !== undefined) {
    const fullKey = `${violation.namespace}:${violation.path}`;
    return sorted.redacted.has(fullKey) ? "[secret]" : showValue(sorted.foreign[fullKey]);
  }
  const segments = parsePath(violation.path);
  const top = String(segments[0]);
  if ((SECRET_KEYS as string[]).includes(top)) return top in sorted.secret ? "[secret]" : "(not set)";
  if (sorted.redacted.has(top) || segments.some((segment) => typeof segment === "string" && looksSecret(segment))) {
    return valueAt(sorted.plain, segments) === undefined ? "(not set)" : "[secret]";
  }
  return showValue(valueAt(sorted.plain, segments));
}

/**
 * A last guard behind describeValue: any secret text that still made it into a message (a rule quoting a value
 * that happens to be a secret) is replaced. Texts under 4 characters are left alone: they would mangle words.
 */
function secretScrubber(sorted: RawConfig): (text: string) => string {
  const leaves = (value: unknown): string[] =>
    typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(leaves) : [];
  const secrets = [
    ...leaves(sorted.secret),
    ...[...sorted.redacted].flatMap((key) => leaves(key in sorted.foreign ? sorted.foreign[key] : sorted.plain[key])),
  ]
    .flatMap((secret) => [secret, ...secret.split("\n")])
    .filter((secret) => secret.trim().length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join("[secret]"), text);
}

function wrapSecrets(secrets: PlatformSecrets): Secrets {
  const wrapped: Record<string, unknown> = {};
  for (const key of SECRET_KEYS as SecretKey[]) {
    const value = secrets[key];
    wrapped[key] =
      typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pulumi.secret(v)]))
        : value === undefined
          ? undefined
          : pulumi.secret(value);
  }
  return wrapped as Secrets;
}
