import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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
 * The preview role's access: AmazonEKSViewPolicy on the whole cluster, which reads every object but Secrets and
 * changes nothing. That is enough for a preview: pulumi-kubernetes computes each diff from the state and the new
 * inputs, and where its server-side dry run is forbidden (403) it falls back to the inputs instead of failing
 * (provider/pkg/provider/provider.go, Create and Update with preview: `apierrors.IsForbidden`). What such a
 * preview cannot show is an admission or immutable-field refusal: the update (of the reviewed plan, without
 * a preview of its own) meets those part-way, as cluster-admin.
 */
export function clusterPreviewer(name: string, args: PreviewerArgs, opts: pulumi.CustomResourceOptions): aws.eks.AccessPolicyAssociation {
  const entry = new aws.eks.AccessEntry(name, { clusterName: args.clusterName, principalArn: args.principalArn, type: "STANDARD" }, opts);
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
