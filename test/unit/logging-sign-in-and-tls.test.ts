/**
 * Who signs in to Kibana, and whom Fluent Bit trusts: Kibana admits only the configured directory groups; Fluent
 * Bit verifies Elasticsearch's certificate against ECK's HTTP CA, copied into the agents' namespace.
 */
import { EKS_STACKS, readStackConfig, runStack, StackRun } from "../../mock-engine";
import { runsBeforeAll } from "../stack-runs";

type Stack = (typeof EKS_STACKS)[number];

const runs = runsBeforeAll(EKS_STACKS);

const chartValues = (run: StackRun, name: string) => run.one("kubernetes:helm.sh/v4:Chart", name).inputs.values;
const kibanaGroups = (stack: Stack): string[] => readStackConfig(stack)["platform:observability"].logging.kibana.allowedGroups;

describe("Kibana admits only the directory groups configured for it", () => {
  test.each(EKS_STACKS)("%s: oauth2-proxy restricts sign-in to kibana.allowedGroups, read from the groups claim", (stack) => {
    const configFile: string = chartValues(runs[stack], "logging-oauth2-proxy").config.configFile;
    const groups = kibanaGroups(stack);
    expect(groups.length).toBeGreaterThan(0);
    expect(configFile.split("\n")).toEqual(
      expect.arrayContaining([`allowed_groups = [ ${groups.map((g) => `"${g}"`).join(", ")} ]`, `oidc_groups_claim = "groups"`]),
    );
    // The groups scope is what makes Dex put the claim into the ID token.
    expect(chartValues(runs[stack], "logging-oauth2-proxy").extraArgs.scope.split(" ")).toContain("groups");
  });

  test("another group list and groups claim reach the proxy verbatim", async () => {
    const run = await runStack("stage", {
      configure: (c) => {
        c["platform:observability"].logging.kibana.allowedGroups = ["sre", "Log Readers"];
        c["platform:identity"].oidc.groupsClaim = "memberOf";
      },
    });
    const configFile: string = chartValues(run, "logging-oauth2-proxy").config.configFile;
    expect(configFile).toContain(`allowed_groups = [ "sre", "Log Readers" ]`);
    expect(configFile).toContain(`oidc_groups_claim = "memberOf"`);
  });

  test("a logging section without allowedGroups is a config error (nobody is let in by default)", async () => {
    await expect(runStack("e2e", { configure: (c) => delete c["platform:observability"].logging.kibana.allowedGroups })).rejects.toThrow(
      /platform:observability\.logging\.kibana\.allowedGroups/,
    );
  });
});

describe("Fluent Bit verifies Elasticsearch's certificate", () => {
  test.each(EKS_STACKS)("%s: both agents verify the chain and the host name against the mounted CA", (stack) => {
    for (const release of ["logging-fluent-bit", "logging-fluent-bit-events"]) {
      const values = chartValues(runs[stack], release);
      const output = (values.config.outputs as string).split("\n").map((line) => line.trim());
      expect(output).toEqual(
        expect.arrayContaining(["tls On", "tls.verify On", "tls.verify_hostname On", "tls.ca_file /fluent-bit/tls/ca.crt"]),
      );
      expect(output).not.toContain("tls.verify Off");
      expect(values.extraVolumes).toEqual([{ name: "elasticsearch-ca", secret: { secretName: "elasticsearch-http-ca" } }]);
      expect(values.extraVolumeMounts).toEqual([{ name: "elasticsearch-ca", mountPath: "/fluent-bit/tls", readOnly: true }]);
      expect(values.podAnnotations["platform.example.io/ca-revision"]).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  test.each(EKS_STACKS)(
    "%s: the CA is ECK's public HTTP certificate Secret, read once Elasticsearch answered, copied into logging-agents",
    (stack) => {
      const run = runs[stack];
      const source = run.one("kubernetes:core/v1:Secret", "logging-es-ca-source");
      const job = run.one("kubernetes:batch/v1:Job", "logging-index-lifecycle");
      // A read (no inputs), after the lifecycle Job, which completes only when Elasticsearch is up.
      expect(source.inputs).toEqual({});
      expect(source.dependencies).toContain(job.urn);
      const copy = run.one("kubernetes:core/v1:Secret", "logging-es-ca");
      expect(copy.inputs.metadata).toMatchObject({ name: "elasticsearch-http-ca", namespace: "logging-agents" });
      // The mock engine answers the read of logging/logging-es-http-certs-public (mock-engine/provider-answers.ts).
      expect(Buffer.from(copy.inputs.data["ca.crt"], "base64").toString()).toBe("CA of logging/logging-es-http-certs-public");
      for (const release of ["logging-fluent-bit", "logging-fluent-bit-events"]) {
        expect(run.one("kubernetes:helm.sh/v4:Chart", release).dependencies).toContain(copy.urn);
      }
    },
  );

  test.each(EKS_STACKS)("%s: ECK's CAs live ten years, so the copy rarely goes stale", (stack) => {
    expect(chartValues(runs[stack], "logging-eck-operator").config).toEqual({ caValidity: "87600h" });
  });
});
