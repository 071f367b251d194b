import { z } from "zod";
import { cidrContains, parseCidr } from "../../lib/cidr";
import { cloudwatchRetentionDays, gp3VolumeGiB } from "../aws-limits";
import { nodeLabelKey, nodeLabelValue, taintKey, taintValue } from "../kubernetes-names";
import { awsRoleArn, cidr, dnsLabel, noDuplicates, nonNegativeInt, positiveInt } from "../primitives";

/** Every control-plane log type EKS offers (LogSetup.types in the EKS API). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const taint = z.strictObject({
  key: taintKey,
  value: taintValue.default(""),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
});

/** EKS NodegroupUpdateConfig: maxUnavailable is 1 to 100 nodes. */
const EKS_MAX_UNAVAILABLE = 100;

export const kubernetesMinor = z.string().regex(/^1\.[0-9]{2}$/, { message: "expected a Kubernetes minor version such as 1.33" });

/**
 * The node-group generations of a blue/green pool. Blue's node groups are the ones the pool has as a rolling pool
 * (same resource names, same node group name prefix), so a pool switches to blueGreen without replacing a node.
 */
export const NODE_GENERATIONS = ["blue", "green"] as const;
export type NodeGenerationName = (typeof NODE_GENERATIONS)[number];

export const nodePoolSchema = z
  .strictObject({
    name: dnsLabel,
    capacityType: z.enum(["ON_DEMAND", "SPOT"]),
    instanceTypes: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "expected an EC2 instance type such as m7i.large" }))
      .min(1, { message: "expected at least one instance type" })
      .superRefine(noDuplicates("an instance type")),
    minSize: nonNegativeInt,
    desiredSize: nonNegativeInt,
    maxSize: positiveInt,
    /** Root volume of each node (gp3). */
    diskSizeGiB: gp3VolumeGiB.default(50),
    /** Nodes replaced at once during a rolling update. */
    maxUnavailable: positiveInt
      .max(EKS_MAX_UNAVAILABLE, { message: `expected at most ${EKS_MAX_UNAVAILABLE} (the EKS limit for a rolling update)` })
      .default(1),
    /** Kubernetes labels of the pool's nodes (also the autoscaler's node-template tags). */
    labels: z.record(nodeLabelKey, nodeLabelValue).default({}),
    /**
     * Teams' pods may tolerate this pool's taints, to choose it (spot capacity, say). Otherwise a pool's taints are
     * the platform's, and admission refuses a team's pod that tolerates them (components/tenancy/admission).
     */
    openToTeams: z.boolean().default(false),
    /** One taint per key: the autoscaler's node-template tag is named after the key alone. */
    taints: z
      .array(taint)
      .default([])
      .superRefine(noDuplicates("a taint key", (t) => t.key, "key")),
    /**
     * The pool runs pods with zonal EBS volumes (Prometheus, Alertmanager, Elasticsearch): one node group per AZ,
     * min/desired/max split across them, so the cluster autoscaler can add a node in the AZ of a pending pod's
     * volume (config/rules-capacity.ts requires it where such pods can be scheduled).
     */
    stateful: z.boolean().default(false),
    /**
     * rolling: EKS updates the pool's node groups in place when cluster.kubernetesVersion moves (maxUnavailable
     * nodes at a time, through PodDisruptionBudgets). blueGreen: each generation's node groups keep the minor
     * pinned in `generations`; an upgrade adds the other generation and makes it active, and the old one is
     * tainted, drained and then removed, each step a change of its own (docs/upgrades.md).
     */
    upgradeStrategy: z.enum(["rolling", "blueGreen"]).default("rolling"),
    /** blueGreen only: the Kubernetes minor of each generation's node groups; a generation left out has none. */
    generations: z.strictObject({ blue: kubernetesMinor.optional(), green: kubernetesMinor.optional() }).optional(),
    /** blueGreen only: the generation pods are scheduled on; the other one, if present, is tainted NoSchedule. */
    activeGeneration: z.enum(NODE_GENERATIONS).optional(),
  })
  .superRefine((pool, ctx) => {
    generationProblems(pool).forEach(([key, message]) => ctx.addIssue({ code: "custom", path: [key], message }));
    // Each size is related to the others only when it is valid on its own: a bad maxSize is one mistake, not two.
    const size = (value: unknown) => (Number.isInteger(value) && (value as number) >= 0 ? (value as number) : undefined);
    const [min, desired, max] = [size(pool.minSize), size(pool.desiredSize), size(pool.maxSize)];
    if (min !== undefined && max !== undefined && max >= 1 && min > max) {
      ctx.addIssue({ code: "custom", path: ["minSize"], message: `expected at most maxSize (${max})` });
    } else if (desired !== undefined && min !== undefined && desired < min) {
      ctx.addIssue({ code: "custom", path: ["desiredSize"], message: `expected at least minSize (${min})` });
    } else if (desired !== undefined && max !== undefined && max >= 1 && desired > max) {
      ctx.addIssue({ code: "custom", path: ["desiredSize"], message: `expected at most maxSize (${max})` });
    }
  });

