import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PullThroughCacheRule, RegistriesConfig } from "../../config/sections/registries";
import { Naming } from "../../lib/naming";
import { AwsScope } from "../irsa";
import { RegistryMirrors } from "../../lib/images";
import { lifecyclePolicy } from "./lifecycle";
import { crossAccountPullPolicy, firstPullThroughPolicy } from "./policies";

export { pushPolicy, UNSCOPABLE_LOGIN } from "./policies";
export { RegistryPushAccess } from "./push-access";

export interface RegistryArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly aws: AwsScope;
  readonly config: RegistriesConfig;
  /** Tokens of upstream accounts, keyed by upstream host (`platform:registryPasswords`). */
  readonly upstreamTokens: Record<string, pulumi.Output<string>>;
  /**
   * The node role. The first pull of an image through a cache imports it and creates its repository, which
   * pull-only ECR access does not allow; this role gets exactly that, for the cache prefixes only.
   */
  readonly nodeRoleName: pulumi.Input<string>;
  /** Protect and retain repositories: they hold the only copy of the company's images (prod). */
  readonly protect: boolean;
  /** Accounts whose clusters pull from these repositories (the hub's spokes); none: this account only. */
  readonly pullAccounts: readonly string[];
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`. */
export function registryHost({ region, accountId }: AwsScope): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/**
 * Upstream host → the ECR path that mirrors it. A function of config alone, so that what must come up before
 * the registry's own resources (Calico, which the nodes wait for) can pull through the caches too.
 */
export function cacheMirrors(config: RegistriesConfig, scope: AwsScope): RegistryMirrors {
  return Object.fromEntries(config.pullThroughCache.map((rule) => [rule.upstream, `${registryHost(scope)}/${rule.prefix}`]));
}

/**
 * The environment's private registry in ECR: repositories for the company's images, and pull-through caches
 * that mirror public registries (Quay, Docker Hub, …) so nodes pull from inside AWS, not the Internet, and an
 * upstream outage or rate limit does not stop a rollout. Nodes authenticate to ECR with their instance role,
 * so no imagePullSecret is involved.
 */
export class Registry extends pulumi.ComponentResource {
  /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
  readonly host: string;
  /** Upstream host → the ECR path that mirrors it. */
  readonly mirrors: RegistryMirrors;
  readonly repositoryUrls: pulumi.Output<string>[];
  /** The repositories' ARNs, for policies that grant pushing to them. */
  readonly repositoryArns: string[];

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:registry:Registry", name, {}, opts);
    const { config, naming } = args;
    const awsOpts = { parent: this, provider: args.awsProvider };
    const stateful = { ...awsOpts, protect: args.protect, retainOnDelete: args.protect };
    const { partition, region, accountId } = args.aws;
    const lifecycle = JSON.stringify(lifecyclePolicy(config.lifecycle));
    this.host = registryHost(args.aws);

    for (const rule of config.pullThroughCache) {
      const prefix = `${name}-${rule.prefix}`;
      const credential = rule.username
        ? this.upstreamCredential(`${prefix}-credential`, { ...rule, username: rule.username }, args)
        : undefined;
      new aws.ecr.PullThroughCacheRule(
        `${prefix}-cache`,
        { ecrRepositoryPrefix: rule.prefix, upstreamRegistryUrl: rule.upstream, credentialArn: credential?.arn },
        awsOpts,
      );
      // Repositories of cached images are created by ECR on first pull; the template gives them the same
      // garbage collection as the company's own repositories.
      new aws.ecr.RepositoryCreationTemplate(
        `${prefix}-template`,
        {
          prefix: rule.prefix,
          appliedFors: ["PULL_THROUGH_CACHE"],
          description: `Cache of ${rule.upstream}`,
          // Upstream tags move (e.g. `latest`, `1.2`), and the cache must follow them.
          imageTagMutability: "MUTABLE",
          encryptionConfigurations: [{ encryptionType: "AES256" }],
          lifecyclePolicy: lifecycle,
        },
        awsOpts,
      );
    }
    if (config.pullThroughCache.length > 0) {
      new aws.iam.RolePolicy(
        `${name}-pull-through`,
        {
          role: args.nodeRoleName,
          name: "ecr-pull-through-cache",
          policy: JSON.stringify(
            firstPullThroughPolicy(
              { partition, region, accountId },
              config.pullThroughCache.map((rule) => rule.prefix),
            ),
          ),
        },
        awsOpts,
      );
    }

    this.repositoryUrls = config.repositories.map((repository) => {
      const resourceName = `${name}-${repository}`;
      const repo = new aws.ecr.Repository(
        resourceName,
        {
          name: repository,
          // A released tag always means the same image: rollbacks and audits can trust it.
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "AES256" }],
          forceDelete: false,
          tags: naming.tags(),
        },
        stateful,
      );
      new aws.ecr.LifecyclePolicy(`${resourceName}-lifecycle`, { repository: repo.name, policy: lifecycle }, awsOpts);
      if (args.pullAccounts.length > 0) {
        new aws.ecr.RepositoryPolicy(
          `${resourceName}-pull-policy`,
          { repository: repo.name, policy: JSON.stringify(crossAccountPullPolicy(partition, args.pullAccounts)) },
          awsOpts,
        );
      }
      return repo.repositoryUrl;
    });
    this.repositoryArns = config.repositories.map((repository) => `arn:${partition}:ecr:${region}:${accountId}:repository/${repository}`);

    this.mirrors = cacheMirrors(config, args.aws);
    this.registerOutputs({ host: this.host, mirrors: this.mirrors, repositoryUrls: this.repositoryUrls });
  }

  /** The upstream account ECR logs in with; the secret's name prefix is the one ECR accepts for this. */
  private upstreamCredential(resourceName: string, rule: PullThroughCacheRule & { username: string }, args: RegistryArgs) {
    const token = args.upstreamTokens[rule.upstream];
    if (!token) throw new Error(`no registryPasswords entry for pull-through cache "${rule.prefix}" (config/rules.ts checks this)`);
    const opts = { parent: this, provider: args.awsProvider };
    const secret = new aws.secretsmanager.Secret(
      resourceName,
      {
        name: `ecr-pullthroughcache/${rule.prefix}`,
        description: `Upstream credentials of the ${rule.prefix} pull-through cache`,
        // Without protection the name is freed at once, so a rebuilt environment can create it again.
        recoveryWindowInDays: args.protect ? 30 : 0,
        tags: args.naming.tags(),
      },
      opts,
    );
    new aws.secretsmanager.SecretVersion(
      `${resourceName}-value`,
      { secretId: secret.id, secretString: pulumi.secret(pulumi.jsonStringify({ username: rule.username, accessToken: token })) },
      opts,
    );
    return secret;
  }
}
