/**
 * Cases of the access and cost policies for the case table of test/unit/policy.test.ts (which requires every
 * policy of the pack to have passing and failing cases): the VPN's groups, instance metadata, Secrets read
 * cluster-wide, the dashboards' sign-in, log shipping's TLS, the EKS support tier and flow logs. Resources each
 * policy accepts, and resources it rejects with the message expected; built from the components' own specs where
 * they have them.
 */
import { egressGuard } from "../../components/ci-runners/egress-guard";
import { containerLogsValues } from "../../components/logging/fluent-bit";
import { CLUSTER_ROLES } from "../../components/tenancy/roles";
import type { ResourceSnapshot } from "../../policy/evaluate";
import { Case, FailingCase, nextId, resource } from "../policy-cases";

// AWS.
const vpnRule = (props: Record<string, unknown>) =>
  resource("aws:ec2clientvpn/authorizationRule:AuthorizationRule", {
    clientVpnEndpointId: "cvpn-endpoint-1",
    targetNetworkCidr: "10.30.0.0/16",
    ...props,
  });
const launchTemplate = (hopLimit?: number) =>
  resource("aws:ec2/launchTemplate:LaunchTemplate", {
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: hopLimit },
  });
/** A node group on `template`: its launchTemplate.id is the template's output, hence a dependency. */
const nodeGroup = (template: ResourceSnapshot) =>
  resource(
    "aws:eks/nodeGroup:NodeGroup",
    { clusterName: "prod-eks", launchTemplate: { id: undefined, version: "1" } },
    { dependencies: [template.urn] },
  );
const pool = (hopLimit?: number) => {
  const template = launchTemplate(hopLimit);
  return [template, nodeGroup(template)];
};
const eks = (upgradePolicy?: unknown) =>
  resource("aws:eks/cluster:Cluster", { roleArn: "arn:aws:iam::111111111111:role/prod-eks", upgradePolicy });
const flowLog = (logDestinationType?: string) =>
  resource("aws:ec2/flowLog:FlowLog", { vpcId: "vpc-1", trafficType: "ALL", logDestinationType });

// Kubernetes.
const clusterRole = (name: string, rules: unknown) =>
  resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { metadata: { name }, rules });
const clusterBinding = (role: string, subjects: { kind: string; name: string; namespace?: string }[]) =>
  resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", {
    metadata: { name: role },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects,
  });
const GUARD: Record<string, unknown> = { ...egressGuard({}) };
const SECRET_READER = [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }];
const namespace = (name: string) => resource("kubernetes:core/v1:Namespace", { metadata: { name } });
const networkPolicy = (ns: string, spec: Record<string, unknown>) =>
  resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { name: `policy-${nextId()}`, namespace: ns }, spec });
const helmChart = (chart: string, values: Record<string, unknown>) =>
  resource("kubernetes:helm.sh/v4:Chart", { chart, version: "1.0.0", values });
const proxy = (config: Record<string, unknown>) => helmChart("oauth2-proxy", { config, extraArgs: { provider: "oidc" } });
const fluentBit = (outputs: string) => helmChart("/charts/fluent-bit-0.58.1.tgz", { config: { outputs } });

