/** The hardening items' config rules (config/rules-hardening.ts), called directly on each stack's parsed config. */
import { auditLogIsAlwaysOn, ecrEndpointsComeInPairs, HARDENING_RULES } from "../../config/rules-hardening";
import { platformSchema, secretsSchema } from "../../config/schema";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { readStackConfig } from "../../mock-engine";

/** A stack's config as the rules see it, after an optional edit of the plain values. */
function configOf(stack: string, edit: (c: Record<string, any>) => void = () => {}) {
  const plain = Object.fromEntries(
    Object.entries(readStackConfig(stack)).map(([key, value]) => [key.replace(/^platform:/, ""), structuredClone(value)]),
  );
  edit(plain);
  return platformSchema.parse(plain);
}
const NO_SECRETS = secretsSchema.parse({});

test.each([...ENVIRONMENTS])("%s: the committed config breaks none of the hardening rules", (stack) => {
  expect(HARDENING_RULES.flatMap((rule) => rule(configOf(stack), NO_SECRETS))).toEqual([]);
});

test("the audit log stays on whatever else is turned off", () => {
  expect(
    auditLogIsAlwaysOn(
      configOf("e2e", (c) => (c.cluster.controlPlaneLogTypes = ["api", "authenticator"])),
      NO_SECRETS,
    ),
  ).toEqual([{ path: "cluster.controlPlaneLogTypes", expected: expect.stringContaining('"audit"') }]);
});

test("ECR interface endpoints come as a pair", () => {
  expect(
    ecrEndpointsComeInPairs(
      configOf("stage", (c) => (c.network.interfaceEndpoints = ["ecr.dkr", "sts"])),
      NO_SECRETS,
    ),
  ).toEqual([
    { path: "network.interfaceEndpoints", expected: expect.stringMatching(/both ecr\.api and ecr\.dkr, or neither.*only ecr\.dkr/) },
  ]);
  expect(
    ecrEndpointsComeInPairs(
      configOf("stage", (c) => (c.network.interfaceEndpoints = ["sts"])),
      NO_SECRETS,
    ),
  ).toEqual([]);
});
