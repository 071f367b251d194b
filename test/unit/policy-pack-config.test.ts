/**
 * The policy pack as a whole (policy names, its default platform namespaces against the program's, its package)
 * and its per-environment configs (policy/config/<stack>.json), which change levels and behaviour.
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { PLATFORM_NAMESPACES, RESERVED_NAMESPACES } from "../../config/rules-tenancy";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { enforcementLevelOf, evaluate } from "../../policy/evaluate";
import { POLICIES } from "../../policy/policies";
import { DEFAULT_PLATFORM_NAMESPACES, registryOf } from "../../policy/policies/kubernetes/workloads";
import { eks, kmsKey, pod, policy } from "./policy-fixtures";

const POLICY_DIR = path.resolve(__dirname, "../../policy");

describe("the pack", () => {
  test("policy names are unique and accepted by the engine, with descriptions; config schemas leave the level to the engine", () => {
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    for (const p of POLICIES) {
      expect(p.name).toMatch(/^(k8s|aws)-[a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(20);
      expect(Object.keys(p.configSchema?.properties ?? {})).not.toContain("enforcementLevel");
    }
  });

  test("the platform namespaces of config/rules-tenancy.ts, and only those, are DEFAULT_PLATFORM_NAMESPACES in policy/policies/kubernetes/workloads.ts", () => {
    const program = [...RESERVED_NAMESPACES.filter((ns) => ns !== "default"), ...PLATFORM_NAMESPACES];
    expect({
      missingFromPack: program.filter((ns) => !DEFAULT_PLATFORM_NAMESPACES.includes(ns)),
      notInProgram: DEFAULT_PLATFORM_NAMESPACES.filter((ns) => !program.includes(ns)),
    }).toEqual({
      missingFromPack: [],
      notInProgram: [],
    });
  });

  test("image references resolve to their registry host", () => {
    expect(registryOf("nginx")).toBe("docker.io");
    expect(registryOf("library/nginx:1.27")).toBe("docker.io");
    expect(registryOf("localhost:5000/app:dev")).toBe("localhost:5000");
    expect(registryOf("111111111111.dkr.ecr.eu-west-1.amazonaws.com/quay/jetstack/cert-manager-controller@sha256:abc")).toBe(
      "111111111111.dkr.ecr.eu-west-1.amazonaws.com",
    );
  });

  test("the pack depends on the same @pulumi/pulumi as the program and runs as a Node.js policy pack", () => {
    const pack = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "../package.json"), "utf8"));
    expect(pack.dependencies["@pulumi/pulumi"]).toBe(root.dependencies["@pulumi/pulumi"]);
    expect(pack.dependencies["@pulumi/policy"]).toBe("1.21.0");
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  });
});

const environmentConfig = (stack: string): PolicyPackConfig =>
  JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "config", `${stack}.json`), "utf8"));

describe("per-environment policy config (policy/config/<stack>.json)", () => {
  test.each([...ENVIRONMENTS])("%s: names only policies of the pack, with valid levels and config keys of their schemas", (stack) => {
    const config = environmentConfig(stack);
    const levels = ["advisory", "mandatory", "remediate", "disabled"];
    for (const [key, entry] of Object.entries(config)) {
      if (key === "all") {
        expect(levels).toContain(entry);
        continue;
      }
      const p = policy(key);
      if (typeof entry === "string") {
        expect(levels).toContain(entry);
      } else {
        const { enforcementLevel, ...values } = entry;
        if (enforcementLevel !== undefined) expect(levels).toContain(enforcementLevel);
        expect(Object.keys(p.configSchema?.properties ?? {})).toEqual(expect.arrayContaining(Object.keys(values)));
      }
    }
  });

  test("a private API endpoint is mandatory in prod and admin, advisory elsewhere", () => {
    const privateEndpoint = policy("aws-eks-private-endpoint");
    const levels = Object.fromEntries(ENVIRONMENTS.map((stack) => [stack, enforcementLevelOf(privateEndpoint, environmentConfig(stack))]));
    expect(levels).toEqual({ e2e: "advisory", stage: "advisory", prod: "mandatory", admin: "mandatory", local: "advisory" });
  });

  test("a public endpoint blocks a prod preview and only warns in e2e", async () => {
    const publicCluster = [eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } })];
    const levelsIn = async (stack: string) =>
      (await evaluate(publicCluster, environmentConfig(stack))).filter((f) => f.policy === "aws-eks-private-endpoint").map((f) => f.level);
    expect(await levelsIn("prod")).toEqual(["mandatory"]);
    expect(await levelsIn("e2e")).toEqual(["advisory"]);
  });

  test("e2e requires fewer control-plane log types than prod", async () => {
    const cluster = [eks({ enabledClusterLogTypes: ["api", "audit", "authenticator"] })];
    expect(await evaluate(cluster, environmentConfig("e2e"))).toEqual([]);
    expect(await evaluate(cluster, environmentConfig("prod"))).toEqual([
      expect.objectContaining({
        policy: "aws-eks-control-plane-logs",
        level: "mandatory",
        message: expect.stringMatching(/controllerManager, scheduler/),
      }),
    ]);
  });

  test("local reports images from unlisted registries without blocking", async () => {
    const findings = await evaluate([pod("alpha", "app:dev")], environmentConfig("local"));
    expect(findings.map((f) => [f.policy, f.level])).toEqual([["k8s-allowed-registries", "advisory"]]);
    expect((await evaluate([pod("alpha", "app:dev")], environmentConfig("stage"))).map((f) => f.level)).toEqual(["mandatory"]);
  });

  test("a disabled policy reports nothing", async () => {
    expect(await evaluate([kmsKey({})], { "aws-kms-key-rotation": "disabled" })).toEqual([]);
    expect(await evaluate([kmsKey({})], { all: "disabled" })).toEqual([]);
  });
});
