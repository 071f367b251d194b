import { ConfigError } from "../../config/load";
import { ENCAPSULATIONS } from "../../config/sections/calico";
import { installationSpec } from "../../components/calico/installation";
import { CHARTS } from "../../lib/versions";
import { RecordedResource, runStack, StackConfig, StackRun } from "../../mock-engine";

type Calico = Record<string, any>;

/** e2e with its calico section replaced; returns the error message the run fails with. */
async function rejectionOf(calico: Calico, stack = "e2e"): Promise<string> {
  const error = await runStack(stack, { configure: (c: StackConfig) => (c["platform:calico"] = calico) }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toHaveProperty("resourcesRegistered", 0);
  return (error as ConfigError).message;
}

const cni = (ipPool: Calico, rest: Calico = {}): Calico => ({
  mode: "cni",
  bgp: true,
  ...rest,
  ipPool: { cidr: "100.64.0.0/16", encapsulation: "VXLAN", ...ipPool },
});

describe("invalid Calico combinations are rejected with the stack, key path, value and expectation", () => {
  const cases: [what: string, calico: Calico, expected: RegExp][] = [
    [
      "IP-in-IP without BGP",
      cni({ encapsulation: "IPIP" }, { bgp: false }),
      /platform:calico\.ipPool\.encapsulation = "IPIP": expected VXLAN when bgp is false: IP-in-IP routes are distributed by BGP/,
    ],
    [
      "cross-subnet IP-in-IP without BGP",
      cni({ encapsulation: "IPIPCrossSubnet" }, { bgp: false }),
      /platform:calico\.ipPool\.encapsulation = "IPIPCrossSubnet": expected VXLAN when bgp is false/,
    ],
    [
      "no encapsulation without BGP",
      cni({ encapsulation: "None" }, { bgp: false }),
      /platform:calico\.ipPool\.encapsulation = "None": expected an encapsulation when bgp is false: unencapsulated pod routes are only learned through BGP/,
    ],
    [
      "cross-subnet IP-in-IP on EKS",
      cni({ encapsulation: "IPIPCrossSubnet" }),
      /platform:calico\.ipPool\.encapsulation = "IPIPCrossSubnet": expected IPIP or VXLAN on EKS: a cross-subnet pool sends unencapsulated pod packets between nodes of one subnet, which EC2 drops while the nodes' source\/destination check is on/,
    ],
    [
      "cross-subnet VXLAN on EKS",
      cni({ encapsulation: "VXLANCrossSubnet" }, { bgp: false }),
      /platform:calico\.ipPool\.encapsulation = "VXLANCrossSubnet": expected IPIP or VXLAN on EKS: a cross-subnet pool/,
    ],
    [
      "no encapsulation on EKS",
      cni({ encapsulation: "None" }),
      /platform:calico\.ipPool\.encapsulation = "None": expected IPIP or VXLAN on EKS: EC2 drops unencapsulated pod packets/,
    ],
    [
      "an unknown encapsulation",
      cni({ encapsulation: "GRE" }),
      /platform:calico\.ipPool\.encapsulation = "GRE": expected one of "IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet", "None"/,
    ],
    [
      "no outgoing NAT on EKS",
      cni({ natOutgoing: false }),
      /platform:calico\.ipPool\.natOutgoing = false: expected true on EKS: the VPC has no route back to pool addresses/,
    ],
    [
      "a pool inside the VPC",
      cni({ cidr: "10.10.128.0/17" }),
      /platform:calico\.ipPool\.cidr = "10\.10\.128\.0\/17": expected a pod CIDR that does not overlap the VPC CIDR 10\.10\.0\.0\/16/,
    ],
    [
      "a pool around the service range",
      cni({ cidr: "172.16.0.0/12" }),
      /platform:calico\.ipPool\.cidr = "172\.16\.0\.0\/12": expected a pod CIDR that does not overlap the service CIDR 172\.20\.0\.0\/16/,
    ],
    [
      "a link-local pool",
      cni({ cidr: "169.254.0.0/16" }),
      /platform:calico\.ipPool\.cidr = "169\.254\.0\.0\/16": expected a pod CIDR that does not overlap the link-local range 169\.254\.0\.0\/16/,
    ],
    [
      "a pool CIDR with host bits",
      cni({ cidr: "100.64.0.1/16" }),
      /platform:calico\.ipPool\.cidr = "100\.64\.0\.1\/16": expected an IPv4 network CIDR/,
    ],
    [
      "blocks larger than the pool",
      cni({ cidr: "100.64.0.0/24", blockSize: 22 }),
      /platform:calico\.ipPool\.blockSize = 22: expected at least 24, the prefix length of ipPool\.cidr 100\.64\.0\.0\/24: a per-node block must fit inside the pool/,
    ],
    [
      "a block size outside 20..32",
      cni({ blockSize: 19 }),
      /platform:calico\.ipPool\.blockSize = 19: expected a block size between 20 and 32 \(IPv4\)/,
    ],
    [
      "an MTU VXLAN cannot carry",
      cni({}, { mtu: 9001 }),
      /platform:calico\.mtu = 9001: expected at most 8951 with VXLAN: the VPC carries 9001 bytes and VXLAN adds 50/,
    ],
    [
      "an MTU IP-in-IP cannot carry",
      cni({ encapsulation: "IPIP" }, { mtu: 8990 }),
      /platform:calico\.mtu = 8990: expected at most 8981 with IPIP: the VPC carries 9001 bytes and IPIP adds 20/,
    ],
    ["an MTU above jumbo frames", cni({}, { mtu: 9216 }), /platform:calico\.mtu = 9216: expected an MTU of at most 9001/],
    ["an MTU too small", cni({}, { mtu: 576 }), /platform:calico\.mtu = 576: expected an MTU of at least 1000/],
    [
      "an empty node selector",
      cni({ nodeSelector: "  " }),
      /platform:calico\.ipPool\.nodeSelector = " {2}": expected a Calico selector such as all\(\)/,
    ],
    [
      "cni mode without a bgp decision",
      { mode: "cni", ipPool: { cidr: "100.64.0.0/16", encapsulation: "VXLAN" } },
      /platform:calico\.bgp = \(not set\): expected a value \(required boolean\)/,
    ],
    [
      "an operator field name from memory",
      cni({ ipipMode: "Always" }),
      /platform:calico\.ipPool\.ipipMode = "Always": expected a known key/,
    ],
    [
      "a pool in policy-only mode",
      { mode: "policy-only", ipPool: { cidr: "100.64.0.0/16" } },
      /platform:calico\.ipPool = \{"cidr":"100\.64\.0\.0\/16"\}: expected a known key/,
    ],
    ["an unknown mode", { mode: "overlay" }, /platform:calico\.mode = "overlay": expected a valid "mode"/],
  ];

  test.each(cases)("%s", async (_what, calico, expected) => {
    const message = await rejectionOf(calico);
    expect(message).toContain('Invalid configuration for stack "e2e" (Pulumi.e2e.yaml)');
    expect(message).toMatch(expected);
  });

  test("an EKS environment that does not choose a mode", async () => {
    const error = await runStack("e2e", { configure: (c) => delete c["platform:calico"] }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /platform:calico = \(not set\): expected a calico section \(mode: policy-only or cni\): each EKS environment chooses its pod network deliberately/,
    );
  });

  test("Calico on an existing cluster, which brings its own CNI", async () => {
    const message = await rejectionOf({ mode: "policy-only" }, "local");
    expect(message).toMatch(
      /platform:calico = \{"mode":"policy-only"\}: expected no calico section: Calico is installed only on the EKS clusters this program creates/,
    );
  });
});

describe("the Installation spec (operator.tigera.io/v1) of each mode", () => {
  test("policy-only: the AWS VPC CNI addresses and routes pods, Calico only enforces policy", () => {
    expect(installationSpec({ mode: "policy-only" })).toEqual({
      kubernetesProvider: "EKS",
      cni: { type: "AmazonVPC", ipam: { type: "AmazonVPC" } },
      calicoNetwork: { bgp: "Disabled" },
    });
  });

  test.each(ENCAPSULATIONS)("cni with %s: Calico CNI and IPAM with one pool, field by field", (encapsulation) => {
    const spec = installationSpec({
      mode: "cni",
      bgp: true,
      mtu: 8900,
      ipPool: { cidr: "100.64.0.0/16", blockSize: 24, encapsulation, natOutgoing: true, nodeSelector: "has(platform.example.io/pool)" },
    });
    expect(spec).toEqual({
      kubernetesProvider: "EKS",
      cni: { type: "Calico", ipam: { type: "Calico" } },
      calicoNetwork: {
        bgp: "Enabled",
        mtu: 8900,
        ipPools: [
          { cidr: "100.64.0.0/16", blockSize: 24, encapsulation, natOutgoing: "Enabled", nodeSelector: "has(platform.example.io/pool)" },
        ],
      },
    });
  });

  test("cni without BGP and without an MTU leaves the MTU to Calico's detection", () => {
    const spec = installationSpec({
      mode: "cni",
      bgp: false,
      ipPool: { cidr: "100.64.0.0/16", blockSize: 26, encapsulation: "VXLAN", natOutgoing: true, nodeSelector: "all()" },
    });
    expect(spec.calicoNetwork).toEqual({
      bgp: "Disabled",
      ipPools: [{ cidr: "100.64.0.0/16", blockSize: 26, encapsulation: "VXLAN", natOutgoing: "Enabled", nodeSelector: "all()" }],
    });
  });
});

const INSTALLATION = "kubernetes:operator.tigera.io/v1:Installation";
const CHART = "kubernetes:helm.sh/v4:Chart";

/** Every object of the Calico component, with the names of what each depends on. */
function calicoObjects(run: StackRun): RecordedResource[] {
  const component = run.one("platform:calico:Calico", "calico");
  return run.resources.filter((r) => r.parent === component.urn);
}

describe("e2e: Calico is the CNI (VXLAN, no BGP)", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack("e2e");
  }, 60_000);

  test("the Installation named default selects Calico CNI and IPAM with the configured pool", () => {
    const installation = run.one(INSTALLATION, "calico-installation");
    expect(installation.inputs.apiVersion).toBe("operator.tigera.io/v1");
    expect(installation.inputs.metadata.name).toBe("default");
    expect(installation.inputs.spec).toEqual({
      kubernetesProvider: "EKS",
      registry: `${run.outputs.registryHost}/quay/`,
      cni: { type: "Calico", ipam: { type: "Calico" } },
      calicoNetwork: {
        bgp: "Disabled",
        ipPools: [{ cidr: "100.64.0.0/16", blockSize: 26, encapsulation: "VXLAN", natOutgoing: "Enabled", nodeSelector: "all()" }],
      },
    });
  });

  test("the CRD chart and the operator chart are pinned to the same release; the operator is not awaited", () => {
    const crds = run.one(CHART, "calico-crds");
    const operator = run.one(CHART, "calico-operator");
    expect(crds.inputs).toMatchObject({
      chart: "crd.projectcalico.org.v1",
      version: CHARTS.tigeraOperator.version,
      repositoryOpts: { repo: CHARTS.calicoCrds.repo },
    });
    expect(operator.inputs).toMatchObject({
      chart: "tigera-operator",
      version: CHARTS.tigeraOperator.version,
      namespace: "tigera-operator",
      skipAwait: true,
      // One owner of the CRDs: the CRD chart, not also the operator's -manage-crds.
      values: {
        installation: { enabled: false },
        apiServer: { enabled: false },
        goldmane: { enabled: false },
        whisker: { enabled: false },
        manageCRDs: false,
      },
    });
    expect(operator.dependencies).toEqual(expect.arrayContaining([crds.urn]));
    expect(run.one(INSTALLATION, "calico-installation").dependencies).toEqual(expect.arrayContaining([crds.urn, operator.urn]));
  });

  test("Calico goes in through the control plane's provider, and every node group waits for it", () => {
    const controlPlaneProvider = run.one("pulumi:providers:kubernetes", "cluster-provider");
    for (const object of calicoObjects(run)) expect(object.provider?.startsWith(`${controlPlaneProvider.urn}::`)).toBe(true);
    const installation = run.one(INSTALLATION, "calico-installation");
    const operator = run.one(CHART, "calico-operator");
    const nodeGroups = run.ofType("aws:eks/nodeGroup:NodeGroup");
    expect(nodeGroups.length).toBeGreaterThan(0);
    for (const group of nodeGroups) expect(group.dependencies).toEqual(expect.arrayContaining([installation.urn, operator.urn]));
  });

  test("no VPC CNI: neither the add-on nor the self-managed aws-node EKS would bootstrap", () => {
    expect(run.ofType("aws:eks/addon:Addon").map((a) => a.inputs.addonName)).not.toContain("vpc-cni");
    expect(run.one("aws:eks/cluster:Cluster", "cluster-eks").inputs.bootstrapSelfManagedAddons).toBe(false);
  });

  test("the stack outputs name the mode and the pool", () => {
    expect(run.outputs.calicoMode).toBe("cni");
    expect(run.outputs.calicoIpPool).toEqual({ cidr: "100.64.0.0/16", encapsulation: "VXLAN" });
  });
});

