/** What every policy module shares: reading a policy's config over its defaults, and matching resources by type. */
import type { PolicyConfigSchema, PolicyResource } from "@pulumi/policy";

type Setting = PolicyConfigSchema["properties"][string];

/**
 * A policy's config: the policy pack config file's values over the policy's defaults. The engine fills in
 * schema defaults too, but a policy must not depend on that (tests and old CLIs call it without them).
 */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}

/** A policy setting that lists strings (only `allowed` ones, when given), `defaults` unless the pack's config sets it. */
export function stringList(defaults: readonly string[], options: { allowed?: readonly string[]; description?: string } = {}): Setting {
  const items: Setting = options.allowed ? { type: "string", enum: [...options.allowed] } : { type: "string" };
  return { type: "array", items, default: [...defaults], ...(options.description ? { description: options.description } : {}) };
}

/** The resources of any of these type tokens. */
export function ofTypes(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/**
 * `*` stands for one name segment (no `.`, `:` or `/`): `*.dkr.ecr.*.amazonaws.com` matches any account and
 * region, `arn:*:iam::*:role/infra-admin` any partition and account.
 */
export function matchesGlob(value: string, pattern: string): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^.:/]+");
  return new RegExp(`^${regex}$`).test(value);
}

export const asArray = <T>(value: T | T[] | undefined | null): T[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
