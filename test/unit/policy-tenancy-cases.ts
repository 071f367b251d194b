/**
 * Cases of the team-namespace policies for the case table of test/unit/policy.test.ts: each team namespace's
 * quota, limits and default-deny network policy, its Pod Security level, and the load balancers its quota grants.
 * Built from the tenancy component's own specs.
 */
import { containerDefaults, networkBaseline, podSecurityLabels, quotaHard } from "../../components/tenancy/baseline";
import { Case, FailingCase, nextId, resource } from "../policy-cases";

const TEAM_LABEL = "platform.example.io/team";
const namespace = (name: string, labels: Record<string, string> = {}) =>
  resource("kubernetes:core/v1:Namespace", { metadata: { name, labels } });
const teamNs = (name: string, labels: Record<string, string> = podSecurityLabels("restricted")) =>
  namespace(name, { [TEAM_LABEL]: "alpha", ...labels });
const QUOTA = { pods: 10, services: 5, loadBalancers: 0, secrets: 10, configMaps: 10, persistentVolumeClaims: 2 };
const quota = (ns: string, loadBalancers = 0) =>
  resource("kubernetes:core/v1:ResourceQuota", {
    metadata: { name: "team-quota", namespace: ns },
    spec: { hard: quotaHard({ ...QUOTA, loadBalancers }, true) },
  });
const limitRange = (ns: string) =>
  resource("kubernetes:core/v1:LimitRange", {
    metadata: { name: "container-defaults", namespace: ns },
    spec: containerDefaults({ defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "200m", memory: "256Mi" } }),
  });
const networkPolicy = (
  ns: string,
  spec: Record<string, any> = networkBaseline({
    team: "alpha",
    monitoringNamespace: "monitoring",
    ingressNamespace: "ingress",
    loadBalancerSources: [],
    egress: [],
  }),
) =>
  resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
    metadata: { name: "default-deny-with-platform-access", namespace: ns },
    spec,
  });
const baseline = (ns: string) => [teamNs(ns), quota(ns), limitRange(ns), networkPolicy(ns)];
const service = (ns: string, type = "LoadBalancer") =>
  resource("kubernetes:core/v1:Service", { metadata: { name: `svc-${nextId()}`, namespace: ns }, spec: { type } });

export const TENANCY_CASES: Record<string, { pass: Case[]; fail: FailingCase[] }> = {
  "k8s-team-namespace-baseline": {
    pass: [
      { name: "a team namespace with the tenancy component's quota, limits and network baseline", resources: () => baseline("alpha") },
      { name: "a platform namespace needs none of them", resources: () => [namespace("monitoring")] },
    ],
    fail: [
      {
        name: "no ResourceQuota",
        resources: () => baseline("alpha").filter((r) => !r.type.endsWith("ResourceQuota")),
        expected: /"alpha" of team alpha lacks its ResourceQuota\.$/,
      },
      {
        name: "quota in another namespace",
        resources: () => [...baseline("alpha").filter((r) => !r.type.endsWith("ResourceQuota")), quota("beta")],
        expected: /lacks its ResourceQuota/,
      },
      {
        name: "no LimitRange",
        resources: () => baseline("alpha").filter((r) => !r.type.endsWith("LimitRange")),
        expected: /lacks its LimitRange\.$/,
      },
      {
        name: "a NetworkPolicy for Ingress only",
        resources: () => [
          teamNs("alpha"),
          quota("alpha"),
          limitRange("alpha"),
          networkPolicy("alpha", { podSelector: {}, policyTypes: ["Ingress"] }),
        ],
        expected: /lacks its default-deny NetworkPolicy/,
      },
      {
        name: "a NetworkPolicy selecting some pods only",
        resources: () => [
          teamNs("alpha"),
          quota("alpha"),
          limitRange("alpha"),
          networkPolicy("alpha", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] }),
        ],
        expected: /lacks its default-deny NetworkPolicy/,
      },
      {
        name: "a NetworkPolicy with an allow-everything rule",
        resources: () => [
          teamNs("alpha"),
          quota("alpha"),
          limitRange("alpha"),
          networkPolicy("alpha", { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] }),
        ],
        expected: /lacks its default-deny NetworkPolicy/,
      },
    ],
  },
  "k8s-team-namespace-pod-security": {
    pass: [
      { name: "restricted", resources: () => [teamNs("alpha")] },
      { name: "baseline", resources: () => [teamNs("alpha", podSecurityLabels("baseline"))] },
      { name: "a platform namespace is not a team namespace", resources: () => [namespace("logging", podSecurityLabels("privileged"))] },
    ],
    fail: [
      {
        name: "no enforce label",
        resources: () => [teamNs("alpha", {})],
        expected: /"alpha" of team alpha has no pod-security.kubernetes.io\/enforce label/,
      },
      {
        name: "privileged",
        resources: () => [teamNs("alpha", podSecurityLabels("privileged"))],
        expected: /enforces Pod Security "privileged"/,
      },
      {
        name: "baseline where config allows restricted only",
        resources: () => [teamNs("alpha", podSecurityLabels("baseline"))],
        config: { allowedEnforceLevels: ["restricted"] },
        expected: /"baseline"/,
      },
    ],
  },
  "k8s-team-load-balancers": {
    pass: [
      {
        name: "a LoadBalancer granted by the namespace's quota",
        resources: () => [teamNs("payments"), quota("payments", 1), service("payments")],
      },
      { name: "ClusterIP Services", resources: () => [teamNs("alpha"), quota("alpha"), service("alpha", "ClusterIP")] },
      { name: "a LoadBalancer outside team namespaces", resources: () => [teamNs("alpha"), namespace("ingress"), service("ingress")] },
    ],
    fail: [
      {
        name: "a LoadBalancer with quota 0",
        resources: () => [teamNs("alpha"), quota("alpha"), service("alpha")],
        expected: /LoadBalancer in team namespace "alpha", which has 1 and is granted 0/,
      },
      {
        name: "more LoadBalancers than granted",
        resources: () => [teamNs("alpha"), quota("alpha", 1), service("alpha"), service("alpha")],
        expected: /has 2 and is granted 1/,
      },
      { name: "a LoadBalancer without any quota", resources: () => [teamNs("alpha"), service("alpha")], expected: /is granted 0/ },
    ],
  },
};
