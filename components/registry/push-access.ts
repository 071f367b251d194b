/**
 * Who pushes to the hub's repositories: one role per repository, which only build jobs of the GitHub repositories
 * configured for it assume (GitHub OIDC, in the GitHub environment `pushEnvironment`), and which may push to that
 * repository alone. The build runners hold no credentials of their own: a job that may push gets its role for the
 * job's duration, and a job of another repository, on the same runners, cannot become it. Tags are immutable
 * (components/registry/index.ts), so a tag once pushed is what every environment pulls under that tag.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { pushRoleName } from "../../config/rules-ci";
import { Naming } from "../../lib/naming";
import { boundedRole } from "../aws-account";
import { AwsAccountRef, githubEnvironmentTrust } from "../ci-runners/github-oidc";
import { pushPolicy } from "./policies";

export interface PushedRepository {
  readonly name: string;
  readonly arn: string;
  /** The GitHub repositories (`<owner>@<id>/<repository>@<id>`) whose build jobs push to it. */
  readonly sources: readonly string[];
}

export interface RegistryPushAccessArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  /** The hub's account, whose GitHub OIDC provider the roles trust. */
  readonly account: AwsAccountRef;
  readonly repositories: readonly PushedRepository[];
  /** The GitHub environment a build job names to push. */
  readonly environment: string;
}

export class RegistryPushAccess extends pulumi.ComponentResource {
  /** Hub repository → its push role's ARN. */
  readonly roleArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: RegistryPushAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:registry:RegistryPushAccess", name, {}, opts);
    const { naming } = args;
    const awsOpts = { parent: this, provider: args.awsProvider };
    this.roleArns = {};
    for (const { name: repository, arn, sources } of args.repositories) {
      const resourceName = `${name}-${repository.replaceAll("/", "-")}`;
      const role = boundedRole(
        resourceName,
        {
          name: pushRoleName(naming.environment, repository),
          description: `Pushes to ${repository} from build jobs of ${sources.join(", ")} in their GitHub environment ${args.environment}`,
          assumeRolePolicy: JSON.stringify(githubEnvironmentTrust(args.account, sources, args.environment)),
          tags: naming.tags(),
        },
        awsOpts,
      );
      new aws.iam.RolePolicy(`${resourceName}-push`, { role: role.name, name: "push", policy: JSON.stringify(pushPolicy(arn)) }, awsOpts);
      this.roleArns[repository] = role.arn;
    }
    this.registerOutputs({ roleArns: this.roleArns });
  }
}
