import * as pulumi from "@pulumi/pulumi";

export interface EksKubeconfigArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly endpoint: pulumi.Input<string>;
  readonly certificateAuthorityData: pulumi.Input<string>;
  readonly region: string;
}

/**
 * A kubeconfig that holds no credential: each request gets a short-lived token from `aws eks get-token`, signed
 * with the caller's own AWS credentials, so the cluster sees whichever role runs (the deploy role in `up`, the
 * preview role in previews, an admin's role on a laptop) and grants what that role's access entry allows. Naming a
 * role here would make the provider's input differ between preview and update.
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
              args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--output", "json"],
            },
          },
        },
      ],
    }),
  );
}
