/**
 * The bootstrap of one AWS account: what must exist before the platform's first `pulumi up` and what the
 * platform program must never change itself. admin's bootstrap also creates the state bucket; each spoke's reads
 * the bucket's key and admin's secrets key from admin's bootstrap stack, so admin is bootstrapped first.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketArn } from "./bucket-policy";
import { HUB_STACK, loadBootstrapConfig } from "./config";
import { DeployAccess } from "./deploy-access";
import { secretsProviderUrl } from "./key-policies";
import { StateBackend } from "./state-backend";
import { backendUrl } from "./state-layout";

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
  let hubSecretsKeyArn: pulumi.Output<string> | undefined;
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
    hubSecretsKeyArn = hubBootstrap.requireOutput("secretsKeyArn") as pulumi.Output<string>;
  }

  const access = new DeployAccess(stack, {
    account,
    repository: config.repository,
    operatorAccess: config.operatorAccess,
    stateBucketArn,
    stateKeyArn,
    hubSecretsKeyArn,
    hubReaders: isHub ? config.environments.filter((env) => env.stack !== hub.stack) : [],
    protectStateBucket: isHub,
    provider,
  });

  return {
    // What the workflows and the platform stack file take (docs/bootstrap.md, "After the bootstrap").
    backendUrl: backendUrl(config.stateBucket, hub.region),
    secretsProvider: secretsProviderUrl(account),
    deployRoleArn: access.deployRoleArn,
    previewRoleArn: access.previewRoleArn,
    secretsKeyArn: access.secretsKeyArn,
    githubOidcProviderArn: access.oidcProviderArn,
    ...(isHub ? { stateBucket: config.stateBucket, stateKeyArn } : {}),
  };
}
