import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PIPELINE_READERS_GROUP } from "../pipeline-access";

export interface ClusterAdminsArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly principalArns: string[];
  readonly partition: string;
}

/**
 * Cluster-admin access entries for IAM roles. Access entries (not the `aws-auth` ConfigMap) are EKS API
 * objects: they survive a broken ConfigMap edit, show up in CloudTrail, and are managed here like any resource.
 * Returns the policy associations: a role can call the API only once its association exists.
 */
export function clusterAdmins(
  name: string,
  args: ClusterAdminsArgs,
  opts: pulumi.CustomResourceOptions,
): aws.eks.AccessPolicyAssociation[] {
  const policyArn = `arn:${args.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
  return [...new Set(args.principalArns)].map((principalArn) => {
    const roleName = principalArn.split("/").pop();
    const entry = new aws.eks.AccessEntry(`${name}-${roleName}`, { clusterName: args.clusterName, principalArn, type: "STANDARD" }, opts);
    return new aws.eks.AccessPolicyAssociation(
      `${name}-${roleName}`,
      { clusterName: args.clusterName, principalArn, policyArn, accessScope: { type: "cluster" } },
      { ...opts, dependsOn: [entry] },
    );
  });
}

export interface PreviewerArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly principalArn: string;
  readonly partition: string;
}

/**
 * The preview role's access: AmazonEKSViewPolicy on the whole cluster (workloads and their configuration, no
 * Secrets, no writes), and the Kubernetes group PIPELINE_READERS_GROUP, to which the platform binds the rest of
 * what its jobs read: everything but Secrets for the drift check's refresh, and the Secrets its charts look up
 * while rendering in a preview (components/pipeline-access). An access entry may carry groups and access
 * policies together; the principal then has both (EKS User Guide, "Associate access policies with access
 * entries"). Nothing it holds writes: a preview's server-side dry runs are forbidden and pulumi-kubernetes falls
 * back to the inputs (provider/pkg/provider/provider.go, Create and Update with preview, apierrors.IsForbidden),
 * so such a preview cannot show an admission or immutable-field refusal; `npm run verify` does.
 */
export function clusterPreviewer(name: string, args: PreviewerArgs, opts: pulumi.CustomResourceOptions): aws.eks.AccessPolicyAssociation {
  // kubernetesGroups is updated in place (UpdateAccessEntry): an existing entry is not replaced.
  const entry = new aws.eks.AccessEntry(
    name,
    { clusterName: args.clusterName, principalArn: args.principalArn, type: "STANDARD", kubernetesGroups: [PIPELINE_READERS_GROUP] },
    opts,
  );
  return new aws.eks.AccessPolicyAssociation(
    name,
    {
      clusterName: args.clusterName,
      principalArn: args.principalArn,
      policyArn: `arn:${args.partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`,
      accessScope: { type: "cluster" },
    },
    { ...opts, dependsOn: [entry] },
  );
}
