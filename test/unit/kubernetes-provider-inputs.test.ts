/**
 * What the program hands the Kubernetes provider is read the same by the provider the real-engine suite runs (v4.25.0
 * code, stamped 4.34.2) and the one users run (the released 4.34.2): toolchain/README.md, "The Kubernetes provider:
 * tested (v4.25.0 code) and shipped (4.34.2)".
 */
import { ENVIRONMENTS } from "../../config/sections/environment";
import { evaluateStack, RecordedResource, runStacks, StackRun } from "../../mock-engine";

/** Served by the Kubernetes provider: its own types and the cert-manager package's release (a helm.v3 Release). */
const servedByKubernetesProvider = (resource: RecordedResource) =>
  resource.type.startsWith("kubernetes:") ||
  resource.type === "pulumi:providers:kubernetes" ||
  resource.type.startsWith("kubernetes-cert-manager:");

/** Paths to every null inside a value, e.g. `values.grafana.ingress`. */
function nullsIn(value: unknown, at: string): string[] {
  if (value === null) return [at];
  if (Array.isArray(value)) return value.flatMap((item, i) => nullsIn(item, `${at}[${i}]`));
  if (typeof value === "object") return Object.entries(value as object).flatMap(([key, item]) => nullsIn(item, `${at}.${key}`));
  return [];
}

describe("no resource of the Kubernetes provider is given a null", () => {
  let runs: Record<string, StackRun>;
  beforeAll(async () => {
    runs = await runStacks(ENVIRONMENTS);
  });

  // Up to 4.29 the provider dropped nulls from every input; since pulumi-kubernetes#4293 (4.30.0) it keeps them, and
  // Helm merges a null in a chart's values as "delete this default" (helm pkg/chartutil/coalesce.go). One null would
  // render and apply differently on the tested provider and the shipped one.
  test.each(ENVIRONMENTS)("%s: chart values, releases and objects", (stack) => {
    const served = runs[stack].resources.filter(servedByKubernetesProvider);
    expect(served.length).toBeGreaterThan(0);
    expect(served.flatMap((r) => nullsIn(r.inputs, `${r.type}::${r.name}`))).toEqual([]);
  });
});

describe("no Kubernetes object the program declares carries an empty labels or annotations map", () => {
  let runs: Record<string, StackRun>;
  beforeAll(async () => {
    runs = await runStacks(ENVIRONMENTS);
  });

  // The API server stores no empty map, so the object read back never has it, and a preview as an identity whose
  // server-side dry run is forbidden (the preview role) compares against the inputs and shows it added, every time:
  // seen with the real engine on Elasticsearch (test/e2e/pipeline-identities.test.ts).
  test.each(ENVIRONMENTS)("%s", (stack) => {
    const empty = runs[stack].resources
      .filter((r) => r.type.startsWith("kubernetes:") && r.inputs.metadata)
      .flatMap((r) =>
        (["labels", "annotations"] as const)
          .filter((key) => r.inputs.metadata[key] !== undefined && Object.keys(r.inputs.metadata[key]).length === 0)
          .map((key) => `${r.type}::${r.name} metadata.${key}`),
      );
    expect(empty).toEqual([]);
  });
});

describe("the killed-update recovery's variables reach every Kubernetes provider", () => {
  const RECOVERY = { PULUMI_K8S_UPSERT_EXISTING_OBJECTS: "true", PULUMI_K8S_ENABLE_PATCH_FORCE: "true" };

  /** The stack's Kubernetes providers, run with exactly `env` of the two variables set. */
  const providersWith = async (stack: string, env: Partial<typeof RECOVERY>) => {
    const saved = Object.fromEntries(Object.keys(RECOVERY).map((key) => [key, process.env[key]]));
    for (const key of Object.keys(RECOVERY)) delete process.env[key];
    Object.assign(process.env, env);
    try {
      return (await evaluateStack(stack)).ofType("pulumi:providers:kubernetes");
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };

  // The SDK copies each variable into an explicit provider's inputs unless the program sets the option
  // (@pulumi/kubernetes provider.js); the released provider reads an input before the variable, so an option the
  // program set would silently override the documented recovery (docs/scale.md).
  test.each(["local", "e2e"])("%s: with the variables each provider upserts and forces; without them, neither", async (stack) => {
    for (const provider of await providersWith(stack, RECOVERY)) {
      expect([provider.name, provider.inputs.upsertExistingObjects, provider.inputs.enablePatchForce]).toEqual([
        provider.name,
        "true",
        "true",
      ]);
    }
    const plain = await providersWith(stack, {});
    expect(plain.length).toBeGreaterThan(0);
    for (const provider of plain) {
      expect([provider.name, provider.inputs.upsertExistingObjects, provider.inputs.enablePatchForce]).toEqual([
        provider.name,
        undefined,
        undefined,
      ]);
    }
  });
});
