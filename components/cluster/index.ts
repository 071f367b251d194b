export { ClusterServices, type EksAddonsArgs, NetworkAddons } from "./eks-addons";
export { EksCluster } from "./eks";
export { ExistingCluster, readKubeconfig } from "./existing";
export type { ClusterHandle } from "./handle";
export { NodePools } from "./node-pools";
