/**
 * Reads and validates one stack's configuration before any resource exists, so that a bad value
 * stops `pulumi up` with one message naming the stack, the key, the value and what was expected.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { RULES, Violation } from "./rules";
import { CONFIG_NAMESPACE, PlatformConfig, PlatformSecrets, platformSchema, SECRET_KEYS, SecretKey, secretsSchema } from "./schema";

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
        .concat(violations.map((v) => `  ${CONFIG_NAMESPACE}:${v.path} = ${v.value}: ${withExpected(v.expected)}`))
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
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  const violations: Violation[] = [];
  for (const [fullKey, text] of Object.entries(raw)) {
    const [namespace, key] = splitKey(fullKey);
    if (namespace !== CONFIG_NAMESPACE) {
      violations.push({ path: `${fullKey}`, expected: foreignKeyAdvice(namespace) });
    } else if ((SECRET_KEYS as string[]).includes(key)) {
      secret[key] = parseValue(text);
      if (!isSecret(fullKey)) violations.push({ path: key, expected: `an encrypted value: set it with \`pulumi config set --secret ${fullKey}\`` });
    } else {
      plain[key] = parseValue(text);
    }
  }

  const parsedConfig = platformSchema.safeParse(plain);
  const parsedSecrets = secretsSchema.safeParse(secret);
  if (!parsedConfig.success) violations.push(...schemaViolations(parsedConfig.error, platformSchema, plain));
  if (!parsedSecrets.success) violations.push(...schemaViolations(parsedSecrets.error, secretsSchema, secret));
  if (parsedConfig.success && parsedConfig.data.environment.kind !== stack) {
    violations.push({ path: "environment.kind", expected: `"${stack}", the name of the stack this file configures` });
  }
  if (parsedConfig.success && parsedSecrets.success) {
    violations.push(...RULES.flatMap((rule) => rule(parsedConfig.data, parsedSecrets.data)));
  }
  if (violations.length > 0) {
    throw new ConfigError(
      stack,
      violations.map((v) => ({ ...v, value: describeValue(v.path, plain, secret) })),
    );
  }
  return { stack, config: parsedConfig.data!, secrets: wrapSecrets(parsedSecrets.data!) };
}

function withExpected(text: string): string {
  return text.startsWith("expected") ? text : `expected ${text}`;
}

function splitKey(fullKey: string): [string, string] {
  const colon = fullKey.indexOf(":");
  return colon < 0 ? ["", fullKey] : [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

function foreignKeyAdvice(namespace: string): string {
  if (namespace === "aws" || namespace === "kubernetes") {
    return `no ${namespace}: keys: every resource uses the environment's explicit provider, so ambient provider config would be ignored; use ${CONFIG_NAMESPACE}:aws or ${CONFIG_NAMESPACE}:cluster`;
  }
  return `only ${CONFIG_NAMESPACE}: keys (unknown namespace "${namespace}")`;
}

/** Objects and arrays arrive as JSON; scalars stay strings (a numeric password must not become a number). */
function parseValue(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function schemaViolations(error: z.ZodError, schema: z.ZodObject, data: unknown): Violation[] {
  return error.issues.flatMap((issue): Violation[] => {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path, data);
      return issue.keys.map((key) => ({
        path: joinPath(path, key),
        expected: `a known key${suggest(key, known)}; known keys here: ${known.join(", ")}`,
      }));
    }
    return [{ path: path || "(top level)", expected: describeIssue(issue) }];
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_union" && "discriminator" in issue) {
    return `a valid "${String(issue.discriminator)}" (${issue.message})`;
  }
  if (issue.code === "invalid_value") return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return `a value (required ${issue.expected})`;
  return issue.message.replace(/^Invalid input: /, "");
}

/**
 * Keys a strict object accepts at `path`, for "did you mean" hints. The config is walked alongside the
 * schema so that, inside a discriminated union, the keys are those of the option the config selected.
 */
function knownKeysAt(schema: z.ZodType, path: PropertyKey[], data: unknown): string[] {
  let node = selectOption(unwrap(schema), data);
  let value = data;
  for (const segment of path) {
    if (node instanceof z.ZodObject) node = node.shape[String(segment)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
    value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
    node = selectOption(unwrap(node), value);
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function selectOption(node: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  if (!(node instanceof z.ZodDiscriminatedUnion)) return node;
  const discriminator = node.def.discriminator;
  const selected = value && typeof value === "object" ? (value as Record<string, unknown>)[discriminator] : undefined;
  return (node.options as z.ZodObject[]).find((option) => {
    const literal = unwrap(option.shape[discriminator]);
    return literal instanceof z.ZodLiteral && literal.values.has(selected as never);
  });
}

function unwrap(node: z.ZodType | undefined): z.ZodType | undefined {
  let current = node;
  while (current && "unwrap" in current && typeof current.unwrap === "function") current = current.unwrap() as z.ZodType;
  if (current instanceof z.ZodPipe) return unwrap(current.in as z.ZodType);
  return current;
}

function suggest(key: string, known: string[]): string {
  const close = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
  return close.length > 0 ? ` (did you mean "${close[0]}"?)` : "";
}

function editDistance(a: string, b: string): number {
  let previous = [...Array(b.length + 1).keys()];
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, segment) => (typeof segment === "number" ? `${acc}[${segment}]` : joinPath(acc, String(segment))), "");
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function describeValue(path: string, plain: Record<string, unknown>, secret: Record<string, unknown>): string {
  const top = path.split(/[.[]/)[0];
  if ((SECRET_KEYS as string[]).includes(top)) return top in secret ? "[secret]" : "(not set)";
  const value = path
    .split(/\.|\[(\d+)\]/)
    .filter((segment) => segment !== undefined && segment !== "")
    .reduce<unknown>((node, segment) => (node && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined), plain);
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
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
