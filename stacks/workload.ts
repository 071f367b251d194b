import { TransitSpoke } from "../components/transit";
import { awsCluster, environmentProvider } from "./aws-cluster";
import { Environment } from "./environment";
import { spokeTransit } from "./hub";
import { HubOutputs, readHubOutputs } from "./hub-outputs";
import { platformLayer } from "./platform-layer";
import { teamCiTarget } from "./tenancy";

/**
 * e2e, stage and prod: a workload cluster on AWS whose people sign in through the admin hub's Dex.
 * What differs between the three is only their config.
 */
export async function workloadEnvironment(env: Environment) {
  const awsProvider = environmentProvider(env);
  // Everything this environment takes from the hub: what admin publishes, read before anything else is registered.
  const hub = env.config.hub && (await readHubOutputs(env, awsProvider));
  const oidcIssuerUrl = signInIssuer(env, hub);
  const { hostedZoneId } = env.config.environment;
  let transit: TransitSpoke | undefined;
  const { cluster, outputs, controlPlane, calico, ingressReady, certificatesReady, certificateMetrics } = awsCluster(env, {
    awsProvider,
    oidcIssuerUrl,
    hubNatCidrs: hub?.natPublicCidrs,
    // The hub's runners reach the API over the Transit Gateway: the cluster's providers wait for that path.
    apiReachability: hub && ((parts) => [(transit = spokeTransit(env, hub, parts))]),
  });
  return {
    environment: env.stack,
    ...outputs,
    ...(transit ? { transitGatewayAttachmentId: transit.attachmentId } : {}),
    ...platformLayer(env, cluster, {
      oidcIssuerUrl,
      registryMirrors: outputs.registryMirrors,
      networkPolicyEngine: calico,
      ingressReady,
      certificatesReady,
      certificateMetrics,
      teamCi: teamCiTarget(env, controlPlane.name),
      teamTls: hostedZoneId === undefined ? undefined : { hostedZoneId },
    }),
  };
}

/** The issuer set in config, else the Dex issuer the admin stack publishes (a config rule requires one). */
function signInIssuer(env: Environment, hub: HubOutputs | undefined): string {
  const issuer = env.config.identity.oidc.issuerUrl ?? hub?.dexIssuerUrl;
  if (issuer === undefined) throw new Error("identity.oidc.issuerUrl or a hub section is required (config rule eksClusterIsBuildable)");
  return issuer;
}