/** How a pool's upgrade settings contradict each other (their skew against the control plane: config/rules-upgrades.ts). */
function generationProblems(pool: {
  upgradeStrategy?: unknown;
  generations?: Partial<Record<NodeGenerationName, string>>;
  activeGeneration?: unknown;
}): [string, string][] {
  if (pool.upgradeStrategy !== "blueGreen") {
    const rollingOnly =
      "nothing with upgradeStrategy rolling (the node groups follow cluster.kubernetesVersion): set upgradeStrategy: blueGreen to pin generations";
    return (["generations", "activeGeneration"] as const).filter((key) => pool[key] !== undefined).map((key) => [key, rollingOnly]);
  }
  const present = NODE_GENERATIONS.filter((g) => typeof pool.generations?.[g] === "string");
  if (present.length === 0) {
    return [
      [
        "generations",
        'at least one generation with its Kubernetes minor, such as { blue: "1.33" }: the last generation of a pool cannot be removed (remove the pool itself, or make another generation active first)',
      ],
    ];
  }
  if (pool.activeGeneration === undefined) return [["activeGeneration", `the generation pods are scheduled on: ${present.join(" or ")}`]];
  if (typeof pool.activeGeneration === "string" && !present.includes(pool.activeGeneration as NodeGenerationName)) {
    return [
      [
        "activeGeneration",
        `one of the pool's generations (${present.join(", ")}): the active generation is where pods run, so it is removed only after another generation became active in an earlier change`,
      ],
    ];
  }
  return [];
}

/**
 * EKS KubernetesNetworkConfigRequest.serviceIpv4Cidr: within 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, from
 * /12 to /24 (overlap with the VPC is checked in config/rules-network.ts).
 */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const serviceCidr = cidr.refine(
  (v) => {
    const parsed = parseCidr(v);
    return !parsed || (parsed.prefix >= 12 && parsed.prefix <= 24 && PRIVATE_RANGES.some((range) => cidrContains(range, v)));
  },
  { message: `expected a CIDR from /12 to /24 inside ${PRIVATE_RANGES.join(", ")} (what EKS accepts for the service range)` },
);

const eksCluster = z.strictObject({
  mode: z.literal("eks"),
  kubernetesVersion: kubernetesMinor,
  serviceCidr: serviceCidr.default("172.20.0.0/16"),
  /** Empty: the API endpoint is private only (reached through the VPN and the Transit Gateway). */
  publicAccessCidrs: z.array(cidr).default([]).superRefine(noDuplicates("a CIDR")),
  /**
   * admin's first deployment only: its API endpoint is private, and no runner exists yet inside its VPC to reach
   * it. These ranges (the operator's address) may reach the public endpoint until `until` (ISO 8601, at most
   * seven days ahead); past it the config is refused until the key is removed, which makes the endpoint private
   * again (docs/bootstrap.md). The EKS cluster carries the deadline as a tag, so the policy pack admits the
   * public endpoint only while it lasts.
   */
  bootstrapAccess: z
    .strictObject({
      cidrs: z
        .array(cidr.refine((v) => !v.endsWith("/0"), { message: "expected the operator's range, not the whole internet" }))
        .min(1)
        .superRefine(noDuplicates("a CIDR")),
      until: z.iso.datetime({ message: "expected an ISO 8601 UTC time such as 2026-12-09T18:00:00Z" }),
    })
    .optional(),
  /** IAM roles of the infra team; they become cluster admins through access entries. */
  adminRoleArns: z.array(awsRoleArn).min(1, { message: "expected at least one IAM role ARN" }).superRefine(noDuplicates("a role ARN")),
  /** The control plane's CloudWatch log group. */
  logRetentionDays: cloudwatchRetentionDays.default(90),
  nodePools: z.array(nodePoolSchema).min(1, { message: "expected at least one node pool" }),
  /** Control-plane log types sent to CloudWatch (each costs ingestion); retention is logRetentionDays for all. */
  controlPlaneLogTypes: z
    .array(z.enum(CONTROL_PLANE_LOG_TYPES))
    .min(1)
    .default([...CONTROL_PLANE_LOG_TYPES]),
  /** EKS support policy: EXTENDED keeps an old minor running past standard support, at extra cost per cluster hour. */
  supportType: z.enum(["STANDARD", "EXTENDED"]).default("STANDARD"),
});

const existingCluster = z.strictObject({
  mode: z.literal("existing"),
  /** Path to a kubeconfig file (relative paths are resolved from the project directory; `~` is expanded). */
  kubeconfig: z.string().min(1, { message: "expected the path of a kubeconfig file" }),
  context: z.string().min(1, { message: "expected the name of a context of the kubeconfig" }).optional(),
});

export const clusterSection = z.discriminatedUnion("mode", [eksCluster, existingCluster]);
export type EksClusterConfig = z.infer<typeof eksCluster>;
export type NodePoolConfig = z.infer<typeof nodePoolSchema>;
