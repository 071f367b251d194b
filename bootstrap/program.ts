/**
 * The bootstrap of one AWS account: what must exist before the platform's first `pulumi up` and what the
 * platform program must never change itself. admin's bootstrap also creates the state bucket; each spoke's reads
 * the bucket's key from admin's bootstrap stack, so admin is bootstrapped first.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn } from "./bucket-policy";
import { BootstrapConfig, HUB_STACK, loadBootstrapConfig } from "./config";
import { DeployAccess } from "./deploy-access";
import { secretsProviderUrl } from "./key-policies";
import { delegation, PublicZone } from "./public-zone";
import { StateBackend } from "./state-backend";
import { backendUrl } from "./state-layout";

/** STS AssumeRole: "role chaining limits your session to a maximum of one hour" (DurationSeconds). */
const ROLE_CHAINING_MAX_SECONDS = 3600;

export function bootstrap(stack: string): Record<string, unknown> {
  const config = loadBootstrapConfig(stack, pulumi.runtime.allConfig());
  const { account, hub } = config;
  const isHub = account.stack === hub.stack;
  const provider = new aws.Provider("aws", {
    region: account.region,
    profile: config.awsProfile,
    // The operator's credentials must be of this environment's account, whatever profile is active.
    allowedAccountIds: [account.accountId],
    defaultTags: { tags: account.tags },
  });

  const stateBucketArn = bucketArn(hub.partition, config.stateBucket);
  let stateKeyArn: pulumi.Output<string>;
  if (isHub) {
    const state = new StateBackend("state", {
      bucket: config.stateBucket,
      platformProject: config.platformProject,
      hub,
      environments: config.environments,
      provider,
    });
    stateKeyArn = state.keyArn;
  } else {
    const hubBootstrap = new pulumi.StackReference(`organization/${pulumi.getProject()}/${HUB_STACK}`);
    stateKeyArn = hubBootstrap.requireOutput("stateKeyArn") as pulumi.Output<string>;
  }

  const zone = new PublicZone(stack, { account, provider });
  const access = new DeployAccess(stack, {
    account,
    repository: config.repository,
    operatorAccess: config.operatorAccess,
    stateBucketArn,
    stateKeyArn,
    hostedZoneArn: zone.zoneArn,
    protectStateBucket: isHub,
    provider,
  });
  const hostedZoneId = zone.zoneId.apply((id) => {
    // Known only once the zone exists: the stack file's value cannot be checked before, so it is pointed out here.
    if (account.hostedZoneId !== id) {
      void pulumi.log.warn(
        `Pulumi.${stack}.yaml has platform:environment.hostedZoneId = ${JSON.stringify(account.hostedZoneId)}, but the zone ` +
          `${zone.name} is ${id}: set it to ${id} before deploying ${stack} (docs/bootstrap.md, "The public zone")`,
      );
    }
    return id;
  });

  return {
    // What the workflows and the platform stack file take (docs/bootstrap.md, "After the bootstrap").
    backendUrl: backendUrl(config.stateBucket, hub.region),
    secretsProvider: secretsProviderUrl(account),
    deployRoleArn: access.deployRoleArn,
    previewRoleArn: access.previewRoleArn,
    secretsKeyArn: access.secretsKeyArn,
    githubOidcProviderArn: access.oidcProviderArn,
    // The zone: its id goes into the platform stack file, its delegation into the parent zone.
    hostedZoneId,
    hostedZoneName: zone.name,
    parentZoneDelegation: zone.nameServers.apply((servers) => delegation(zone.name, servers)),
    ...(isHub ? { stateBucket: config.stateBucket, stateKeyArn } : {}),
    ...operatorProfile(config),
  };
}

/**
 * While an operator window is open: the AWS CLI profile that assumes the deploy role from the operator's own
 * profile. Unlike `aws sts assume-role`, whose credentials end with their session, the SDKs behind the Pulumi CLI,
 * its AWS provider and `aws eks get-token` assume the role again before the session ends, so an update outlasts
 * the one hour that role chaining allows a session (docs/bootstrap.md, "Operator access").
 */
function operatorProfile(config: BootstrapConfig): Record<string, string> {
  if (!config.operatorAccess || !config.awsProfile) return {};
  const { account } = config;
  const name = `${config.awsProfile}-deploy`;
  const profile = [
    `[profile ${name}]`,
    `source_profile = ${config.awsProfile}`,
    `role_arn = ${account.deployRoleArn}`,
    `role_session_name = ${account.stack}-operator`,
    // Role chaining caps each session at one hour (STS AssumeRole, DurationSeconds), whatever the role allows.
    `duration_seconds = ${ROLE_CHAINING_MAX_SECONDS}`,
    `region = ${account.region}`,
  ];
  return { operatorProfileName: name, operatorProfile: `${profile.join("\n")}\n` };
}
