/**
 * The registry of configuration rules (config/rules.ts) holds every rule of the subject files, and rules called
 * directly on each stack's parsed config.
 */
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../../config/rules";
import { auditLogIsAlwaysOn } from "../../config/rules-cluster";
import { ecrEndpointsComeInPairs } from "../../config/rules-network";
import type { Rule } from "../../config/violation";
import { configOf, NO_SECRETS } from "../config-errors";

const CONFIG_DIR = path.join(__dirname, "..", "..", "config");
const SUBJECT_FILES = fs.readdirSync(CONFIG_DIR).filter((file) => /^rules-.+\.ts$/.test(file));

test.each(SUBJECT_FILES)("config/%s: its rules are one list, and the registry holds each", async (file) => {
  const module: Record<string, unknown> = await import(path.join(CONFIG_DIR, file));
  const lists = Object.entries(module).filter(([name]) => name.endsWith("_RULES"));
  expect(lists.map(([name]) => name)).toHaveLength(1);
  const [name, rules] = lists[0] as [string, Rule[]];
  expect(rules.length).toBeGreaterThan(0);
  expect(rules.flatMap((rule, i) => (RULES.includes(rule) ? [] : [`${name}[${i}] is not in RULES (config/rules.ts)`]))).toEqual([]);
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
