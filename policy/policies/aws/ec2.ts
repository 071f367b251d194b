/** Nodes answer instance-metadata requests only with a session token (IMDSv2), which blocks SSRF-style credential theft. */
import type { ResourceValidationPolicy } from "@pulumi/policy";

const WITH_METADATA_OPTIONS = ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"];
const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

export const imdsv2Required: ResourceValidationPolicy = {
  name: "aws-imdsv2-required",
  description:
    "Launch templates and instances require IMDSv2 (metadataOptions.httpTokens: required); EKS node groups use such a launch template.",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (WITH_METADATA_OPTIONS.includes(args.type) && args.props.metadataOptions?.httpTokens !== "required") {
      reportViolation("Instance metadata accepts IMDSv1: set metadataOptions.httpTokens to \"required\".");
    }
    // Without a launch template, a node group's metadata settings are EKS's defaults, which this stack does not see.
    if (args.type === EKS_NODE_GROUP && args.props.launchTemplate === undefined) {
      reportViolation("The node group has no launch template, so nothing here requires IMDSv2 on its nodes: give it one with metadataOptions.httpTokens \"required\".");
    }
  },
};
