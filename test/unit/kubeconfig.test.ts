import { parse } from "yaml";
import { clusterEntry, personalKubeconfig } from "../../scripts/kubeconfig";
import { runStack } from "../../mock-engine";

test("a person's kubeconfig signs in through Dex with oidc-login and keeps the cluster's server and CA", async () => {
  const run = await runStack("prod");
  const cluster = clusterEntry(run.outputs.kubeconfig);
  expect(cluster.server).toBe(run.outputs.clusterEndpoint);
  const kubeconfig = parse(personalKubeconfig({ stack: "prod", cluster, issuerUrl: run.outputs.signInIssuerUrl, clientId: "kubernetes" }));

  expect(kubeconfig.clusters[0].cluster).toEqual(cluster);
  expect(kubeconfig["current-context"]).toBe("platform-prod");
  const exec = kubeconfig.users[0].user.exec;
  expect(exec.command).toBe("kubectl");
  expect(exec.args).toEqual([
    "oidc-login",
    "get-token",
    "--oidc-issuer-url=https://dex.admin.platform.example.com",
    "--oidc-client-id=kubernetes",
    "--oidc-extra-scope=email",
    "--oidc-extra-scope=groups",
    "--oidc-extra-scope=offline_access",
  ]);
  // Nothing of the deploy identity leaks into a person's kubeconfig.
  expect(kubeconfig.users).toHaveLength(1);
  expect(JSON.stringify(kubeconfig.users)).not.toMatch(/"aws"|eks|role-arn/);
});

test("a kubeconfig without a server is refused", () => {
  expect(() => clusterEntry("apiVersion: v1\nclusters: []\n")).toThrow(/names no cluster server/);
});
