import { runStack, StackRun } from "../../../mock-engine";
import { CLUSTER_OUTPUTS, eksCluster, NAT_GATEWAY, privateSubnetZones } from "./describe";

let prod: StackRun;
beforeAll(async () => {
  prod = await runStack("prod");
});

test("prod spans three availability zones, each with its own NAT gateway", () => {
  expect(new Set(privateSubnetZones(prod)).size).toBe(3);
  expect(prod.ofType(NAT_GATEWAY)).toHaveLength(3);
});

test("prod's API endpoint is private only", () => {
  expect(eksCluster(prod).inputs.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
});

test("prod protects what would lose data, and keeps it on delete", () => {
  expect(eksCluster(prod).protect).toBe(true);
  const [key] = prod.ofType("aws:kms/key:Key");
  expect(key).toMatchObject({ protect: true, retainOnDelete: true });
  const [bucket] = prod.ofType("aws:s3/bucket:Bucket");
  expect(bucket).toMatchObject({ protect: true, retainOnDelete: true });
  expect(prod.ofType("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch")[0].protect).toBe(true);
});

test("prod runs highly available observability: 2 Prometheus, 3 Alertmanager, 3 Elasticsearch nodes", () => {
  const values = prod.ofType("kubernetes:helm.sh/v4:Chart").find((r) => r.inputs.chart === "kube-prometheus-stack")!.inputs.values;
  expect(values.prometheus.prometheusSpec.replicas).toBe(2);
  expect(values.alertmanager.alertmanagerSpec.replicas).toBe(3);
  const [elasticsearch] = prod.ofType("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch");
  expect(elasticsearch.inputs.spec.nodeSets.reduce((n: number, set: { count: number }) => n + set.count, 0)).toBe(3);
});

test("prod publishes the cluster outputs, the kubeconfig as a usable document", () => {
  for (const output of CLUSTER_OUTPUTS) expect(prod.outputs[output]).toBeDefined();
  expect(prod.outputs.vpcCidr).toBe("10.30.0.0/16");
  expect(prod.outputs.privateSubnetIds).toHaveLength(3);
  expect(prod.outputs.kubeconfig).toContain(prod.outputs.clusterEndpoint);
});
