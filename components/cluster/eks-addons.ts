import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { boundedRole, managedPolicyArn } from "../aws-account";
import { EKS_ADDONS, EksAddonName } from "../../lib/versions";
import { EksCluster } from "./eks";
import { IrsaIssuer, serviceAccountTrustPolicy } from "../irsa";

export interface EksAddonsArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly cluster: EksCluster;
  readonly kubernetesVersion: string;
  readonly partition: string;
}

/** A managed add-on at the build pinned for the cluster's Kubernetes minor; this code, not the console, owns its settings. */
function addon(
  name: string,
  args: EksAddonsArgs,
  addonName: EksAddonName,
  extra: Partial<aws.eks.AddonArgs>,
  opts: pulumi.CustomResourceOptions,
): aws.eks.Addon {
  return new aws.eks.Addon(
    name,
    {
      clusterName: args.cluster.name,
      addonName,
      addonVersion: EKS_ADDONS[args.kubernetesVersion][addonName],
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      ...extra,
    },
    opts,
  );
}

interface AddonRoleArgs {
  readonly irsa: IrsaIssuer;
  readonly serviceAccount: string;
  readonly roleName: string;
  /** The AWS-managed policy written for this add-on, so that its permissions follow the add-on's releases. */
  readonly policyArn: string;
}

/**
 * The IRSA role of an add-on's kube-system service account. The add-on depends on `attached`, so that its
 * pods never start with a role that cannot do anything yet.
 */
function addonRole(name: string, args: AddonRoleArgs, opts: pulumi.CustomResourceOptions & { provider: aws.Provider }) {
  const role = boundedRole(
    `${name}-role`,
    {
      name: args.roleName,
      assumeRolePolicy: serviceAccountTrustPolicy(args.irsa, { namespace: "kube-system", serviceAccount: args.serviceAccount }),
    },
    opts,
  );
  const attached = new aws.iam.RolePolicyAttachment(`${name}-policy`, { role: role.name, policyArn: args.policyArn }, opts);
  return { arn: role.arn, attached };
}

export interface NetworkAddonsArgs extends EksAddonsArgs {
  /** false when Calico is the CNI (`calico.mode: cni`): then no aws-node may run at all. */
  readonly vpcCni: boolean;
}

/**
 * What a node needs to become Ready, installed before any node exists: kube-proxy, and the VPC CNI unless
 * Calico is the CNI. Both are DaemonSets, so EKS reports them ACTIVE with zero nodes.
 */
export class NetworkAddons extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:NetworkAddons", name, {}, opts);
    const childOpts = { parent: this, provider: args.awsProvider };
    addon(`${name}-kube-proxy`, args, "kube-proxy", {}, childOpts);
    if (args.vpcCni) {
      // Its own role (IRSA) rather than the node role: only aws-node may manage network interfaces.
      const role = addonRole(
        `${name}-vpc-cni`,
        {
          irsa: args.cluster.irsa,
          serviceAccount: "aws-node",
          roleName: args.naming.resource("eks", "vpc-cni"),
          policyArn: managedPolicyArn(args.partition, "AmazonEKS_CNI_Policy"),
        },
        childOpts,
      );
      addon(`${name}-vpc-cni`, args, "vpc-cni", { serviceAccountRoleArn: role.arn }, { ...childOpts, dependsOn: [role.attached] });
    }
    this.registerOutputs({});
  }
}

export interface ClusterServicesArgs extends EksAddonsArgs {
  /** The node pools: CoreDNS and the EBS CSI controller are Deployments, ACTIVE only once their pods run. */
  readonly nodes: pulumi.Resource[];
  /** prod: volumes outlive their claims (reclaimPolicy Retain), so deleting a PVC never deletes data. */
  readonly retainVolumes: boolean;
}

/** Cluster DNS and block storage: the EKS add-ons that need nodes, and the default StorageClass. */
export class ClusterServices extends pulumi.ComponentResource {
  constructor(name: string, args: ClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:ClusterServices", name, {}, opts);
    const childOpts = { parent: this, provider: args.awsProvider };
    const onNodes = { ...childOpts, dependsOn: args.nodes };

    addon(`${name}-coredns`, args, "coredns", {}, onNodes);

    const ebsCsiRole = addonRole(
      `${name}-ebs-csi`,
      {
        irsa: args.cluster.irsa,
        serviceAccount: "ebs-csi-controller-sa",
        roleName: args.naming.resource("eks", "ebs-csi"),
        policyArn: managedPolicyArn(args.partition, "service-role/AmazonEBSCSIDriverPolicy"),
      },
      childOpts,
    );
    addon(
      `${name}-ebs-csi`,
      args,
      "aws-ebs-csi-driver",
      { serviceAccountRoleArn: ebsCsiRole.arn },
      { ...onNodes, dependsOn: [...args.nodes, ebsCsiRole.attached] },
    );

    new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: { name: "gp3", labels: args.naming.labels(), annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", fsType: "ext4" },
        // The volume is created in the AZ where the pod is scheduled, not in a random one it cannot reach.
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: args.retainVolumes ? "Retain" : "Delete",
      },
      { parent: this, provider: args.cluster.provider },
    );
    this.registerOutputs({});
  }
}
