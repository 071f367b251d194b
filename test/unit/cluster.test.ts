import { EBS_ZONE_LABEL, nodeGroupPlans } from "../../components/cluster/node-group-settings";
import { BALANCING_IGNORED_LABELS, expanderPriorities } from "../../components/cluster-autoscaler/values";
import { NodePoolConfig } from "../../config/sections/cluster";
import { EKS_ADDONS } from "../../lib/versions";
import { EKS_STACKS, readStackConfig, RecordedResource, runStack, StackRun } from "../../mock-engine";
import { defaultHubOutputs } from "../../mock-engine/provider-answers";
import { runsBeforeAll } from "../stack-runs";

type EksStack = (typeof EKS_STACKS)[number];

const runs = runsBeforeAll(EKS_STACKS, 180_000);

const SUBNET = "aws:ec2/subnet:Subnet";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";

const config = (stack: EksStack) => readStackConfig(stack);
const idOf = (r: RecordedResource) => `${r.name}-id`; // the mock engine's id of every resource
const subnets = (run: StackRun, role: "elb" | "internal-elb") =>
  run.ofType(SUBNET).filter((s) => s.inputs.tags[`kubernetes.io/role/${role}`] === "1");
const providerOf = (run: StackRun, r: RecordedResource) => run.byUrn(r.provider!);
const addon = (run: StackRun, addonName: string) => run.ofType(ADDON).find((a) => a.inputs.addonName === addonName);
const dependsOn = (r: RecordedResource, others: RecordedResource[]) => others.every((o) => r.dependencies.includes(o.urn));

