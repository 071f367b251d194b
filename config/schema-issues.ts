/**
 * Zod's issues as config violations: one per key path, each saying what is expected in words an operator can
 * act on, with the keys that exist where one is unknown, and without knock-on reports (a misspelled key is not
 * reported a second time as the missing key it was meant to be).
 */
import { z } from "zod";
import { closestKey, formatPath, Segment, valueAt } from "./key-paths";
import type { Violation } from "./violation";

/**
 * @param data what was parsed (to tell a missing value from a wrong one, and to pick a union's option).
 * @param topLevelKeys keys accepted at the top besides the schema's own (the secret keys of the stack file).
 */
export function schemaViolations(error: z.ZodError, schema: z.ZodType, data: unknown, topLevelKeys: readonly string[] = []): Violation[] {
  const unknownKeys: { parent: Segment[]; key: string; suggestion?: string; known: string[] }[] = [];
  for (const issue of error.issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const parent = issue.path as Segment[];
    const known = [...knownKeysAt(schema, parent, data), ...(parent.length === 0 ? topLevelKeys : [])];
    for (const key of issue.keys) unknownKeys.push({ parent, key, known, suggestion: closestKey(key, known) });
  }
  const intended = new Set(unknownKeys.filter((u) => u.suggestion).map((u) => formatPath([...u.parent, u.suggestion!])));

  const violations: Violation[] = [];
  const seen = new Set<string>();
  const add = (path: string, expected: string) => {
    // One message per key: a value that breaks two checks (too long and a bad character) is one mistake.
    if (seen.has(path)) return;
    seen.add(path);
    violations.push({ path: path || "(top level)", expected });
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") continue;
    const path = formatPath(issue.path);
    const value = valueAt(data, issue.path as Segment[]);
    if (value === undefined && intended.has(path)) continue; // reported as the misspelled key below
    add(path, describeIssue(issue, value));
  }
  for (const { parent, key, suggestion, known } of unknownKeys) {
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
    add(formatPath([...parent, key]), `a known key${hint}${known.length > 0 ? `; known keys here: ${known.join(", ")}` : ""}`);
  }
  return violations;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  object: "a mapping (key: value)",
  record: "a mapping (key: value)",
  array: "a list",
};

/** What an issue expects, without ever repeating the value (it may be a secret). */
export function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.message.startsWith("expected ")) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return `a value (required ${issue.expected})`;
      return `${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${kindOf(value)}${typeHint(issue.expected, value)}`;
    case "invalid_value": {
      const options = `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
      return value === undefined ? `a value (required: ${options})` : options;
    }
    case "invalid_union":
      if ("discriminator" in issue && "options" in issue) {
        const options = (issue as unknown as { options: unknown[] }).options;
        const choices = `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`;
        if (value === undefined) return `a value (required: ${choices})`;
        return `a valid "${String(issue.discriminator)}": ${choices}${typeHint(typeof options[0], value)}`;
      }
      return "a value of one of the accepted shapes";
    case "too_small":
      return bound("at least", issue.origin, Number(issue.minimum), issue.inclusive);
    case "too_big":
      return bound("at most", issue.origin, Number(issue.maximum), issue.inclusive);
    case "invalid_format":
      return issue.format === "regex"
        ? `a value matching ${issue.pattern}`
        : `a valid ${issue.format === "email" ? "e-mail address" : issue.format}`;
    case "invalid_key":
      return issue.issues[0] ? describeIssue(issue.issues[0], undefined) : "a valid key";
    default:
      return issue.message.replace(/^(Invalid input|Invalid string|Too small|Too big): /, "");
  }
}

function bound(direction: "at least" | "at most", origin: string, limit: number, inclusive = true): string {
  if (origin === "number" || origin === "int" || origin === "bigint") {
    return `a number ${direction === "at least" ? ">" : "<"}${inclusive ? "=" : ""} ${limit}`;
  }
  if (origin === "string") return limit === 1 && direction === "at least" ? "a non-empty text" : `${direction} ${limit} characters`;
  if (origin === "array" || origin === "set") return `${direction} ${limit} ${limit === 1 ? "item" : "items"}`;
  return `${direction} ${limit}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "boolean") return "a boolean";
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}

/** YAML quoting is the usual cause of a wrong type: `azCount: "3"`, `kubernetesVersion: 1.30`, `enabled: "true"`. */
function typeHint(expected: string, value: unknown): string {
  if (expected === "string" && typeof value === "number") return " (quote it in YAML: unquoted it reads as a number, and 1.30 as 1.3)";
  if (expected === "string" && typeof value === "boolean") return " (quote it in YAML: unquoted, yes/no/true/false read as booleans)";
  if (expected === "number" && typeof value === "string" && /^\s*-?[0-9.]+\s*$/.test(value)) return " (write it without quotes)";
  if (expected === "boolean" && typeof value === "string" && /^(true|false|yes|no|on|off)$/i.test(value))
    return " (write true or false without quotes)";
  return "";
}

/**
 * Keys a strict object accepts at `path`, for "did you mean" hints. The config is walked alongside the schema
 * so that inside a discriminated union the keys are those of the option the config selected, and inside a
 * list (node pools, teams, receivers) those of its items.
 */
function knownKeysAt(schema: z.ZodType, path: readonly Segment[], data: unknown): string[] {
  let node = selectOption(unwrap(schema), data);
  let value = data;
  for (const segment of path) {
    if (node instanceof z.ZodObject) node = node.shape[String(segment)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return [];
    value = value && typeof value === "object" ? (value as Record<Segment, unknown>)[segment] : undefined;
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

/** Strips optional/default-like wrappers (not arrays, whose `unwrap()` is their element). */
function unwrap(node: z.ZodType | undefined): z.ZodType | undefined {
  let current = node;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodReadonly ||
      current instanceof z.ZodCatch ||
      current instanceof z.ZodNonOptional
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}
