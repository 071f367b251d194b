/**
 * Workloads that fit: node allocatable by the EKS AL2023 reserve formula (lib/node-allocatable.ts), the config
 * rule that every configured request fits a node of a pool it can be scheduled on, and the pools that run zonal
 * volumes (config/rules-capacity.ts); the configured sizes reach the pods (runners, Alertmanager, Grafana).
 */
import { CAPACITY_RULES, podsFitTheirNodePools, statefulPodsGetZonalPools } from "../../config/rules-capacity";
import { ENVIRONMENTS } from "../../config/sections/environment";
import { INSTANCE_TYPES, instanceTypeSpec } from "../../lib/ec2-instance-types";
import { allocatable, kubeReservedCpuMillis, kubeReservedMemoryMiB } from "../../lib/node-allocatable";
import { ELASTICSEARCH_CPU, PROMETHEUS_CPU } from "../../lib/workload-sizes";
import { configOf, NO_SECRETS, violationsOf } from "../config-errors";
import { readStackConfig, runStack } from "../../mock-engine";

const MIB = 2 ** 20;

describe("node allocatable (nodeadm's kube-reserved, the eviction threshold, the memory the system keeps)", () => {
  test("kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above", () => {
    expect([1, 2, 4, 8, 16].map(kubeReservedCpuMillis)).toEqual([60, 70, 80, 90, 110]);
  });

  test("kube-reserved memory: 11 MiB per pod plus 255 MiB", () => {
    expect([kubeReservedMemoryMiB(29), kubeReservedMemoryMiB(58), kubeReservedMemoryMiB(110)]).toEqual([574, 893, 1465]);
  });

  test("an m7i.xlarge leaves 3.92 CPUs and 16 GiB less 7.5%, 893 MiB reserved for its 58 ENI pods and 100 MiB to pods", () => {
    const node = allocatable(instanceTypeSpec("m7i.xlarge")!);
    expect(node).toEqual({
      cpuMillis: 3920,
      memoryBytes: Math.floor(16 * 1024 * MIB * 0.925 - 993 * MIB),
      reservedForPods: 58,
      kubeReservedMemoryMiB: 893,
    });
  });

  test("with Calico's 110 pods the reserve follows the larger count: 110 on a t3.large, its 234 ENI pods on a 4xlarge", () => {
    expect(allocatable(instanceTypeSpec("t3.large")!, 110).kubeReservedMemoryMiB).toBe(1465);
    expect(allocatable(instanceTypeSpec("m7i.4xlarge")!, 110).reservedForPods).toBe(234);
  });

  test("the catalogue knows every instance type the stacks use, with the sizes of the AWS tables", () => {
    for (const stack of ENVIRONMENTS) {
      const pools: { instanceTypes: string[] }[] = readStackConfig(stack)["platform:cluster"]?.nodePools ?? [];
      for (const type of pools.flatMap((p) => p.instanceTypes)) expect(INSTANCE_TYPES).toHaveProperty([type]);
    }
    expect(INSTANCE_TYPES["m7i.2xlarge"]).toEqual({ vcpus: 8, memoryGiB: 32, eniMaxPods: 58 });
    expect(INSTANCE_TYPES["c7i.2xlarge"]).toEqual({ vcpus: 8, memoryGiB: 16, eniMaxPods: 58 });
    expect(INSTANCE_TYPES["r7i.large"]).toEqual({ vcpus: 2, memoryGiB: 16, eniMaxPods: 29 });
    expect(INSTANCE_TYPES["t3.large"]).toEqual({ vcpus: 2, memoryGiB: 8, eniMaxPods: 35 });
  });
});