export const ACCESS_AND_COST_CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
  "aws-client-vpn-group-authorization": {
    pass: [{ name: "a rule for one AD group", resources: () => [vpnRule({ accessGroupId: "S-1-5-21-1-2-3-1601" })] }],
    fail: [
      {
        name: "every directory user",
        resources: () => [vpnRule({ authorizeAllGroups: true })],
        expected: /to 10\.30\.0\.0\/16 admits every user the directory authenticates/,
      },
      { name: "neither a group nor all groups", resources: () => [vpnRule({})], expected: /names no directory group: set accessGroupId/ },
    ],
  },
  "aws-node-imds-single-hop": {
    pass: [
      { name: "a pool on a single-hop template", resources: () => pool(1) },
      {
        name: "a pool with its template matched by literal id",
        resources: () => {
          const template = resource("aws:ec2/launchTemplate:LaunchTemplate", {
            id: "lt-1",
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
          });
          return [
            template,
            resource("aws:eks/nodeGroup:NodeGroup", { clusterName: "prod-eks", launchTemplate: { id: "lt-1", version: "1" } }),
          ];
        },
      },
    ],
    fail: [
      {
        name: "any pool on hop limit 2, tainted or not",
        resources: () => pool(2),
        expected: /launch template has metadataOptions\.httpPutResponseHopLimit 2, not 1: its pods can obtain the node role/,
      },
      {
        name: "a pool without a hop limit (EC2's default is not 1 for every AMI)",
        resources: () => pool(undefined),
        expected: /httpPutResponseHopLimit unset, not 1/,
      },
      {
        name: "a pool whose launch template is not in the stack",
        resources: () => [
          resource("aws:eks/nodeGroup:NodeGroup", { clusterName: "prod-eks", launchTemplate: { id: "lt-elsewhere", version: "1" } }),
        ],
        expected: /launch template is not in this stack/,
      },
    ],
  },
  "aws-eks-standard-support": {
    pass: [
      { name: "standard support", resources: () => [eks({ supportType: "STANDARD" })] },
      {
        name: "extended support where the environment's policy config allows it",
        resources: () => [eks({ supportType: "EXTENDED" })],
        config: { allowedSupportTypes: ["STANDARD", "EXTENDED"] },
      },
    ],
    fail: [
      {
        name: "no upgrade policy (the API applies EXTENDED)",
        resources: () => [eks()],
        expected: /sets no upgradePolicy\.supportType, so EKS applies EXTENDED/,
      },
      {
        name: "extended support",
        resources: () => [eks({ supportType: "EXTENDED" })],
        expected: /upgradePolicy\.supportType is EXTENDED; allowed here: STANDARD/,
      },
    ],
  },
  "aws-flow-logs-to-s3": {
    pass: [
      { name: "to S3", resources: () => [flowLog("s3")] },
      {
        name: "to CloudWatch where config allows it",
        resources: () => [flowLog("cloud-watch-logs")],
        config: { allowedDestinationTypes: ["s3", "cloud-watch-logs"] },
      },
    ],
    fail: [
      { name: "to CloudWatch Logs", resources: () => [flowLog("cloud-watch-logs")], expected: /goes to cloud-watch-logs; allowed: s3/ },
      {
        name: "no destination type (the provider's default is CloudWatch Logs)",
        resources: () => [flowLog()],
        expected: /goes to cloud-watch-logs/,
      },
    ],
  },
  "k8s-no-cluster-wide-secret-reads": {
    pass: [
      {
        name: "the platform's roles bound as the platform binds them",
        resources: () => [
          ...Object.entries(CLUSTER_ROLES).map(([name, rules]) => clusterRole(name, rules)),
          clusterBinding("platform-admin", [{ kind: "Group", name: "oidc:platform-infra" }]),
          clusterBinding("auditor", [{ kind: "Group", name: "oidc:platform-auditors" }]),
        ],
      },
      {
        name: "an operator's service account",
        resources: () => [
          clusterRole("cert-manager-controller", SECRET_READER),
          clusterBinding("cert-manager-controller", [{ kind: "ServiceAccount", name: "cert-manager", namespace: "cert-manager" }]),
        ],
      },
    ],
    fail: [
      {
        name: "the auditor role with Secrets added",
        resources: () => [
          clusterRole("auditor", [...(CLUSTER_ROLES.auditor as unknown[]), ...SECRET_READER]),
          clusterBinding("auditor", [{ kind: "Group", name: "oidc:platform-auditors" }]),
        ],
        expected: /ClusterRoleBinding "auditor" lets Group "oidc:platform-auditors" read every Secret of the cluster/,
      },
      {
        name: "a wildcard role to a user",
        resources: () => [
          clusterRole("reader", [{ apiGroups: ["*"], resources: ["*"], verbs: ["list"] }]),
          clusterBinding("reader", [{ kind: "User", name: "alice@example.com" }]),
        ],
        expected: /User "alice@example\.com" read every Secret/,
      },
    ],
  },
  "k8s-instance-metadata-egress-guard": {
    pass: [
      {
        name: "the runners' namespace with the CI runners' guard",
        resources: () => [namespace("ci-runners"), networkPolicy("ci-runners", GUARD)],
      },
      { name: "an unguarded namespace needs none", resources: () => [namespace("tools")] },
      {
        name: "selector peers and a narrower ipBlock alongside the guard",
        resources: () => [
          namespace("ci-runners"),
          networkPolicy("ci-runners", GUARD),
          networkPolicy("ci-runners", {
            podSelector: { matchLabels: { app: "x" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: {} }, { ipBlock: { cidr: "10.0.0.0/8" } }] }],
          }),
        ],
      },
    ],
    fail: [
      {
        name: "no egress policy",
        resources: () => [namespace("ci-runners")],
        expected: /Namespace "ci-runners" has no NetworkPolicy selecting all its pods for Egress/,
      },
      {
        name: "an allow-all egress rule next to the guard",
        resources: () => [
          namespace("ci-runners"),
          networkPolicy("ci-runners", GUARD),
          networkPolicy("ci-runners", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] }),
        ],
        expected: /in namespace "ci-runners" admits 169\.254\.169\.254/,
      },
      {
        name: "0.0.0.0/0 without the exception",
        resources: () => [
          namespace("ci-runners"),
          networkPolicy("ci-runners", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }),
        ],
        expected: /admits 169\.254\.169\.254 \(instance metadata\)/,
      },
      {
        name: "a namespace guarded by config",
        resources: () => [namespace("builds")],
        config: { guardedNamespaces: ["builds"] },
        expected: /Namespace "builds" has no NetworkPolicy/,
      },
    ],
  },
  "k8s-oauth2-proxy-allowed-groups": {
    pass: [
      {
        name: "allowed_groups in the config file",
        resources: () => [proxy({ configFile: 'email_domains = [ "*" ]\nallowed_groups = [ "platform-infra", "Log Readers" ]' })],
      },
      {
        name: "--allowed-group as an argument, from a mirrored archive",
        resources: () => [helmChart("/charts/oauth2-proxy-10.7.0.tgz", { extraArgs: { "allowed-group": "sre" } })],
      },
    ],
    fail: [
      {
        name: "any signed-in user",
        resources: () => [proxy({ configFile: 'email_domains = [ "*" ]' })],
        expected: /admits everyone who can sign in/,
      },
      {
        name: "an empty group list",
        resources: () => [proxy({ configFile: "allowed_groups = [ ]" })],
        expected: /admits everyone who can sign in/,
      },
    ],
  },
  "k8s-fluent-bit-tls-verified": {
    pass: [
      {
        name: "the platform's container-log agent",
        resources: () => [
          helmChart(
            "fluent-bit",
            containerLogsValues({
              elasticsearchHost: "logging-es-http.logging.svc",
              credentialsRevision: "r",
              caRevision: "c",
              registryMirrors: {},
            }),
          ),
        ],
      },
      {
        name: "an output without TLS is another policy's business",
        resources: () => [fluentBit("[OUTPUT]\n    Name stdout\n    Match *\n")],
      },
    ],
    fail: [
      {
        name: "TLS without verification",
        resources: () => [fluentBit("[OUTPUT]\n    Name es\n    Match kube.*\n    tls On\n    tls.verify Off\n")],
        expected: /output es \(kube\.\*\) uses TLS without verifying the certificate \(tls\.verify Off\)/,
      },
    ],
  },
};
