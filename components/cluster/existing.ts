import * as fs from "fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAccess, ClusterHandle } from "./handle";

export interface ExistingClusterArgs {
  /**
   * Names the cluster for the provider: only a change of identifier replaces the provider (and so every
   * object); an edited kubeconfig for the same cluster is an update (pulumi/pulumi-kubernetes#4522).
   */
  readonly identifier: string;
  /** Contents of the kubeconfig (read by the caller, so that a missing file is a config error, not a provider error). */
  readonly kubeconfig: string;
  readonly context?: string;
}

/** A cluster Pulumi does not create (minikube, kind, a local control plane): only a provider is made. */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterHandle {
  readonly provider: k8s.Provider;
  readonly name: pulumi.Output<string>;
  readonly access: ClusterAccess;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:ExistingCluster", name, {}, opts);
    this.access = { kubeconfig: pulumi.secret(args.kubeconfig), identifier: args.identifier, context: args.context };
    this.provider = new k8s.Provider(
      `${name}-provider`,
      {
        kubeconfig: this.access.kubeconfig,
        context: args.context,
        clusterIdentifier: args.identifier,
        enableServerSideApply: true,
        deleteUnreachable: false,
      },
      { parent: this },
    );
    this.name = pulumi.output(args.context ?? "current-context");
    this.registerOutputs({ name: this.name });
  }
}

/** Reads a kubeconfig from a path as written in config (`~` expanded, relative to the project directory). */
export function readKubeconfig(file: string): string | undefined {
  const resolved = file.replace(/^~(?=$|\/)/, process.env.HOME ?? "~");
  return fs.existsSync(resolved) ? fs.readFileSync(resolved, "utf8") : undefined;
}
