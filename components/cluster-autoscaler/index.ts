import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NodePoolConfig } from "../../config/sections/cluster";
import { AutoscalerConfig } from "../../config/sections/services";
import { throughMirror } from "../../lib/images";
import { chartServiceAccount, IrsaChartArgs } from "../irsa";
import { platformNamespace } from "../tenancy";
import { CHARTS, chartSource, IMAGES } from "../../lib/versions";
import { autoscalerPolicy } from "./policy";
import { autoscalerArgs, expanderPriorities } from "./values";

export const AUTOSCALER_NAMESPACE = "cluster-autoscaler";

export interface ClusterAutoscalerArgs extends IrsaChartArgs {
  /** The EKS cluster name: auto-discovery finds node groups by the tags that carry it. */
  readonly clusterName: pulumi.Input<string>;
  /** Kubernetes minor (e.g. `1.33`): selects the autoscaler image of the same minor. */
  readonly kubernetesVersion: string;
  readonly nodePools: readonly NodePoolConfig[];
  readonly config: AutoscalerConfig;
}

/** The AWS cluster autoscaler: adds nodes for pending pods and removes unneeded ones, spot and on-demand alike. */
export class ClusterAutoscaler extends pulumi.ComponentResource {
  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster-autoscaler:ClusterAutoscaler", name, {}, opts);
    const { naming, config } = args;
    const imageTag = (IMAGES.clusterAutoscaler.tagByKubernetesMinor as Record<string, string>)[args.kubernetesVersion];
    if (!imageTag) throw new Error(`no cluster-autoscaler image for Kubernetes ${args.kubernetesVersion} in lib/versions.ts`);

    const namespace = platformNamespace(this, { provider: args.provider, naming, name: AUTOSCALER_NAMESPACE, podSecurity: "restricted" });
    const { roleArn, serviceAccount } = chartServiceAccount(this, name, args, {
      purpose: "cluster-autoscaler",
      namespace: AUTOSCALER_NAMESPACE,
      serviceAccount: "cluster-autoscaler",
      policy: pulumi.output(args.clusterName).apply((clusterName) => JSON.stringify(autoscalerPolicy(args.aws, clusterName))),
    });

    // helm.v4 Chart: the chart has no hooks, so every object is previewed and diffed on its own.
    new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        ...chartSource(CHARTS.clusterAutoscaler),
        namespace: AUTOSCALER_NAMESPACE,
        name: "cluster-autoscaler",
        values: {
          fullnameOverride: "cluster-autoscaler",
          cloudProvider: "aws",
          awsRegion: args.aws.region,
          autoDiscovery: { clusterName: args.clusterName },
          image: { repository: throughMirror(IMAGES.clusterAutoscaler.repository, args.registryMirrors), tag: imageTag },
          rbac: { serviceAccount },
          extraArgs: autoscalerArgs(config),
          expanderPriorities: expanderPriorities(config, args.nodePools),
          // Runs where the system add-ons run, so it never has to evict itself to remove a workload node.
          tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            fsGroup: 65534,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        },
      },
      { parent: this, provider: args.provider, dependsOn: namespace },
    );

    this.registerOutputs({ roleArn });
  }
}
