/**
 * Nodes answer instance-metadata requests only with a session token (IMDSv2), which blocks SSRF-style credential
 * theft; CI build nodes answer them on the node only.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../common";

const WITH_METADATA_OPTIONS = ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"];
const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

export const imdsv2Required: ResourceValidationPolicy = {
  name: "aws-imdsv2-required",
  description:
    "Launch templates and instances require IMDSv2 (metadataOptions.httpTokens: required); EKS node groups use such a launch template.",
  severity: "high",
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
const ciNodesDefaults = { ciTaintKeys: ["platform.example.io/ci"] };

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

export const ciNodesSingleHop: StackValidationPolicy = {
  name: "aws-ci-nodes-imds-single-hop",
  description:
    "Node groups reserved for CI builds (a taint key in ciTaintKeys) use a launch template with metadataOptions.httpPutResponseHopLimit 1, so build pods cannot obtain the node role from IMDS.",
  severity: "high",
  configSchema: {
    properties: {
      ciTaintKeys: {
        type: "array",
        items: { type: "string" },
        default: ciNodesDefaults.ciTaintKeys,
        description: "Taint keys that mark a node group as the CI build pool",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { ciTaintKeys } = configOf(args, ciNodesDefaults);
    for (const group of args.resources.filter((r) => r.type === EKS_NODE_GROUP)) {
      const taints: { key?: string }[] = group.props.taints ?? [];
      if (!taints.some((t) => ciTaintKeys.includes(t.key ?? ""))) continue;
      const hopLimit = launchTemplateOf(group, args.resources)?.props.metadataOptions?.httpPutResponseHopLimit;
      if (hopLimit !== 1) {
        reportViolation(
          `Node group ${group.name} runs CI builds but its launch template's metadataOptions.httpPutResponseHopLimit is ${hopLimit ?? "unset"}, not 1: its pods can reach the node role.`,
          group.urn,
        );
      }
    }
  },
};
