/**
 * `npm run kubeconfig -- <stack>`: prints a kubeconfig for a person, who signs in through Dex with the
 * kubectl `oidc-login` plugin (https://github.com/int128/kubelogin) and gets the RBAC of their directory
 * groups. The "login script from console" of the field notes: no AWS credentials, no copy-paste of tokens.
 *
 *   npm run --silent kubeconfig -- prod > ~/.kube/platform-prod && export KUBECONFIG=~/.kube/platform-prod
 */
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { parse, stringify } from "yaml";
import { readStackConfig } from "../mock-engine";
import { PROJECT_DIR } from "../config/committed-stacks";

export interface SignInTarget {
  readonly stack: string;
  /** The cluster entry (server and CA) of the stack's deploy kubeconfig. */
  readonly cluster: { server: string; "certificate-authority-data"?: string };
  readonly issuerUrl: string;
  readonly clientId: string;
}

/** Scopes Dex needs to put the e-mail (username claim) and directory groups (groups claim) in the token. */
const SCOPES = ["openid", "email", "groups", "offline_access"];

export function personalKubeconfig(target: SignInTarget): string {
  const name = `platform-${target.stack}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: target.cluster }],
    users: [
      {
        name: `${name}-oidc`,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1",
            command: "kubectl",
            args: [
              "oidc-login",
              "get-token",
              `--oidc-issuer-url=${target.issuerUrl}`,
              `--oidc-client-id=${target.clientId}`,
              ...SCOPES.filter((s) => s !== "openid").map((s) => `--oidc-extra-scope=${s}`),
            ],
            interactiveMode: "IfAvailable",
          },
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: `${name}-oidc` } }],
    "current-context": name,
  });
}

/** The cluster entry of a kubeconfig, whatever its user section holds. */
export function clusterEntry(kubeconfig: string): SignInTarget["cluster"] {
  const cluster = parse(kubeconfig)?.clusters?.[0]?.cluster;
  if (!cluster?.server) throw new Error("the stack's kubeconfig output names no cluster server");
  return cluster;
}

async function main([stack]: string[]): Promise<void> {
  if (!stack) throw new Error("usage: npm run kubeconfig -- <stack>");
  const clientId = readStackConfig(stack)["platform:identity"]?.oidc?.clientId ?? "kubernetes";
  const outputs = await (await LocalWorkspace.selectStack({ stackName: stack, workDir: PROJECT_DIR })).outputs();
  const issuerUrl = outputs.signInIssuerUrl?.value;
  if (!outputs.kubeconfig || !issuerUrl) {
    throw new Error(
      `stack "${stack}" has no kubeconfig or signInIssuerUrl output: people sign in through Dex only on the AWS environments`,
    );
  }
  process.stdout.write(personalKubeconfig({ stack, cluster: clusterEntry(outputs.kubeconfig.value), issuerUrl, clientId }));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