describe("stage: Calico enforces policy on the AWS VPC CNI", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack("stage");
  }, 60_000);

  test("the Installation leaves addressing to the VPC CNI", () => {
    expect(run.one(INSTALLATION, "calico-installation").inputs.spec).toEqual({
      kubernetesProvider: "EKS",
      registry: `${run.outputs.registryHost}/quay/`,
      cni: { type: "AmazonVPC", ipam: { type: "AmazonVPC" } },
      calicoNetwork: { bgp: "Disabled" },
    });
    expect(run.ofType("aws:eks/addon:Addon").map((a) => a.inputs.addonName)).toContain("vpc-cni");
  });

  test("node groups do not wait for Calico; Calico waits for nodes and is awaited", () => {
    const workloadsProvider = run.one("pulumi:providers:kubernetes", "cluster-workloads-provider");
    for (const group of run.ofType("aws:eks/nodeGroup:NodeGroup"))
      expect(workloadsProvider.dependencies).toEqual(expect.arrayContaining([group.urn]));
    for (const object of calicoObjects(run)) expect(object.provider?.startsWith(`${workloadsProvider.urn}::`)).toBe(true);
    const calicoUrns = calicoObjects(run).map((r) => r.urn);
    for (const group of run.ofType("aws:eks/nodeGroup:NodeGroup"))
      expect(group.dependencies.filter((d) => calicoUrns.includes(d))).toEqual([]);
    expect(run.one(CHART, "calico-operator").inputs.skipAwait).toBe(false);
  });

  test("the stack outputs name the mode and no pool", () => {
    expect(run.outputs.calicoMode).toBe("policy-only");
    expect(run.outputs.calicoIpPool).toBeNull();
  });
});

test("with Calico as the CNI, nodes run the kubelet's default 110 pods instead of the ENI address limit", async () => {
  const [e2e, stage] = [await runStack("e2e"), await runStack("stage")];
  for (const template of e2e.ofType("aws:ec2/launchTemplate:LaunchTemplate")) {
    const userData = Buffer.from(template.inputs.userData, "base64").toString();
    expect(userData).toContain("Content-Type: application/node.eks.aws");
    expect(userData).toMatch(/kind: NodeConfig\nspec:\n {2}kubelet:\n {4}config:\n {6}maxPods: 110\n/);
  }
  for (const template of stage.ofType("aws:ec2/launchTemplate:LaunchTemplate")) expect(template.inputs.userData).toBeUndefined();
});
