/**
 * Nodes answer instance-metadata requests only with a session token (IMDSv2), which blocks SSRF-style credential
 * theft, and only on the node itself (hop limit 1), so no pod off the host network obtains the node role.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { described } from "../catalogue";

const WITH_METADATA_OPTIONS = ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"];
const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

export const imdsv2Required: ResourceValidationPolicy = {
  ...described("aws-imdsv2-required"),
  validateResource: (args, reportViolation) => {
    if (WITH_METADATA_OPTIONS.includes(args.type) && args.props.metadataOptions?.httpTokens !== "required") {
      reportViolation('Instance metadata accepts IMDSv1: set metadataOptions.httpTokens to "required".');
    }
    // Without a launch template, a node group's metadata settings are EKS's defaults, which this stack does not see.
    if (args.type === EKS_NODE_GROUP && args.props.launchTemplate === undefined) {
      reportViolation(
        'The node group has no launch template, so nothing here requires IMDSv2 on its nodes: give it one with metadataOptions.httpTokens "required".',
      );
    }
  },
};

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
/**
 * The launch template a node group uses. Its `launchTemplate.id` is unknown until the template exists, so the
 * node group's dependency on it decides, as for S3 companions; a literal id is matched too.
 */
function launchTemplateOf(group: PolicyResource, resources: readonly PolicyResource[]): PolicyResource | undefined {
  const templates = resources.filter((r) => r.type === LAUNCH_TEMPLATE);
  const viaProperty = group.propertyDependencies?.launchTemplate ?? [];
  const dependency = (viaProperty.length > 0 ? viaProperty : group.dependencies).find((d) => d.type === LAUNCH_TEMPLATE);
  return dependency ?? templates.find((t) => t.props.id !== undefined && t.props.id === group.props.launchTemplate?.id);
}

export const nodesSingleHop: StackValidationPolicy = {
  ...described("aws-node-imds-single-hop"),
  validateStack: (args, reportViolation) => {
    for (const group of args.resources.filter((r) => r.type === EKS_NODE_GROUP)) {
      // A group without a launch template is aws-imdsv2-required's violation.
      if (group.props.launchTemplate === undefined) continue;
      const template = launchTemplateOf(group, args.resources);
      if (template === undefined) {
        reportViolation(`Node group ${group.name}'s launch template is not in this stack, so nothing here shows its hop limit.`, group.urn);
        continue;
      }
      const hopLimit = template.props.metadataOptions?.httpPutResponseHopLimit;
      if (hopLimit !== 1) {
        reportViolation(
          `Node group ${group.name}'s launch template has metadataOptions.httpPutResponseHopLimit ${hopLimit ?? "unset"}, not 1: its pods can obtain the node role from instance metadata.`,
          group.urn,
        );
      }
    }
  },
};
