import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** What the layers above a cluster need from it, whichever way the cluster came to exist. */
export interface ClusterHandle {
  /** The only way to reach the cluster: every Kubernetes object is created with this provider. */
  readonly provider: k8s.Provider;
  readonly name: pulumi.Output<string>;
  /** IAM roles for service accounts; absent on clusters outside AWS. */
  readonly irsa?: {
    readonly oidcProviderArn: pulumi.Output<string>;
    /** Issuer host and path without `https://`, as IAM trust conditions use it. */
    readonly oidcIssuer: pulumi.Output<string>;
  };
  /** How another stack of the environment (a tenancy shard) builds a provider for the same cluster. */
  readonly access: ClusterAccess;
}

export interface ClusterAccess {
  /** Holds no long-lived credential on EKS (`aws eks get-token`); a local cluster's may. Secret either way. */
  readonly kubeconfig: pulumi.Output<string>;
  /** The provider's clusterIdentifier: providers with the same one manage the same objects without replacing them. */
  readonly identifier: pulumi.Input<string>;
  readonly context?: string;
}
