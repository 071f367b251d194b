/**
 * The platform runners on Fargate: the pods that run admin's own `pulumi up` must not run on the node pools that
 * update rolls (a node group's roll drains its pods, the update's own runner among them, leaving a lock and pending
 * operations). A Fargate profile selects exactly those pods (their namespace and the label their scale set's
 * template sets); each then runs on its own Fargate node, which no node-group change, AMI or launch template
 * touches (Amazon EKS User Guide, "AWS Fargate"). What Fargate changes for them: no DaemonSet reaches them (no
 * Calico, so the namespace's NetworkPolicies are not enforced on them; no Fluent Bit, node-exporter or aws-node),
 * no instance metadata (IMDS is not available to Fargate pods), no privileged container or host access at all, and
 * the pod is sized by its requests (config/rules-ci.ts).
 *
 * Replacing the profile (a new selector, subnet or execution role: EKS updates none in place) deletes the pods it
 * scheduled ("Delete a Fargate profile"), the runner of the update doing it included. It is therefore protected:
 * a preview that would replace it fails, and the change is made deliberately, from an operator session (VPN), with
 * no platform job running (docs/hub.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { boundedRole, managedPolicyArn } from "../aws-account";
import { firstPullThroughPolicy } from "../registry/policies";

export interface RunnerFargateArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: pulumi.Input<string>;
  /** Private subnets only: Fargate places pods in subnets without a route to an internet gateway. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly selector: { readonly namespace: string; readonly labels: Record<string, string> };
  /** The account's pull-through cache prefixes: the first pull of an image through one imports it. */
  readonly cachePrefixes: readonly string[];
}

export class RunnerFargate extends pulumi.ComponentResource {
  readonly profileName: pulumi.Output<string>;

  constructor(name: string, args: RunnerFargateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci-runners:RunnerFargate", name, {}, opts);
    const { naming, partition, region, accountId } = args;
    const awsOpts = { parent: this, provider: args.awsProvider };
    // The pod execution role is Fargate's own (pulling images, registering the node), never the pod's: containers
    // cannot assume it (Amazon EKS User Guide, "Amazon EKS Pod execution IAM role", whose trust policy this is, with
    // its SourceArn condition against the confused deputy).
    const role = boundedRole(
      `${name}-pod-execution`,
      {
        name: naming.resource("runner-fargate"),
        description: "Fargate's pod execution role of the platform runners: pulls their images, registers their nodes",
        assumeRolePolicy: pulumi.output(args.clusterName).apply((cluster) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "eks-fargate-pods.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { ArnLike: { "aws:SourceArn": `arn:${partition}:eks:${region}:${accountId}:fargateprofile/${cluster}/*` } },
              },
            ],
          }),
        ),
        tags: naming.tags(),
      },
      awsOpts,
    );
    const pulls = new aws.iam.RolePolicyAttachment(
      `${name}-pod-execution-policy`,
      { role: role.name, policyArn: managedPolicyArn(partition, "AmazonEKSFargatePodExecutionRolePolicy") },
      awsOpts,
    );
    const firstPulls =
      args.cachePrefixes.length > 0
        ? [
            new aws.iam.RolePolicy(
              `${name}-pull-through`,
              {
                role: role.name,
                name: "ecr-pull-through-cache",
                policy: JSON.stringify(firstPullThroughPolicy({ partition, region, accountId }, args.cachePrefixes)),
              },
              awsOpts,
            ),
          ]
        : [];
    const profile = new aws.eks.FargateProfile(
      `${name}-profile`,
      {
        clusterName: args.clusterName,
        fargateProfileName: naming.resource("platform-runners"),
        podExecutionRoleArn: role.arn,
        subnetIds: args.subnetIds,
        selectors: [{ namespace: args.selector.namespace, labels: args.selector.labels }],
        tags: naming.tags(),
      },
      { ...awsOpts, protect: true, dependsOn: [pulls, ...firstPulls] },
    );
    this.profileName = profile.fargateProfileName;
    this.registerOutputs({ profileName: this.profileName });
  }
}
