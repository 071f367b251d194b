/** What an environment's kind demands of the rest of its config: prod is highly available and protected. */
import type { Rule, Violation } from "./violation";

const prodIsHighlyAvailable: Rule = (c) => {
  if (c.environment.kind !== "prod") return [];
  const violations: Violation[] = [];
  if (c.network && c.network.azCount < 3)
    violations.push({ path: "network.azCount", expected: "at least 3 in prod (HA across availability zones)" });
  if (c.network && c.network.natGateways !== "perAz")
    violations.push({ path: "network.natGateways", expected: "perAz in prod (one NAT gateway per AZ)" });
  if (!c.environment.protectStatefulResources) violations.push({ path: "environment.protectStatefulResources", expected: "true in prod" });
  return violations;
};

export const ENVIRONMENT_RULES: Rule[] = [prodIsHighlyAvailable];
