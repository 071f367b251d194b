/** VPC flow logs go to S3: CloudWatch Logs ingestion of every connection record costs several times as much. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf } from "../common";

const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const flowLogDefaults = { allowedDestinationTypes: ["s3"] };

export const flowLogsToS3: ResourceValidationPolicy = {
  name: "aws-flow-logs-to-s3",
  description:
    "VPC flow logs are delivered to S3 (logDestinationType s3), not to CloudWatch Logs, whose ingestion is billed per GB at several times the rate.",
  severity: "low",
  configSchema: {
    properties: {
      allowedDestinationTypes: {
        type: "array",
        items: { type: "string", enum: ["s3", "cloud-watch-logs", "kinesis-data-firehose"] },
        default: flowLogDefaults.allowedDestinationTypes,
      },
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
