/**
 * The identities the pipeline uses, as an EKS cluster sees them, on a local control plane. On EKS an IAM principal's
 * access entry gives it (a) the rights of each associated access policy, granted by EKS's own authorizer, and (b)
 * the access entry's Kubernetes groups, which RBAC binds (EKS User Guide, "Associate access policies with access
 * entries": the principal has both). Here the principal is a client certificate whose organisations are the access
 * entry's groups plus one group per associated policy, and each policy is a ClusterRole with the rules the EKS User
 * Guide lists for it ("Review access policy permissions",
 * https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html; awsdocs/amazon-eks-user-guide
 * latest/ug/manage-access/k8s-access/access-policy-reference.adoc), bound to that group.
 * test/unit/pipeline-access.test.ts keeps this list equal to the policies the program associates.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import type { Sandbox } from "./sandbox";

interface Rule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly nonResourceURLs?: string[];
  readonly verbs: string[];
}

const READ = ["get", "list", "watch"];

export const EKS_ACCESS_POLICIES: Record<string, Rule[]> = {
  AmazonEKSClusterAdminPolicy: [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
  ],
  AmazonEKSViewPolicy: [
    {
      apiGroups: ["apps"],
      resources: [
        "controllerrevisions",
        "daemonsets",
        "daemonsets/status",
        "deployments",
        "deployments/scale",
        "deployments/status",
        "replicasets",
        "replicasets/scale",
        "replicasets/status",
        "statefulsets",
        "statefulsets/scale",
        "statefulsets/status",
      ],
      verbs: READ,
    },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], verbs: READ },
    { apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], verbs: READ },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    {
      apiGroups: ["extensions"],
      resources: [
        "daemonsets",
        "daemonsets/status",
        "deployments",
        "deployments/scale",
        "deployments/status",
        "ingresses",
        "ingresses/status",
        "networkpolicies",
        "replicasets",
        "replicasets/scale",
        "replicasets/status",
        "replicationcontrollers/scale",
      ],
      verbs: READ,
    },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"], verbs: READ },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"], verbs: READ },
    {
      apiGroups: [""],
      resources: [
        "configmaps",
        "endpoints",
        "persistentvolumeclaims",
        "persistentvolumeclaims/status",
        "pods",
        "replicationcontrollers",
        "replicationcontrollers/scale",
        "serviceaccounts",
        "services",
        "services/status",
      ],
      verbs: READ,
    },
    {
      apiGroups: [""],
      resources: [
        "bindings",
        "events",
        "limitranges",
        "namespaces/status",
        "pods/log",
        "pods/status",
        "replicationcontrollers/status",
        "resourcequotas",
        "resourcequotas/status",
      ],
      verbs: READ,
    },
    { apiGroups: [""], resources: ["namespaces"], verbs: READ },
  ],
};

export type EksAccessPolicy = keyof typeof EKS_ACCESS_POLICIES;

/** What an IAM principal's access entry holds: its associated policies and its Kubernetes groups. */
export interface AccessEntry {
  readonly policies: readonly EksAccessPolicy[];
  readonly kubernetesGroups: readonly string[];
}

const policyGroup = (policy: string) => `eks-access-policy:${policy}`;

/** The access policies as ClusterRoles bound to their groups (applied once per control plane, as its admin). */
export async function emulateAccessPolicies(box: Sandbox): Promise<void> {
  const objects = Object.entries(EKS_ACCESS_POLICIES).flatMap(([policy, rules]) => [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: policyGroup(policy) }, rules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: policyGroup(policy) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: policyGroup(policy) },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: policyGroup(policy) }],
    },
  ]);
  const file = box.writeFile("eks-access-policies.json", { apiVersion: "v1", kind: "List", items: objects });
  await box.kubectl(["apply", "--server-side", "-f", file]);
}

/** The environment variable that picks the principal in a kubeconfig of `principalsKubeconfig`. */
export const PRINCIPAL_ENV = "E2E_AWS_PRINCIPAL";

/**
 * One kubeconfig of the sandbox's cluster for several principals, as on EKS: its user runs a credential plugin (there
 * `aws eks get-token`, with whatever AWS credentials the job holds; here a script that answers for the principal named
 * by PRINCIPAL_ENV), so a preview and an update with different identities pass the provider the same kubeconfig. Each
 * principal is a client certificate signed by the cluster's CA, whose organisations are its access entry's groups and
 * its policies' groups.
 */
export function principalsKubeconfig(box: Sandbox, principals: Record<string, AccessEntry>): string {
  const pki = path.join(box.clusterDir, "pki");
  const credentials = path.join(box.root, "credentials");
  fs.mkdirSync(credentials, { recursive: true });
  for (const [name, entry] of Object.entries(principals)) {
    const [key, csr, cert] = ["key", "csr", "crt"].map((ext) => path.join(pki, `${name}.${ext}`));
    const groups = [...entry.kubernetesGroups, ...entry.policies.map(policyGroup)];
    const subject = [...groups.map((group) => `/O=${group}`), `/CN=${name}`].join("");
    execFileSync("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subject], {
      stdio: "ignore",
    });
    const ca = ["-CA", path.join(pki, "ca.crt"), "-CAkey", path.join(pki, "ca.key"), "-CAcreateserial"];
    execFileSync("openssl", ["x509", "-req", "-in", csr, ...ca, "-days", "1", "-out", cert], { stdio: "ignore" });
    const status = { clientCertificateData: fs.readFileSync(cert, "utf8"), clientKeyData: fs.readFileSync(key, "utf8") };
    const credential = { apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status };
    fs.writeFileSync(path.join(credentials, `${name}.json`), JSON.stringify(credential));
  }
  const plugin = path.join(credentials, "get-token.sh");
  fs.writeFileSync(plugin, `#!/bin/sh\nexec cat "${credentials}/\${${PRINCIPAL_ENV}:?which principal}.json"\n`, { mode: 0o755 });
  const config = parseDocument(fs.readFileSync(box.kubeconfig, "utf8"));
  config.setIn(
    ["users", 0, "user"],
    config.createNode({ exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" } }),
  );
  const file = path.join(box.root, "principals-kubeconfig");
  fs.writeFileSync(file, config.toString());
  return file;
}
