import { ConfigError } from "../config/load";
import { ExistingCluster, readKubeconfig } from "../components/cluster/existing";
import { Environment } from "./environment";
import { platformLayer } from "./platform-layer";

/** local: the platform layer on a cluster that already exists, reached through a kubeconfig. No AWS. */
export function localEnvironment(env: Environment) {
  const cluster = env.config.cluster;
  if (cluster.mode !== "existing") throw new Error("the local composition needs cluster.mode: existing");
  const kubeconfig = readKubeconfig(cluster.kubeconfig);
  if (kubeconfig === undefined) {
    throw new ConfigError(env.stack, [
      {
        path: "cluster.kubeconfig",
        value: JSON.stringify(cluster.kubeconfig),
        expected: "a readable kubeconfig file (start a cluster, or point this key at its kubeconfig)",
      },
    ]);
  }
  const identifier = `${env.stack}/${cluster.context ?? "current-context"}`;
  const existing = new ExistingCluster("cluster", { kubeconfig, context: cluster.context, identifier });
  return {
    environment: env.stack,
    clusterName: existing.name,
    ...platformLayer(env, existing),
  };
}