describe("every configured request fits a node of a pool it can be scheduled on", () => {
  test.each([...ENVIRONMENTS])("%s: the committed config breaks no capacity rule", (stack) => {
    expect(CAPACITY_RULES.flatMap((rule) => rule(configOf(stack), NO_SECRETS))).toEqual([]);
  });

  test("prod's former sizes: 16Gi Prometheus replicas on 16 GiB nodes are refused, naming the request and the pool", async () => {
    const lines = await violationsOf("prod", (c) => (c["platform:cluster"].nodePools[1].instanceTypes = ["m7i.xlarge"]));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}platform:observability\.monitoring\.prometheus\.memory = "16Gi": expected memory requests that fit a node of cluster\.nodePools\[1\]\.instanceTypes \(pool "general", the only pool Prometheus can be scheduled on\): Prometheus requests 16\.06Gi \(prometheus 16Gi \+ chart sidecar 64Mi\), one m7i\.xlarge node leaves 13\.53Gi to pods \(16Gi less 7\.5% the system keeps, 893Mi kube-reserved for 58 pods, the 100Mi eviction threshold and 312Mi of DaemonSets\)$/,
      ),
    ]);
  });

  test("the smallest instance type of a pool decides, and another pool that fits is enough", () => {
    const tooBig = configOf("prod", (c) => (c.observability.logging.elasticsearch.memory = "30Gi"));
    expect(podsFitTheirNodePools(tooBig, NO_SECRETS)).toEqual([
      {
        path: "observability.logging.elasticsearch.memory",
        expected: expect.stringMatching(
          /^memory requests that fit a node of cluster\.nodePools\[1\]\.instanceTypes .*one m7i\.2xlarge node leaves 28\.3\dGi/,
        ),
      },
    ]);
    const mixed = configOf("prod", (c) => (c.cluster.nodePools[1].instanceTypes = ["m7i.2xlarge", "m7i.xlarge"]));
    expect(podsFitTheirNodePools(mixed, NO_SECRETS).map((v) => v.path)).toEqual(["observability.monitoring.prometheus.memory"]);
    const memoryPool = {
      name: "memory",
      capacityType: "ON_DEMAND",
      instanceTypes: ["r7i.2xlarge"],
      minSize: 3,
      desiredSize: 3,
      maxSize: 6,
      stateful: true,
    };
    const roomier = configOf("prod", (c) => {
      c.observability.logging.elasticsearch.memory = "30Gi";
      c.cluster.nodePools.push(memoryPool);
    });
    expect(CAPACITY_RULES.flatMap((rule) => rule(roomier, NO_SECRETS))).toEqual([]);
  });

  test("build runners are judged on the CI pool only (its labels and taint), runner and BuildKit together; deploy runners on untainted pools", () => {
    const builds = configOf(
      "admin",
      (c) =>
        (c.admin.ciRunners.build = {
          ...c.admin.ciRunners.build,
          buildkit: { requests: { cpu: "7", memory: "2Gi" }, limits: { cpu: "8", memory: "8Gi" } },
        }),
    );
    expect(podsFitTheirNodePools(builds, NO_SECRETS)).toEqual([
      {
        path: "admin.ciRunners.build",
        expected: expect.stringMatching(
          /^cpu requests that fit a node of cluster\.nodePools\[1\]\.instanceTypes \(pool "ci", the only pool the build runner .*requests 8 \(runner 1 \+ buildkit 7\), one c7i\.2xlarge node leaves 7\.58 to pods \(8 vCPUs less 90m kube-reserved and 330m of DaemonSets\)$/,
        ),
      },
    ]);
    const deploys = configOf(
      "admin",
      (c) => (c.admin.ciRunners.deploy.resources = { requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } }),
    );
    expect(podsFitTheirNodePools(deploys, NO_SECRETS)).toEqual([
      {
        path: "admin.ciRunners.deploy.resources.requests.cpu",
        expected: expect.stringMatching(
          /cluster\.nodePools\[0\]\.instanceTypes \(pool "system", the only pool the deploy runner can be scheduled on\): the deploy runner requests 2 \(runner 2\), one m7i\.large node leaves 1\.6 to pods/,
        ),
      },
    ]);
  });

  test("Alertmanager's and Grafana's requests count, with the chart's sidecars at the namespace default", () => {
    const config = configOf(
      "admin",
      (c) =>
        (c.observability.monitoring.grafana.resources = { requests: { cpu: "100m", memory: "7Gi" }, limits: { cpu: "1", memory: "7Gi" } }),
    );
    expect(podsFitTheirNodePools(config, NO_SECRETS)).toEqual([
      {
        path: "observability.monitoring.grafana.resources.requests.memory",
        expected: expect.stringContaining("Grafana requests 7.13Gi (grafana 7Gi + chart sidecar 64Mi + chart sidecar 64Mi)"),
      },
    ]);
  });

  test("with Calico as the CNI the kubelet's 110 pods size kube-reserved", () => {
    const config = configOf("e2e", (c) => (c.cluster.nodePools[0].instanceTypes = ["t3.medium"]));
    expect(podsFitTheirNodePools(config, NO_SECRETS).map((v) => [v.path, v.expected.match(/kube-reserved for \d+ pods/)?.[0]])).toEqual([
      ["observability.monitoring.prometheus.memory", "kube-reserved for 110 pods"],
      ["observability.logging.elasticsearch.memory", "kube-reserved for 110 pods"],
    ]);
  });

  test("a pod no pool admits is refused, naming its key and the pools", () => {
    const config = configOf("prod", (c) => (c.cluster.nodePools[1].taints = [{ key: "dedicated", value: "teams", effect: "NoSchedule" }]));
    expect(podsFitTheirNodePools(config, NO_SECRETS).map((v) => v.path)).toEqual([
      "observability.monitoring.prometheus",
      "observability.monitoring.alertmanager",
      "observability.monitoring.grafana",
      "observability.logging.elasticsearch",
    ]);
    expect(podsFitTheirNodePools(config, NO_SECRETS)[0].expected).toMatch(
      /^a node pool Prometheus can be scheduled on: every pool of cluster\.nodePools has a NoSchedule or NoExecute taint/,
    );
    // PreferNoSchedule only discourages.
    const preferred = configOf(
      "prod",
      (c) => (c.cluster.nodePools[1].taints = [{ key: "dedicated", value: "teams", effect: "PreferNoSchedule" }]),
    );
    expect(podsFitTheirNodePools(preferred, NO_SECRETS)).toEqual([]);
  });

  test("an instance type missing from the catalogue is a config error: nothing could be checked against it", async () => {
    const lines = await violationsOf("stage", (c) => (c["platform:cluster"].nodePools[2].instanceTypes = ["m7i.xlarge", "m5.large"]));
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}platform:cluster\.nodePools\[2\]\.instanceTypes\[1\] = "m5\.large": expected an instance type listed in lib\/ec2-instance-types\.ts/,
      ),
    ]);
  });

  test("a request above its limit is refused before the API server would", async () => {
    const lines = await violationsOf(
      "admin",
      (c) =>
        (c["platform:admin"].ciRunners.build = {
          ...c["platform:admin"].ciRunners.build,
          runner: { requests: { cpu: "1", memory: "8Gi" }, limits: { cpu: "2", memory: "4Gi" } },
        }),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /platform:admin\.ciRunners\.build\.runner\.requests\.memory = "8Gi": expected at most limits\.memory \(4Gi\): Kubernetes refuses a request above its limit$/,
      ),
    ]);
  });
});

