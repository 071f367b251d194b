/**
 * What the admin hub publishes for its spokes, and how they read it: a JSON document without secrets in the state
 * bucket (components/aws-account/published-outputs.ts), which the bucket policy lets the spokes' roles read and
 * nothing else of admin's (bootstrap/bucket-policy.ts). A StackReference would need admin's KMS key and could
 * decrypt admin's secrets, the GitHub App's private key among them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PublishedOutputs, publishedOutputsKey, publishOutputs, readPublishedOutputs } from "../components/aws-account";
import { Environment } from "./environment";

/** admin's outputs its spokes read, none of them secret: the only ones the document holds. */
export const HUB_OUTPUT_NAMES = [
  "dexIssuerUrl",
  "natPublicCidrs",
  "transitGatewayId",
  "transitGatewayRamShareArn",
  "deployRunnerPrefixListId",
  "vpcCidr",
  "vpnClientCidr",
] as const;
export type HubOutputName = (typeof HUB_OUTPUT_NAMES)[number];

export interface HubOutputs {
  /** Dex's issuer, which every spoke's API server trusts for people's sign-in. */
  readonly dexIssuerUrl: string;
  /** Where the hub's runners and VPN users come from when they reach a public endpoint. */
  readonly natPublicCidrs: string[];
  readonly transitGatewayId: string;
  readonly transitGatewayRamShareArn: string;
  /** The hub's shared prefix list of its deploy runners' (and VPN users') source ranges. */
  readonly deployRunnerPrefixListId: string;
  readonly vpcCidr: string;
  readonly vpnClientCidr: string;
}

/** admin: publishes `HUB_OUTPUT_NAMES` of its outputs where its spokes read them (`platform:admin.backendUrl`). */
export function publishHubOutputs(
  env: Environment,
  awsProvider: aws.Provider,
  outputs: Record<string, unknown>,
): Promise<PublishedOutputs> {
  const published = Object.fromEntries(HUB_OUTPUT_NAMES.map((name) => [name, outputs[name] as pulumi.Input<unknown>]));
  return publishOutputs("hub-outputs", {
    awsProvider,
    backendUrl: env.config.admin!.backendUrl,
    key: publishedOutputsKey(pulumi.getProject(), env.stack),
    outputs: published,
  });
}

/** A spoke: the outputs of the admin stack `platform:hub.stack`, read before anything is registered. */
export async function readHubOutputs(env: Environment, awsProvider: aws.Provider): Promise<HubOutputs> {
  const hub = env.config.hub!;
  const [, project, stack] = hub.stack.split("/");
  const document = await readPublishedOutputs({
    awsProvider,
    backendUrl: hub.backendUrl,
    key: publishedOutputsKey(project, stack),
    publisher: hub.stack,
    reader: env.stack,
    required: HUB_OUTPUT_NAMES,
  });
  return document as unknown as HubOutputs;
}
