/** What the mock engine answers: plausible provider outputs for the resources and invokes the program uses. */
import * as pulumi from "@pulumi/pulumi";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

/** The outputs the admin stack publishes (stacks/hub-outputs.ts), as environment stacks read them. */
export const defaultHubOutputs: Record<string, unknown> = {
  dexIssuerUrl: "https://dex.admin.platform.example.com",
  transitGatewayId: "tgw-0123456789abcdef0",
  transitGatewayRamShareArn: `arn:aws:ram:${REGION}:444444444444:resource-share/platform-tgw`,
  vpcCidr: "10.0.0.0/16",
  vpnClientCidr: "10.255.0.0/22",
  deployRunnerPrefixListId: "pl-0123456789abcdef0",
  natPublicCidrs: ["198.51.100.10/32", "198.51.100.11/32"],
};

/** Output properties a provider would compute, keyed by resource type. */
const computed: Record<string, (name: string, inputs: Record<string, any>) => Record<string, unknown>> = {
  "aws:eks/cluster:Cluster": (name) => ({
    endpoint: `https://${name}.gr7.${REGION}.eks.amazonaws.com`,
    certificateAuthority: { data: Buffer.from(`ca-of-${name}`).toString("base64") },
    identities: [{ oidcs: [{ issuer: `https://oidc.eks.${REGION}.amazonaws.com/id/${name.toUpperCase()}` }] }],
    vpcConfig: { clusterSecurityGroupId: `sg-${name}` },
    createdAt: "2026-01-01T00:00:00Z",
  }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (name, inputs) => ({
    arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url ?? name).replace(/^https:\/\//, "")}`,
  }),
  "aws:ec2/vpc:Vpc": (name) => ({ id: `vpc-${name}`, mainRouteTableId: `rtb-main-${name}` }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
  "aws:eks/nodeGroup:NodeGroup": (name) => ({ resources: [{ autoscalingGroups: [{ name: `eks-${name}-asg` }] }] }),
  "aws:acm/certificate:Certificate": (name, inputs) => ({
    domainValidationOptions: [
      {
        domainName: inputs.domainName,
        resourceRecordName: `_${name}.${inputs.domainName}.`,
        resourceRecordType: "CNAME",
        resourceRecordValue: `_${name}.acm-validations.aws.`,
      },
    ],
  }),
  "aws:route53/record:Record": (_name, inputs) => ({ fqdn: String(inputs.name).replace(/\.$/, "") }),
  "kubernetes:core/v1:Service": (name, inputs) =>
    inputs.spec?.type === "LoadBalancer"
      ? { status: { loadBalancer: { ingress: [{ hostname: `${name}-0123456789.elb.${REGION}.amazonaws.com` }] } } }
      : {},
};

/** What a read (`<Resource>.get(name, id)`) of an existing object returns, keyed by type. */
const reads: Record<string, (id: string) => Record<string, unknown>> = {
  // ECK's public HTTP certificate Secret, which the logging component copies for Fluent Bit.
  "kubernetes:core/v1:Secret": (id) => ({ data: { "ca.crt": Buffer.from(`CA of ${id}`).toString("base64") } }),
};

export const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** @param referencedOutputs the outputs a StackReference to that stack (`org/project/stack`) reads. */
export function mockResourceState(
  args: pulumi.runtime.MockResourceArgs,
  referencedOutputs: (stack: string) => Record<string, unknown>,
): pulumi.runtime.MockResourceResult {
  if (args.type === STACK_REFERENCE) {
    return { id: args.inputs.name, state: { name: args.inputs.name, outputs: referencedOutputs(args.inputs.name), secretOutputNames: [] } };
  }
  const read = args.id ? reads[args.type] : undefined;
  if (read) return { id: args.id!, state: { ...args.inputs, ...read(args.id!) } };
  const id = `${args.name}-id`;
  const [pkg, module] = args.type.split(":");
  const state: Record<string, unknown> = { ...args.inputs };
  if (pkg === "aws") {
    state.arn ??= `arn:aws:${module.split("/")[0]}:${REGION}:${ACCOUNT}:${args.name}`;
    state.name ??= args.name;
  }
  Object.assign(state, computed[args.type]?.(args.name, args.inputs) ?? {});
  return { id, state };
}

const invokes: Record<string, (inputs: Record<string, any>) => Record<string, unknown>> = {
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
    names: ["a", "b", "c", "d"].map((suffix) => `${REGION}${suffix}`),
    zoneIds: ["euw1-az1", "euw1-az2", "euw1-az3", "euw1-az4"],
  }),
};

/**
 * @param publishedOutputs what a stack (`<project>/<stack>`'s stack name) has published in the state bucket
 * (components/aws-account/published-outputs.ts); null: nothing yet, and the read fails as S3's NotFound does.
 */
export function mockCall(
  args: pulumi.runtime.MockCallArgs,
  publishedOutputs: (stack: string) => Record<string, unknown> | null,
): pulumi.runtime.MockCallResult {
  if (args.token === "aws:s3/getObject:getObject") {
    const { bucket, key } = args.inputs;
    const published = /^published\/[^/]+\/([^/]+)\.json$/.exec(key);
    const document = published && publishedOutputs(published[1]);
    if (!document) {
      // As the engine reports the provider's error for a missing object (terraform-provider-aws object_data_source.go):
      // the gRPC error's details.
      const details =
        `invocation of ${args.token} returned an error: invoking ${args.token}: 1 error occurred:\n` +
        `\t* reading S3 Bucket (${bucket}) Object (${key}): couldn't find resource`;
      throw Object.assign(new Error(details), { details });
    }
    return { bucket, key, contentType: "application/json", body: JSON.stringify(document) };
  }
  const invoke = invokes[args.token];
  if (!invoke) throw new Error(`the mock engine has no answer for invoke ${args.token}; add one to mock-engine/provider-answers.ts`);
  return invoke(args.inputs);
}
