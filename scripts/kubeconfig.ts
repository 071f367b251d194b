/**
 * `npm run kubeconfig -- <stack>`: prints a kubeconfig for a person, who signs in through Dex with the
 * kubectl `oidc-login` plugin (https://github.com/int128/kubelogin) and gets the RBAC of their directory
 * groups. The "login script from console" of the field notes: no AWS credentials, no copy-paste of tokens.
 *
 *   npm run --silent kubeconfig -- prod > ~/.kube/platform-prod && export KUBECONFIG=~/.kube/platform-prod
 */
import { parse, stringify } from "yaml";
import { committedStackConfig, PROJECT_DIR } from "../config/committed-stacks";
import { expectPositionals, parseCommandLine } from "./lib/args";
import { Refused, runCommand } from "./lib/command";
import { checkPulumiSettings } from "./lib/pulumi-cli";
import { stackOutputs } from "./lib/stack-records";
import { requireStack } from "./lib/stacks";

const USAGE = "usage: npm run --silent kubeconfig -- <stack> > <file>";

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
  if (!cluster?.server) throw new Refused("the stack's kubeconfig output names no cluster server");
  return cluster;
}

async function main(argv: string[]): Promise<void> {
  const [stack] = expectPositionals(parseCommandLine(argv, {}, USAGE), ["<stack>"], USAGE);
  // People sign in through Dex on the AWS environments only; a shard's teams are on its environment's cluster.
  requireStack(stack, { environments: "aws", shards: false }, USAGE);
  checkPulumiSettings(stack, PROJECT_DIR, USAGE);
  const clientId = committedStackConfig(stack)?.["platform:identity"]?.oidc?.clientId ?? "kubernetes";

  const { kubeconfig, signInIssuerUrl } = await stackOutputs(stack, PROJECT_DIR);
  if (typeof kubeconfig !== "string" || typeof signInIssuerUrl !== "string")
    throw new Refused(`stack ${stack} has no kubeconfig or signInIssuerUrl output: deploy it first`);
  process.stdout.write(personalKubeconfig({ stack, cluster: clusterEntry(kubeconfig), issuerUrl: signInIssuerUrl, clientId }));
}

if (require.main === module) runCommand(() => main(process.argv.slice(2)));
