import * as pulumi from "@pulumi/pulumi";

export interface EksKubeconfigArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly endpoint: pulumi.Input<string>;
  readonly certificateAuthorityData: pulumi.Input<string>;
  readonly region: string;
  /** Role the token is signed with: the deploy role, which has a cluster-admin access entry. */
  readonly roleArn: string;
}

/**
 * A kubeconfig that holds no credential: each request gets a short-lived token from `aws eks get-token`,
 * signed as the deploy role, so it works for whoever can assume that role and for no one else.
 */
export function eksKubeconfig(args: EksKubeconfigArgs): pulumi.Output<string> {
  return pulumi.all([args.clusterName, args.endpoint, args.certificateAuthorityData]).apply(([name, server, ca]) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name, cluster: { server, "certificate-authority-data": ca } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      "current-context": name,
      users: [
        {
          name,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1beta1",
              command: "aws",
              args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--role-arn", args.roleArn, "--output", "json"],
            },
          },
        },
      ],
    }),
  );
}