describe.each(EKS_STACKS)("%s", (stack) => {
  let run: StackRun;
  beforeAll(() => {
    run = runs[stack];
  });

  test("every AWS resource goes through the environment's provider, with the job's credentials of this account only", () => {
    // The environment's, and one of the same settings for teams' CI roles and one for their certificates, where
    // there are any (stacks/tenancy.ts: they move with the teams between the environment's stack and its shards).
    const providers = run.ofType("pulumi:providers:aws");
    const teams: { ci?: object }[] = config(stack)["platform:teams"] ?? [];
    const certificates = teams.length > 0 && stack !== "admin" && config(stack)["platform:environment"].hostedZoneId !== undefined;
    expect(providers.map((p) => p.name).sort()).toEqual(
      ["aws", ...(teams.some((team) => team.ci) ? ["team-ci"] : []), ...(certificates ? ["team-tls"] : [])].sort(),
    );
    const account = config(stack)["platform:aws"];
    for (const provider of providers) {
      // No role of its own: the same inputs whether the deploy role (up) or the preview role (preview) runs it.
      expect(provider.inputs.assumeRoles).toBeUndefined();
      expect(JSON.parse(provider.inputs.allowedAccountIds)).toEqual([account.accountId]);
      expect(JSON.parse(provider.inputs.defaultTags).tags).toMatchObject({ environment: stack, "managed-by": "pulumi" });
    }
    const awsResources = run.resources.filter((r) => r.type.startsWith("aws:"));
    expect(awsResources.length).toBeGreaterThan(30);
    for (const r of awsResources) expect(providers).toContain(providerOf(run, r));
  });

  test("every Kubernetes object is created through one of the cluster's own providers", () => {
    const providers = run.ofType("pulumi:providers:kubernetes");
    expect(providers.map((p) => p.name).sort()).toEqual(["cluster-provider", "cluster-workloads-provider"]);
    for (const p of providers) {
      const { exec } = JSON.parse(p.inputs.kubeconfig).users[0].user;
      expect({ command: exec.command, args: exec.args }).toEqual({
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", `${stack}-eks`, "--region", config(stack)["platform:aws"].region, "--output", "json"],
      });
    }
    const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(providers).toContain(providerOf(run, object));
  });

  test("node groups run only in private subnets: one per pool across every AZ, or one per AZ for a stateful pool", () => {
    const privateIds = subnets(run, "internal-elb").map(idOf);
    expect(run.outputs.privateSubnetIds).toEqual(privateIds);
    const pools: { name: string; stateful?: boolean }[] = config(stack)["platform:cluster"].nodePools;
    const expected = pools.flatMap((p) =>
      p.stateful
        ? privateIds.map((id, i) => [`node-pools-${p.name}-az${i}`, `${p.name}-az${i}-`, [id]])
        : [[`node-pools-${p.name}`, `${p.name}-`, privateIds]],
    );
    const groups = run.ofType(NODE_GROUP).map((g) => [g.name, g.inputs.nodeGroupNamePrefix, g.inputs.subnetIds]);
    expect(groups.sort()).toEqual(expected.sort());
    expect(run.one("aws:eks/cluster:Cluster", "cluster-eks").inputs.vpcConfig.subnetIds).toEqual(privateIds);
  });

  test("launch templates require IMDSv2 on the node only and encrypt gp3 root volumes; node groups use them", () => {
    const templates = run.ofType("aws:ec2/launchTemplate:LaunchTemplate");
    expect(templates).toHaveLength(config(stack)["platform:cluster"].nodePools.length);
    for (const template of templates) {
      // Hop limit 1 on every pool: instance metadata answers the node itself, never a pod off the host network.
      expect(template.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
      expect(template.inputs.blockDeviceMappings).toEqual([
        { deviceName: "/dev/xvda", ebs: expect.objectContaining({ volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" }) },
      ]);
    }
    for (const group of run.ofType(NODE_GROUP)) {
      expect(templates.map(idOf)).toContain(group.inputs.launchTemplate.id);
      expect(group.inputs.amiType).toBe("AL2023_x86_64_STANDARD");
    }
  });

  test("the control plane logs the configured types, encrypts Secrets with a rotating key and has a private endpoint", () => {
    const cluster = run.one("aws:eks/cluster:Cluster", "cluster-eks").inputs;
    const logTypes = config(stack)["platform:cluster"].controlPlaneLogTypes ?? [
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ];
    expect([...cluster.enabledClusterLogTypes].sort()).toEqual([...logTypes].sort());
    const key = run.one("aws:kms/key:Key", "cluster-secrets-key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(cluster.encryptionConfig).toEqual({ provider: { keyArn: expect.stringContaining(key.name) }, resources: ["secrets"] });
    expect(cluster.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    const publicCidrs: string[] = config(stack)["platform:cluster"].publicAccessCidrs;
    expect(cluster.vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: publicCidrs.length > 0 });
    // A public endpoint also admits the hub's NAT addresses (test/unit/delivery-config.test.ts).
    expect(cluster.vpcConfig.publicAccessCidrs?.slice(0, publicCidrs.length)).toEqual(publicCidrs.length > 0 ? publicCidrs : undefined);
    expect(cluster.version).toBe(config(stack)["platform:cluster"].kubernetesVersion);
    expect(cluster.kubernetesNetworkConfig.serviceIpv4Cidr).toBe(config(stack)["platform:cluster"].serviceCidr);
    // The log group exists (with its retention) before EKS would create one without.
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup", "cluster-logs");
    expect(logs.inputs).toEqual({
      name: `/aws/eks/${stack}-eks/cluster`,
      retentionInDays: config(stack)["platform:cluster"].logRetentionDays,
    });
    expect(run.one("aws:eks/cluster:Cluster", "cluster-eks").dependencies).toContain(logs.urn);
  });

  test("the infra roles and the deploy role are cluster admins through access entries; the preview role only views", () => {
    const clusterConfig = config(stack)["platform:cluster"];
    const { deployRoleArn, previewRoleArn } = config(stack)["platform:aws"];
    const admins = [...clusterConfig.adminRoleArns, deployRoleArn];
    const ofCluster = (type: string) => run.ofType(type).filter((r) => r.parent === run.one("platform:cluster:EksCluster", "cluster").urn);
    expect(
      ofCluster("aws:eks/accessEntry:AccessEntry")
        .map((e) => e.inputs.principalArn)
        .sort(),
    ).toEqual([...admins, previewRoleArn].sort());
    const policies = Object.fromEntries(
      ofCluster("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [a.inputs.principalArn, a.inputs]),
    );
    expect(Object.keys(policies).sort()).toEqual([...admins, previewRoleArn].sort());
    for (const admin of admins) {
      expect(policies[admin]).toMatchObject({
        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        accessScope: { type: "cluster" },
      });
    }
    expect(policies[previewRoleArn]).toMatchObject({
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
      accessScope: { type: "cluster" },
    });
  });

  test("people sign in through Dex: the hub's issuer, or admin's own", () => {
    const { oidc } = run.one("aws:eks/identityProviderConfig:IdentityProviderConfig", "cluster-oidc").inputs;
    const issuer = stack === "admin" ? "https://dex.admin.platform.example.com" : defaultHubOutputs.dexIssuerUrl;
    expect(oidc).toEqual({
      identityProviderConfigName: "dex",
      issuerUrl: issuer,
      clientId: "kubernetes",
      usernameClaim: "email",
      // A directory's mail attribute can never name a Kubernetes user such as system:kube-controller-manager.
      usernamePrefix: "oidc:",
      groupsClaim: "groups",
      groupsPrefix: "oidc:",
    });
    expect(run.ofType("pulumi:pulumi:StackReference")).toEqual([]);
  });

  test("add-ons are pinned; nodes wait for the pod network; DNS, storage and the platform layer wait for nodes", () => {
    const versions = EKS_ADDONS[config(stack)["platform:cluster"].kubernetesVersion];
    for (const a of run.ofType(ADDON)) expect(a.inputs.addonVersion).toBe(versions[a.inputs.addonName as keyof typeof versions]);
    const calicoIsCni = config(stack)["platform:calico"]?.mode === "cni";
    const podNetwork = [addon(run, "kube-proxy")!, ...(calicoIsCni ? [] : [addon(run, "vpc-cni")!])];
    expect(addon(run, "vpc-cni") === undefined).toBe(calicoIsCni);
    const groups = run.ofType(NODE_GROUP);
    for (const group of groups) expect(dependsOn(group, podNetwork)).toBe(true);
    for (const nodeAddon of [addon(run, "coredns")!, addon(run, "aws-ebs-csi-driver")!]) expect(dependsOn(nodeAddon, groups)).toBe(true);
    const workloads = run.one("pulumi:providers:kubernetes", "cluster-workloads-provider");
    expect(dependsOn(workloads, [...groups, addon(run, "coredns")!, addon(run, "aws-ebs-csi-driver")!])).toBe(true);
  });

  test("add-ons with AWS permissions get an IRSA role trusted by their one service account", () => {
    const roles = run.ofType("aws:iam/role:Role");
    const serviceAccounts = { "aws-ebs-csi-driver": "ebs-csi-controller-sa", "vpc-cni": "aws-node" };
    for (const [addonName, serviceAccount] of Object.entries(serviceAccounts)) {
      const a = addon(run, addonName);
      if (!a) continue;
      const role = roles.find((r) => a.inputs.serviceAccountRoleArn.endsWith(`:${r.name}`))!;
      const [statement] = JSON.parse(role.inputs.assumeRolePolicy).Statement;
      expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
      const conditions = Object.entries(statement.Condition.StringEquals);
      expect(conditions).toContainEqual([expect.stringMatching(/:sub$/), `system:serviceaccount:kube-system:${serviceAccount}`]);
      expect(conditions).toContainEqual([expect.stringMatching(/:aud$/), "sts.amazonaws.com"]);
    }
    const nodePolicies = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((p) => p.name.startsWith("node-pools-"));
    expect(nodePolicies.map((p) => p.inputs.policyArn.split("/").pop()).sort()).toEqual([
      "AmazonEC2ContainerRegistryPullOnly",
      "AmazonEKSWorkerNodePolicy",
    ]);
  });

  test("the default StorageClass provisions encrypted gp3 volumes in the pod's AZ", () => {
    const [storageClass] = run.ofType("kubernetes:storage.k8s.io/v1:StorageClass").filter((s) => s.inputs.metadata.name === "gp3");
    expect(storageClass.inputs).toMatchObject({
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true" },
      volumeBindingMode: "WaitForFirstConsumer",
      metadata: { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    });
    expect(storageClass.inputs.reclaimPolicy).toBe(config(stack)["platform:environment"].protectStatefulResources ? "Retain" : "Delete");
  });

  test("outputs describe the cluster and its network; the kubeconfig carries no credential", () => {
    const { outputs } = run;
    expect(outputs).toMatchObject({
      clusterName: `${stack}-eks`,
      vpcCidr: config(stack)["platform:network"].vpcCidr,
      vpcId: "network-vpc-id",
    });
    expect(outputs.clusterEndpoint).toMatch(/^https:\/\//);
    expect(outputs.oidcProviderArn).toContain(":oidc-provider/");
    expect(outputs.oidcProviderUrl).toMatch(/^https:\/\/oidc\.eks\./);
    expect(outputs.nodeRoleArn).toContain("node-pools-role");
    const kubeconfig = JSON.parse(outputs.kubeconfig);
    expect(kubeconfig.users[0].user).toEqual({
      exec: expect.objectContaining({ command: "aws", args: expect.arrayContaining(["get-token"]) }),
    });
  });
});

describe("network per environment", () => {
  test.each([
    ["prod", 3, 3],
    ["stage", 3, 3],
    ["admin", 2, 2],
    ["e2e", 2, 1],
  ] as const)(
    "%s: private subnets in %i distinct AZs, %i NAT gateway(s), each private route to a NAT of its own AZ when perAz",
    (stack, azs, nats) => {
      const run = runs[stack];
      const privateSubnets = subnets(run, "internal-elb");
      const publicSubnets = subnets(run, "elb");
      expect(new Set(privateSubnets.map((s) => s.inputs.availabilityZone)).size).toBe(azs);
      expect(publicSubnets.map((s) => s.inputs.availabilityZone)).toEqual(privateSubnets.map((s) => s.inputs.availabilityZone));
      for (const s of [...privateSubnets, ...publicSubnets]) expect(s.inputs.tags[`kubernetes.io/cluster/${stack}-eks`]).toBe("shared");
      const natGateways = run.ofType("aws:ec2/natGateway:NatGateway");
      expect(natGateways).toHaveLength(nats);
      expect(natGateways.map((n) => n.inputs.subnetId)).toEqual(publicSubnets.slice(0, nats).map(idOf));
      const defaultRoutes = run.ofType("aws:ec2/route:Route").filter((r) => r.inputs.natGatewayId);
      expect(defaultRoutes.map((r) => r.inputs.natGatewayId)).toEqual(
        privateSubnets.map((_, i) => idOf(natGateways[Math.min(i, nats - 1)])),
      );
    },
  );

  test("flow logs go to an S3 bucket expiring them after the configured retention where configured (not e2e)", () => {
    for (const stack of EKS_STACKS) {
      const flowLogs = runs[stack].ofType("aws:ec2/flowLog:FlowLog");
      const configured = config(stack)["platform:network"].flowLogs;
      expect(flowLogs).toHaveLength(configured ? 1 : 0);
      if (!configured) continue;
      expect(flowLogs[0].inputs).toMatchObject({ trafficType: "ALL", logDestinationType: "s3", vpcId: "network-vpc-id" });
      const lifecycle = runs[stack].one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "network-flow-logs-lifecycle");
      expect(lifecycle.inputs.rules[0].expiration).toEqual({ days: configured.retentionDays });
    }
  });
});

describe("stateful resources", () => {
  test("prod protects the cluster and the KMS key and keeps the key on delete; e2e does not", () => {
    for (const [stack, protect] of [
      ["prod", true],
      ["e2e", false],
    ] as const) {
      const run = runs[stack];
      const cluster = run.one("aws:eks/cluster:Cluster", "cluster-eks");
      const key = run.one("aws:kms/key:Key", "cluster-secrets-key");
      expect([cluster.protect, key.protect, key.retainOnDelete, cluster.inputs.deletionProtection]).toEqual([
        protect,
        protect,
        protect,
        protect,
      ]);
    }
  });
});

describe("node pools", () => {
  test("labels and taints reach the node groups and, for the autoscaler, their Auto Scaling groups", () => {
    const run = runs.prod;
    const system = run.one(NODE_GROUP, "node-pools-system");
    expect(system.inputs).toMatchObject({
      capacityType: "ON_DEMAND",
      instanceTypes: ["m7i.large"],
      scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
      updateConfig: { maxUnavailable: 1 },
      labels: { "platform.example.io/pool": "system" },
      taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }],
      tags: { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/prod-eks": "owned" },
    });
    expect(run.one(NODE_GROUP, "node-pools-spot").inputs).toMatchObject({ capacityType: "SPOT", updateConfig: { maxUnavailable: 3 } });
    const templateTags = run.ofType("aws:autoscaling/tag:Tag").filter((t) => t.name.startsWith("node-pools-system-"));
    expect(templateTags.map((t) => t.inputs)).toEqual([
      {
        autoscalingGroupName: "eks-node-pools-system-asg",
        tag: { key: "k8s.io/cluster-autoscaler/node-template/label/platform.example.io/pool", value: "system", propagateAtLaunch: false },
      },
      {
        autoscalingGroupName: "eks-node-pools-system-asg",
        tag: {
          key: "k8s.io/cluster-autoscaler/node-template/taint/CriticalAddonsOnly",
          value: "true:NoSchedule",
          propagateAtLaunch: false,
        },
      },
    ]);
  });
});

describe("stateful pools: one node group per AZ", () => {
  const groupsOf = (run: StackRun, pool: string) => run.ofType(NODE_GROUP).filter((g) => g.name.startsWith(`node-pools-${pool}`));

  test("prod's general pool becomes a group per AZ, its sizes split; system and spot keep their one group and URN", () => {
    const run = runs.prod;
    const privateIds = subnets(run, "internal-elb").map(idOf);
    const template = run.one("aws:ec2/launchTemplate:LaunchTemplate", "node-pools-general");
    const general = groupsOf(run, "general");
    expect(general.map((g) => g.name)).toEqual(["node-pools-general-az0", "node-pools-general-az1", "node-pools-general-az2"]);
    general.forEach((group, i) => {
      expect(group.inputs).toMatchObject({
        nodeGroupNamePrefix: `general-az${i}-`,
        subnetIds: [privateIds[i]],
        instanceTypes: ["m7i.2xlarge"],
        scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 10 },
        labels: { "platform.example.io/pool": "general" },
        launchTemplate: { id: idOf(template) },
      });
    });
    for (const pool of ["system", "spot"])
      expect(groupsOf(run, pool).map((g) => [g.name, g.inputs.subnetIds])).toEqual([[`node-pools-${pool}`, privateIds]]);
  });

  test("each AZ's Auto Scaling group tells the autoscaler its zone, so an empty one can be scaled up for a volume there", () => {
    const tags = runs.prod.ofType("aws:autoscaling/tag:Tag").filter((t) => t.name.startsWith("node-pools-general-"));
    const zones = subnets(runs.prod, "internal-elb").map((s) => s.inputs.availabilityZone);
    expect(tags.map((t) => [t.inputs.autoscalingGroupName, t.inputs.tag.key, t.inputs.tag.value]).sort()).toEqual(
      [0, 1, 2]
        .flatMap((i) => [
          [`eks-node-pools-general-az${i}-asg`, "k8s.io/cluster-autoscaler/node-template/label/platform.example.io/pool", "general"],
          [`eks-node-pools-general-az${i}-asg`, `k8s.io/cluster-autoscaler/node-template/label/${EBS_ZONE_LABEL}`, zones[i]],
        ])
        .sort(),
    );
  });

  test("stage's 2/3/10 over three AZs: the first AZs take the remainder, every group keeps min <= desired <= max", () => {
    expect(groupsOf(runs.stage, "general").map((g) => g.inputs.scalingConfig)).toEqual([
      { minSize: 1, desiredSize: 1, maxSize: 4 },
      { minSize: 1, desiredSize: 1, maxSize: 3 },
      { minSize: 0, desiredSize: 1, maxSize: 3 },
    ]);
    for (const [min, desired, max, zones] of [
      [0, 0, 2, 2],
      [1, 2, 6, 2],
      [3, 6, 30, 3],
      [2, 5, 7, 3],
      [1, 1, 3, 3],
    ]) {
      const pool = { name: "p", minSize: min, desiredSize: desired, maxSize: max, stateful: true } as NodePoolConfig;
      const plans = nodeGroupPlans(pool, zones);
      const sum = (key: "minSize" | "desiredSize" | "maxSize") => plans.reduce((n, p) => n + p.scaling[key], 0);
      expect([sum("minSize"), sum("desiredSize"), sum("maxSize")]).toEqual([min, desired, max]);
      for (const { scaling } of plans)
        expect(scaling.minSize <= scaling.desiredSize && scaling.desiredSize <= scaling.maxSize && scaling.maxSize >= 1).toBe(true);
    }
  });

  test("the autoscaler balances a pool's per-AZ groups, and the priority expander still finds a stateful spot pool's", () => {
    expect(BALANCING_IGNORED_LABELS).toEqual(expect.arrayContaining([EBS_ZONE_LABEL, "topology.k8s.aws/zone-id"]));
    const spot = { name: "spot", capacityType: "SPOT", stateful: true } as NodePoolConfig;
    const autoscaler = { enabled: true, expander: "priority", scaleDownUnneededTime: "10m", scaleDownDelayAfterAdd: "10m" } as const;
    const [pattern] = expanderPriorities(autoscaler, [spot])[50];
    expect(new RegExp(pattern).test("eks-spot-az1-20260314091507123400000001-4ec6b1c2-1111-2222-3333-444455556666")).toBe(true);
    expect(new RegExp(pattern).test("eks-spot-large-az1-20260314091507123400000001-4ec6b1c2-1111-2222-3333-444455556666")).toBe(false);
  });
});

describe("config rules for EKS", () => {
  test("an EKS cluster needs two AZs", async () => {
    const configure = (c: Record<string, any>) => (c["platform:network"].azCount = 1);
    await expect(runStack("e2e", { configure })).rejects.toThrow(/platform:network\.azCount = 1: expected at least 2 for an EKS cluster/);
  });

  test("the Kubernetes version must have pinned add-ons", async () => {
    const configure = (c: Record<string, any>) => (c["platform:cluster"].kubernetesVersion = "1.29");
    await expect(runStack("e2e", { configure })).rejects.toThrow(
      /platform:cluster\.kubernetesVersion = "1\.29": expected one of 1\.33, 1\.34: the versions whose EKS add-on builds are pinned/,
    );
  });

  test("a workload cluster needs an issuer: from config or from the hub", async () => {
    const configure = (c: Record<string, any>) => delete c["platform:hub"];
    await expect(runStack("e2e", { configure })).rejects.toThrow(
      /platform:identity\.oidc\.issuerUrl = \(not set\): expected an https:\/\/ issuer URL, or a hub section/,
    );
  });

  test("a pool's instance types share one CPU architecture, and pool names are unique", async () => {
    const configure = (c: Record<string, any>) => {
      const pools = c["platform:cluster"].nodePools;
      pools[0].instanceTypes = ["m7i.large", "m7g.large"];
      pools.push({ ...pools[0], instanceTypes: ["m7i.large"] });
    };
    await expect(runStack("e2e", { configure })).rejects.toThrow(
      /platform:cluster\.nodePools\[0\]\.instanceTypes = .*expected instance types of one CPU architecture[\s\S]*platform:cluster\.nodePools\[1\]\.name = "spot": expected a pool name not used/,
    );
  });
});

test("every Kubernetes provider of an EKS cluster is identified by the cluster itself, not by its kubeconfig", () => {
  for (const stack of EKS_STACKS) {
    const providers = runs[stack].ofType("pulumi:providers:kubernetes");
    expect(providers).toHaveLength(2);
    for (const provider of providers) {
      expect(provider.inputs.clusterIdentifier).toBe(`arn:aws:eks:eu-west-1:123456789012:cluster-eks@2026-01-01T00:00:00Z`);
    }
  }
});
