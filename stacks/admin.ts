import * as pulumi from "@pulumi/pulumi";
import { dexIssuerUrl } from "../components/identity";
import { awsCluster } from "./aws-cluster";
import { Environment } from "./environment";
import { adminDex, adminHub } from "./hub";
import { publishHubOutputs } from "./hub-outputs";
import { platformLayer } from "./platform-layer";

/** admin: the hub's EKS cluster. Its API server trusts its own Dex, which every other environment trusts too. */
export async function adminEnvironment(env: Environment) {
  const dexIssuer = dexIssuerUrl(dexHostname(env));
  const oidcIssuerUrl = env.config.identity.oidc.issuerUrl ?? dexIssuer;
  const { cluster, outputs, awsProvider, network, controlPlane, calico, registry, ingressReady, certificatesReady, certificateMetrics } =
    awsCluster(env, {
      oidcIssuerUrl,
    });
  const dex = adminDex(env, {
    awsProvider,
    cluster,
    dexHostname: dexHostname(env),
    registryMirrors: outputs.registryMirrors,
    ingressReady,
  });
  const hubOutputs = {
    ...outputs,
    dexIssuerUrl: dexIssuer,
    ...adminHub(env, {
      awsProvider,
      network,
      controlPlane,
      cluster,
      registryMirrors: outputs.registryMirrors,
      // The hub's registry: CI pushes here, every environment pulls from here.
      repositoryArns: registry.repositoryArns,
      vpnServerCertificateArn: vpnServerCertificate(env, outputs.environmentCertificateArn),
    }),
  };
  // What the spokes read: published on every update, so that a spoke's next run sees this one's values.
  const published = await publishHubOutputs(env, awsProvider, hubOutputs);
  return {
    environment: env.stack,
    ...hubOutputs,
    hubOutputsUrl: published.url,
    ...platformLayer(env, cluster, {
      oidcIssuerUrl,
      registryMirrors: outputs.registryMirrors,
      networkPolicyEngine: calico,
      // Kibana's login proxy discovers its issuer when it starts: here that is this stack's own Dex, published first.
      ingressReady: [...ingressReady, ...dex.ready],
      certificatesReady,
      certificateMetrics,
    }),
  };
}

/**
 * The VPN endpoint's server certificate: the one configured, else admin's own `*.admin.<domain>`, issued and
 * renewed by ACM (RSA 2048, ACM's default key). Client VPN takes a server certificate "provisioned with ACM or
 * imported into ACM" (Client VPN Administrator Guide, "Create a Client VPN endpoint"), of 1024 or 2048-bit RSA
 * ("Client authentication"), and follows ACM's renewals by itself ("Mutual authentication").
 */
function vpnServerCertificate(env: Environment, environmentCertificateArn: pulumi.Output<string> | undefined): pulumi.Input<string> {
  const certificate = env.config.admin?.vpn.serverCertificateArn ?? environmentCertificateArn;
  if (!certificate)
    throw new Error("admin has no environment certificate: environment.hostedZoneId is required (config rule hubIsConsistent)");
  return certificate;
}

/** Public name of the hub's Dex: `admin.dexHostname`, by default `dex.admin.<domain>`. */
export function dexHostname(env: Environment): string {
  return env.config.admin?.dexHostname ?? env.naming.dns("dex");
}
