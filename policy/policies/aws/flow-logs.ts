/** VPC flow logs go to S3: CloudWatch Logs ingestion of every connection record costs several times as much. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, stringList } from "../common";
import { described } from "../catalogue";

const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const flowLogDefaults = { allowedDestinationTypes: ["s3"] };

export const flowLogsToS3: ResourceValidationPolicy = {
  ...described("aws-flow-logs-to-s3"),
  configSchema: {
    properties: {
      allowedDestinationTypes: stringList(flowLogDefaults.allowedDestinationTypes, {
        allowed: ["s3", "cloud-watch-logs", "kinesis-data-firehose"],
      }),
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== FLOW_LOG) return;
    // The provider's default destination is CloudWatch Logs.
    const destination: string = args.props.logDestinationType ?? "cloud-watch-logs";
    const { allowedDestinationTypes } = configOf(args, flowLogDefaults);
    if (!allowedDestinationTypes.includes(destination))
      reportViolation(`The flow log goes to ${destination}; allowed: ${allowedDestinationTypes.join(", ")}.`);
  },
};
