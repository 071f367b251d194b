import * as pulumi from "@pulumi/pulumi";
import { awsCluster } from "./aws-cluster";
import { Environment } from "./environment";
import { hubSpoke } from "./hub";
import { platformLayer } from "./platform-layer";
import { teamCiTarget } from "./tenancy";

/**
 * e2e, stage and prod: a workload cluster on AWS whose people sign in through the admin hub's Dex.
 * What differs between the three is only their config.
 */
export function workloadEnvironment(env: Environment) {
  // The one reference to the admin stack: everything this environment takes from the hub is read from it.
  const hub = env.config.hub && new pulumi.StackReference("hub", { name: env.config.hub.stack });
  const oidcIssuerUrl = signInIssuer(env, hub);
  const { cluster, outputs, awsProvider, network, controlPlane, calico } = awsCluster(env, {
    oidcIssuerUrl,
    hubNatCidrs: hub?.requireOutput("natPublicCidrs"),
  });
  return {
    environment: env.stack,
    ...outputs,
    ...(hub ? hubSpoke(env, hub, { awsProvider, network, controlPlane }) : {}),
    ...platformLayer(env, cluster, {
      oidcIssuerUrl,
      registryMirrors: outputs.registryMirrors,
      networkPolicyEngine: calico,
      teamCi: teamCiTarget(env, controlPlane.name),
    }),
  };
}

/** The issuer set in config, else the Dex issuer the admin stack publishes (a config rule requires one). */
function signInIssuer(env: Environment, hub: pulumi.StackReference | undefined): pulumi.Input<string> {
  const issuer = env.config.identity.oidc.issuerUrl ?? hub?.requireOutput("dexIssuerUrl");
  if (issuer === undefined) throw new Error("identity.oidc.issuerUrl or a hub section is required (config rule eksClusterIsBuildable)");
  return issuer as pulumi.Input<string>;
}
