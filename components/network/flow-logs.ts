import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";

export interface FlowLogsArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly vpcId: pulumi.Input<string>;
  readonly accountId: string;
  readonly retentionDays: number;
  /** Keep the log group when the stack is destroyed. */
  readonly retain: boolean;
}

/** Every accepted and rejected connection of the VPC, in a CloudWatch log group with a bounded retention. */
export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:FlowLogs", name, {}, opts);
    const childOpts = { parent: this, provider: args.awsProvider };

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/vpc/${args.naming.resource("vpc")}/flow-logs`, retentionInDays: args.retentionDays },
      { ...childOpts, retainOnDelete: args.retain },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: args.naming.resource("vpc-flow-logs"),
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
              // Only flow logs of this account may use the role (confused-deputy protection).
              Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
            },
          ],
        }),
      },
      childOpts,
    );
    const delivery = new aws.iam.RolePolicy(
      `${name}-delivery`,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
            { Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
          ],
        }),
      },
      childOpts,
    );
    new aws.ec2.FlowLog(
      `${name}-vpc`,
      {
        vpcId: args.vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        tags: { Name: args.naming.resource("vpc-flow-logs") },
      },
      // Without its permissions in place the first delivery fails and the flow log reports an error state.
      { ...childOpts, dependsOn: [delivery] },
    );

    this.logGroupName = logGroup.name;
    this.registerOutputs({ logGroupName: this.logGroupName });
  }
}
