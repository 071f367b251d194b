/**
 * Calico through the Tigera operator: its CRDs, the operator, and the one `Installation` that says which mode
 * the cluster runs in (policy-only on the AWS VPC CNI, or Calico as CNI and IPAM with its own IP pool).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CalicoConfig, Encapsulation } from "../../config/sections/calico";
import { RegistryMirrors, registryThroughMirror } from "../../lib/images";
import { Naming } from "../../lib/naming";
import { platformNamespace } from "../tenancy";
import { CHARTS, chartSource } from "../../lib/versions";
import { installationSpec } from "./installation";

const OPERATOR_NAMESPACE = "tigera-operator";

export interface CalicoArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly config: CalicoConfig;
  /** The environment's ECR pull-through caches: the operator and the Calico images it deploys come through Quay's. */
  readonly registryMirrors: RegistryMirrors;
}

/**
 * Where the chart's operator image and the operator's Calico images (`calico/node`, …) come from: the operator
 * pulls Calico from Quay by default since tigera/operator#3832 (Calico publishes on Docker Hub and Quay alike,
 * tigera/docs#2353), so one cache serves both.
 */
const CALICO_REGISTRY = "quay.io";

export interface CalicoIpPool {
  readonly cidr: string;
  readonly encapsulation: Encapsulation;
}

/**
 * In cni mode the node pools depend on this component, so that every node joins a cluster whose CNI is
 * already on its way; in policy-only mode it goes in through a provider that waits for the nodes.
 */
export class Calico extends pulumi.ComponentResource {
  readonly mode: CalicoConfig["mode"];
  /** The pod address pool; null in policy-only mode, where pods take VPC addresses. */
  readonly ipPool: CalicoIpPool | null;

  constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:calico:Calico", name, {}, opts);
    const { provider, naming, config } = args;
    const childOpts = { parent: this, provider };
    this.mode = config.mode;
    this.ipPool = config.mode === "cni" ? { cidr: config.ipPool.cidr, encapsulation: config.ipPool.encapsulation } : null;
    const registry = registryThroughMirror(CALICO_REGISTRY, args.registryMirrors);

    // The operator runs host-networked with host paths, which only the privileged level admits.
    const namespace = platformNamespace(this, { provider, naming, name: OPERATOR_NAMESPACE, podSecurity: "privileged" });

    // Chart v4: each CRD is its own resource with a per-field preview diff and is upgraded with the chart
    // version (the CRDs are templates in this chart, so unlike a `crds/` directory they are not install-only).
    const crds = new k8s.helm.v4.Chart(`${name}-crds`, chartSource(CHARTS.calicoCrds), childOpts);

    // Chart v4 for per-object diffs. Its one hook, a pre-delete Job that removes the Installation before the
    // operator goes, is dropped by v4; the Installation below depends on this chart, so Pulumi deletes it first.
    // In cni mode there are no nodes until the node pools, which wait for Calico, so nothing here can
    // become ready yet: awaiting the operator Deployment would deadlock.
    const operator = new k8s.helm.v4.Chart(
      `${name}-operator`,
      {
        ...chartSource(CHARTS.tigeraOperator),
        namespace: OPERATOR_NAMESPACE,
        skipAwait: config.mode === "cni",
        values: {
          // The Installation is managed below as its own resource; the optional components stay off: the
          // API server (projectcalico.org/v3 through an aggregated API the EKS control plane must reach) is
          // not needed for Kubernetes NetworkPolicy, Goldmane and Whisker are flow-log tooling.
          installation: { enabled: false },
          // The CRD chart above owns the CRDs; with the chart's default `manageCRDs: true` the operator
          // (-manage-crds) would also create and rewrite them on every reconcile: two writers of one object.
          manageCRDs: false,
          apiServer: { enabled: false },
          goldmane: { enabled: false },
          whisker: { enabled: false },
          additionalLabels: naming.labels(),
          tigeraOperator: { registry },
        },
      },
      { ...childOpts, dependsOn: [namespace, crds] },
    );

    // A resource of its own rather than chart values: its spec is an input the preview diffs field by field,
    // other resources can depend on it, and an operator upgrade never rewrites it.
    new k8s.apiextensions.CustomResource(
      `${name}-installation`,
      {
        apiVersion: "operator.tigera.io/v1",
        kind: "Installation",
        // The operator reconciles only the Installation named "default".
        metadata: { name: "default", labels: naming.labels() },
        spec: installationSpec(config, registry === CALICO_REGISTRY ? undefined : registry),
      },
      { ...childOpts, dependsOn: [crds, operator] },
    );

    this.registerOutputs({ mode: this.mode, ipPool: this.ipPool });
  }
}
