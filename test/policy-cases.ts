/** The case table's shapes and resource builder, shared by test/unit/policy.test.ts and the cases it imports. */
import type { ResourceSnapshot } from "../policy/evaluate";

export interface Case {
  readonly name: string;
  readonly resources: () => ResourceSnapshot[];
  readonly config?: Record<string, unknown>;
}
export interface FailingCase extends Case {
  readonly expected: RegExp;
}

let counter = 0;
/** A number no other resource of the test run has: names and URNs never collide across cases. */
export const nextId = (): number => ++counter;

export function resource(type: string, props: Record<string, any>, extra: Partial<ResourceSnapshot> = {}): ResourceSnapshot {
  const name = extra.name ?? `r${nextId()}`;
  return { type, name, urn: `urn:pulumi:test::k8s-platform::${type}::${name}`, props, ...extra };
}
