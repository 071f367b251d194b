/**
 * The policy pack's policies, called directly (the pack's server is never started): every policy has passing and
 * failing cases, gathered here from the case modules beside this file (one per group of policies).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyResources, resourceValidationArgs, ResourceSnapshot, stackValidationArgs } from "../../policy/evaluate";
import { POLICIES } from "../../policy/policies";
import { CATALOGUED } from "../../policy/policies/catalogue";
import { Case, FailingCase } from "../policy-cases";
import { ACCESS_AND_COST_CASES } from "./policy-access-and-cost-cases";
import { EKS_CASES } from "./policy-eks-cases";
import { ESCALATION_CASES } from "./policy-escalation-cases";
import { policy } from "./policy-fixtures";
import { STORAGE_AND_IAM_CASES } from "./policy-storage-and-iam-cases";
import { TENANCY_CASES } from "./policy-tenancy-cases";
import { WORKLOAD_AND_ADMIN_CASES } from "./policy-workload-and-admin-cases";

/** Runs one policy over the resources (each resource for a resource policy, all at once for a stack policy). */
async function violations(name: string, resources: ResourceSnapshot[], config: Record<string, unknown> = {}): Promise<string[]> {
  const p = policy(name);
  const linked = policyResources(resources);
  const found: string[] = [];
  const report = (message: string) => found.push(message);
  const getConfig = <T extends object>() => config as T;
  if ("validateStack" in p) {
    await (p as StackValidationPolicy).validateStack(stackValidationArgs(linked, getConfig), report);
  } else {
    for (const resource of linked) {
      for (const validate of [(p as ResourceValidationPolicy).validateResource].flat())
        await validate?.(resourceValidationArgs(resource, getConfig), report);
    }
  }
  return found;
}

/** For each policy: resources it accepts, and resources it rejects with the message expected. */
const CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {};
for (const table of [TENANCY_CASES, WORKLOAD_AND_ADMIN_CASES, EKS_CASES, STORAGE_AND_IAM_CASES, ACCESS_AND_COST_CASES, ESCALATION_CASES]) {
  for (const [name, cases] of Object.entries(table)) {
    CASES[name] = { pass: [...(CASES[name]?.pass ?? []), ...cases.pass], fail: [...(CASES[name]?.fail ?? []), ...cases.fail] };
  }
}

test("every policy has passing and failing cases, and only policies of the pack have cases", () => {
  expect(Object.keys(CASES).sort()).toEqual(POLICIES.map((p) => p.name).sort());
  for (const { pass, fail } of Object.values(CASES)) {
    expect(pass.length).toBeGreaterThan(0);
    expect(fail.length).toBeGreaterThan(0);
  }
});

test("the catalogue describes each policy of the pack once, and nothing else", () => {
  expect(POLICIES.map((p) => p.name).sort()).toEqual([...CATALOGUED].sort());
});

describe.each(Object.entries(CASES))("%s", (name, { pass, fail }) => {
  test.each(pass.map((c) => [c.name, c] as const))("accepts: %s", async (_, c) => {
    expect(await violations(name, c.resources(), c.config)).toEqual([]);
  });
  test.each(fail.map((c) => [c.name, c] as const))("rejects: %s", async (_, c) => {
    const found = await violations(name, c.resources(), c.config);
    expect(found.length).toBeGreaterThan(0);
    expect(found).toContainEqual(expect.stringMatching(c.expected));
  });
});
