/** Platform images from Docker Hub come through the environment's ECR pull-through cache; Velero holds a scoped role. */
import { containerLogsValues } from "../../components/logging/fluent-bit";
import { registryAndRepository, throughMirror } from "../../lib/images";
import { EKS_STACKS, runStacks, StackRun } from "../../mock-engine";

const MIRRORS = {
  "registry-1.docker.io": "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub",
  "quay.io": "1.dkr.ecr.eu-west-1.amazonaws.com/quay",
};

describe("throughMirror", () => {
  test.each([
    ["velero/velero:v1.18.1", "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/velero/velero:v1.18.1"],
    ["docker:29.7.2-dind", "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/docker:29.7.2-dind"],
    ["docker.io/grafana/grafana", "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/grafana/grafana"],
    ["quay.io/jetstack/cert-manager-controller:v1.21.1", "1.dkr.ecr.eu-west-1.amazonaws.com/quay/jetstack/cert-manager-controller:v1.21.1"],
    ["ghcr.io/dexidp/dex:v2.44.0", "ghcr.io/dexidp/dex:v2.44.0"],
  ])("%s → %s", (image, expected) => {
    expect(throughMirror(image, MIRRORS)).toBe(expected);
  });

  test("without a cache for its upstream an image is unchanged", () => {
    expect(throughMirror("velero/velero:v1.18.1", {})).toBe("velero/velero:v1.18.1");
  });

  test("Fluent Bit without a Docker Hub cache: from ghcr.io, its source, never Docker Hub anonymously", () => {
    const values = (mirrors: Record<string, string>) =>
      containerLogsValues({ elasticsearchHost: "es", credentialsRevision: "r", caRevision: "c", registryMirrors: mirrors });
    expect(values({}).image).toEqual({ repository: "ghcr.io/fluent/fluent-bit" });
    expect(values(MIRRORS).image).toEqual({ repository: "1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/fluent/fluent-bit" });
  });

  test("registry and repository apart", () => {
    expect(registryAndRepository("1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/grafana/grafana")).toEqual({
      registry: "1.dkr.ecr.eu-west-1.amazonaws.com",
      repository: "docker-hub/grafana/grafana",
    });
  });
});

let runs: Record<(typeof EKS_STACKS)[number], StackRun>;
beforeAll(async () => {
  runs = await runStacks(EKS_STACKS);
});

describe.each(EKS_STACKS)("%s", (stack) => {
  test("Grafana's image comes through the Docker Hub cache, at the chart's own tag", () => {
    const run = runs[stack];
    const grafana = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack").inputs.values.grafana;
    expect(grafana.image).toEqual({ registry: run.outputs.registryHost, repository: "docker-hub/grafana/grafana" });
  });

  test("Fluent Bit's image comes from Docker Hub through its cache, at the chart's own tag, not from cr.fluentbit.io", () => {
    const run = runs[stack];
    for (const release of ["logging-fluent-bit", "logging-fluent-bit-events"]) {
      const values = run.one("kubernetes:helm.sh/v4:Chart", release).inputs.values;
      expect(values.image).toEqual({ repository: `${run.outputs.registryHost}/docker-hub/fluent/fluent-bit` });
    }
  });

  test("Velero's server is bound to a scoped ClusterRole, not cluster-admin", () => {
    const run = runs[stack];
    const role = run.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "backups-cluster-role").inputs;
    const chart = run.one("kubernetes:helm.sh/v4:Chart", "backups-chart");
    expect(chart.inputs.values.rbac).toEqual({ clusterAdministratorName: role.metadata.name });
    expect(chart.dependencies).toContain(run.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "backups-cluster-role").urn);
    for (const rule of role.rules) expect(rule.verbs).not.toContain("*");
    const deletes = role.rules.filter((rule: { verbs: string[] }) => rule.verbs.includes("delete"));
    expect(deletes).toEqual([expect.objectContaining({ apiGroups: ["velero.io"] })]);
  });
});
