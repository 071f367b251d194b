import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { boundedRole, managedPolicyArn } from "../aws-account";
import { EKS_ADDONS, EksAddonName } from "../../lib/versions";
import { EksCluster } from "./eks";
import { serviceAccountTrustPolicy } from "../irsa";

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

/** An add-on whose pods call AWS: the kube-system service account it runs as, and the AWS-managed policy written for it. */
interface AddonWithRole {
  readonly addonName: EksAddonName;
  /** The role is `<env>-eks-<roleSuffix>`. */
  readonly roleSuffix: string;
  readonly serviceAccount: string;
  /** Below `arn:<partition>:iam::aws:policy/`: its permissions follow the add-on's releases. */
  readonly managedPolicy: string;
}

/**
 * An add-on whose service account has an IRSA role of its own. The add-on waits for the policy's attachment as well
 * as for `after`, so that its pods never start with a role that cannot do anything yet.
 */
function addonWithRole(
  name: string,
  args: EksAddonsArgs,
  access: AddonWithRole,
  opts: { parent: pulumi.Resource; provider: aws.Provider; after: pulumi.Resource[] },
): aws.eks.Addon {
  const childOpts = { parent: opts.parent, provider: opts.provider };
  const role = boundedRole(
    `${name}-role`,
    {
      name: args.naming.resource("eks", access.roleSuffix),
      assumeRolePolicy: serviceAccountTrustPolicy(args.cluster.irsa, { namespace: "kube-system", serviceAccount: access.serviceAccount }),
    },
    childOpts,
  );
  const attached = new aws.iam.RolePolicyAttachment(
    `${name}-policy`,
    { role: role.name, policyArn: managedPolicyArn(args.partition, access.managedPolicy) },
    childOpts,
  );
  const dependsOn = [...opts.after, attached];
  return addon(name, args, access.addonName, { serviceAccountRoleArn: role.arn }, { ...childOpts, dependsOn });
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
      const vpcCni = {
        addonName: "vpc-cni",
        roleSuffix: "vpc-cni",
        serviceAccount: "aws-node",
        managedPolicy: "AmazonEKS_CNI_Policy",
      } as const;
      addonWithRole(`${name}-vpc-cni`, args, vpcCni, { ...childOpts, after: [] });
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

    const ebsCsi = {
      addonName: "aws-ebs-csi-driver",
      roleSuffix: "ebs-csi",
      serviceAccount: "ebs-csi-controller-sa",
      managedPolicy: "service-role/AmazonEBSCSIDriverPolicy",
    } as const;
    addonWithRole(`${name}-ebs-csi`, args, ebsCsi, { ...childOpts, after: args.nodes });

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