describe("pools where zonal volumes can land are stateful", () => {
  test("a pool Prometheus, Alertmanager or Elasticsearch can be scheduled on must be stateful, naming both keys", () => {
    const config = configOf("prod", (c) => delete c.cluster.nodePools[1].stateful);
    expect(statefulPodsGetZonalPools(config, NO_SECRETS)).toEqual([
      {
        path: "cluster.nodePools[1].stateful",
        expected:
          "true: Prometheus (observability.monitoring.prometheus), Alertmanager (observability.monitoring.alertmanager), Elasticsearch (observability.logging.elasticsearch) keep data on zonal EBS volumes and can be scheduled on this pool, so it needs a node group per AZ for the cluster autoscaler to add nodes in a volume's AZ",
      },
    ]);
    // Tainted pools they cannot run on stay one group across AZs.
    expect(statefulPodsGetZonalPools(configOf("prod"), NO_SECRETS)).toEqual([]);
  });

  test("a stateful pool has at least one node per AZ at most", () => {
    const config = configOf("e2e", (c) => Object.assign(c.cluster.nodePools[0], { minSize: 1, desiredSize: 1, maxSize: 1 }));
    expect(statefulPodsGetZonalPools(config, NO_SECRETS)).toEqual([
      {
        path: "cluster.nodePools[0].maxSize",
        expected: "at least network.azCount (2): a stateful pool has one node group per AZ, each of at least one node",
      },
    ]);
  });
});

describe("the configured sizes reach the pods", () => {
  test("build runner and BuildKit, and deploy runner containers carry explicit requests and limits (defaults from config)", async () => {
    const hub = await runStack("admin");
    const values = (name: string) => hub.one("kubernetes:helm.sh/v4:Chart", name).inputs.values.template.spec;
    const build = values("ci-runners-admin-ci");
    expect(build.containers.find((c: any) => c.name === "runner").resources).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    });
    expect(build.initContainers.find((c: any) => c.name === "buildkitd").resources).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { cpu: "4", memory: "8Gi" },
    });
    expect(values("ci-runners-admin-deploy").containers[0].resources).toEqual({
      requests: { cpu: "500m", memory: "2Gi" },
      limits: { cpu: "2", memory: "4Gi" },
    });

    const resources = { requests: { cpu: "1", memory: "3Gi" }, limits: { cpu: "2", memory: "6Gi" } };
    const configured = await runStack("admin", { configure: (c) => (c["platform:admin"].ciRunners.deploy.resources = resources) });
    expect(
      configured.one("kubernetes:helm.sh/v4:Chart", "ci-runners-admin-deploy").inputs.values.template.spec.containers[0].resources,
    ).toEqual(resources);
  });

  test("Prometheus, Alertmanager, Grafana and Elasticsearch get the requests the rule counted", async () => {
    const run = await runStack("prod");
    const values = run.one("kubernetes:helm.sh/v4:Chart", "monitoring-stack").inputs.values;
    expect(values.prometheus.prometheusSpec.resources.requests).toEqual({ cpu: PROMETHEUS_CPU.request, memory: "16Gi" });
    expect(values.alertmanager.alertmanagerSpec.resources).toEqual({
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "512Mi" },
    });
    expect(values.grafana.resources).toEqual({ requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    const [elasticsearch] = run.ofType("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch");
    expect(elasticsearch.inputs.spec.nodeSets[0].podTemplate.spec.containers[0].resources.requests).toEqual({
      cpu: ELASTICSEARCH_CPU.request,
      memory: "8Gi",
    });
  });
});
