/**
 * Push rights of the build runners: an IRSA role that may push to the hub's repositories and nothing else,
 * carried by the build runners' own service account.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { IrsaIssuer, ROLE_ARN_ANNOTATION, serviceAccountRole } from "../irsa";
import { pushPolicy } from "../registry";

export const BUILDER_SERVICE_ACCOUNT = "ci-builder";

export interface BuilderAccessArgs {
  readonly provider: k8s.Provider;
  readonly awsProvider: aws.Provider;
  readonly irsa: IrsaIssuer;
  readonly naming: Naming;
  readonly namespace: string;
  /** The hub's repositories (registries.repositories of the admin stack). */
  readonly repositoryArns: readonly string[];
  readonly dependsOn: pulumi.Resource;
}

/**
 * Why a role on the build pods rather than none: images must get from CI into the registry, and the
 * alternatives are worse. A node role with push rights would hand them to every pod that escapes to a build
 * node; a long-lived key in a Secret would never expire. IRSA gives each build pod short-lived credentials
 * for this role only, and the role can push (no delete, no policy or tag changes; tags are immutable) to the
 * hub's repositories and log in to the registry, which IAM cannot scope. What it costs: every job admitted to
 * the build runners' group can push any new tag to any hub repository. Narrower would be GitHub's OIDC
 * tokens, trusted per repository and branch by one role per repository: a follow-up.
 */
export function builderAccess(parent: pulumi.Resource, name: string, args: BuilderAccessArgs): k8s.core.v1.ServiceAccount {
  const role = serviceAccountRole(parent, `${name}-builder`, {
    awsProvider: args.awsProvider,
    irsa: args.irsa,
    naming: args.naming,
    purpose: "ci-builder",
    namespace: args.namespace,
    serviceAccount: BUILDER_SERVICE_ACCOUNT,
    policy: JSON.stringify(pushPolicy(args.repositoryArns)),
  });
  return new k8s.core.v1.ServiceAccount(
    `${name}-builder`,
    {
      metadata: {
        name: BUILDER_SERVICE_ACCOUNT,
        namespace: args.namespace,
        labels: args.naming.labels(),
        annotations: { [ROLE_ARN_ANNOTATION]: role.arn },
      },
    },
    { parent, provider: args.provider, dependsOn: args.dependsOn },
  );
}

/** A runner pod template that runs under the given service account (none: the chart's own, without permissions). */
export function withServiceAccount<T extends { spec: object }>(template: T, serviceAccountName: string | undefined): T {
  return serviceAccountName ? { ...template, spec: { ...template.spec, serviceAccountName } } : template;
}
