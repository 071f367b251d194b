/**
 * Where a team's pods may run, and how they rank. The platform's nodes are kept for the platform by taints (the
 * config's node pools, EKS's CriticalAddonsOnly on system nodes, a retiring generation's taint), which a team pod
 * must not tolerate, nor bypass by naming a node (the kubelet admits a pod bound to it by `spec.nodeName` whatever
 * NoSchedule taints the node has: Kubernetes docs, "Taints and Tolerations"). Priority classes rank pods for
 * preemption and for eviction under node pressure (Kubernetes docs, "Pod Priority and Preemption"); every class of
 * the cluster is the platform's, none `globalDefault` (the Priority admission plugin would otherwise name it on every
 * pod), so a team pod names none. Pod templates are checked too, so that a Deployment is refused
 * when applied rather than its ReplicaSet's pods, silently, later. Kubernetes' own `node.kubernetes.io/*`
 * tolerations (DefaultTolerationSeconds, the DaemonSet controller) are not platform taints and stay allowed.
 */
import { AdmissionContext, listOf, TeamAdmissionPolicy } from "./cel";

/** The pod spec of a Pod or of a workload's template. */
const POD_SPEC =
  "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";

export function teamScheduling(context: AdmissionContext): TeamAdmissionPolicy {
  const taints = listOf(context.platformTaintKeys);
  return {
    name: "team-namespaces-scheduling",
    resourceRules: [
      { apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE", "UPDATE"] },
      {
        apiGroups: ["apps"],
        apiVersions: ["v1"],
        resources: ["deployments", "statefulsets", "daemonsets", "replicasets"],
        operations: ["CREATE", "UPDATE"],
      },
      { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"], operations: ["CREATE", "UPDATE"] },
    ],
    variables: [
      { name: "podSpec", expression: POD_SPEC },
      { name: "tolerations", expression: "variables.podSpec.?tolerations.orValue([])" },
      { name: "platformTaints", expression: `variables.tolerations.filter(t, t.?key.orValue("") in ${taints}).map(t, t.key)` },
      { name: "kind", expression: "object.kind + ' ' + object.metadata.?name.orValue('')" },
    ],
    validations: [
      {
        expression: 'variables.tolerations.all(t, t.?key.orValue("") != "")',
        message:
          "a toleration without a key (operator Exists) tolerates every taint, the platform's nodes' included: " +
          "tolerate the taints the team's nodes have, by key",
        messageExpression:
          "variables.kind + \": a toleration without a key (operator Exists) tolerates every taint, the platform's nodes' included: " +
          "tolerate the taints the team's nodes have, by key\"",
      },
      {
        expression: "variables.platformTaints.size() == 0",
        message: `tolerations of the platform's taints (${context.platformTaintKeys.join(", ")}) are not allowed in team namespaces: remove the toleration`,
        messageExpression:
          'variables.kind + ": tolerating " + variables.platformTaints.join(", ") + " would schedule onto the platform\'s own nodes, ' +
          'which team namespaces may not use: remove the toleration"',
      },
      {
        // A Pod is checked when created: once bound, it carries its node's name.
        expression: "(object.kind == 'Pod' && request.operation != 'CREATE') || variables.podSpec.?nodeName.orValue('') == ''",
        message: "spec.nodeName is not allowed in team namespaces: it binds a pod to a node past its taints; let the scheduler place it",
        messageExpression:
          'variables.kind + ": spec.nodeName " + variables.podSpec.nodeName + " binds the pod to a node past its taints, ' +
          "which team namespaces may not do: leave it out (use nodeSelector or affinity within the team's nodes)\"",
      },
      {
        // Every PriorityClass of a cluster is the platform's (teams create none): Kubernetes' system-* ones, and those
        // its operators bring, such as Tigera's calico-priority at a billion. Any of them would preempt other teams'
        // pods and the platform's on shared nodes, so team pods take the default priority.
        expression: "variables.podSpec.?priorityClassName.orValue('') == ''",
        message: "priority classes are the platform's own (they preempt other pods): leave priorityClassName out in team namespaces",
        messageExpression:
          'variables.kind + ": priorityClassName " + variables.podSpec.priorityClassName + " is the platform\'s (it would preempt ' +
          "other teams' and the platform's pods): leave it out, team pods take the default priority\"",
      },
    ],
  };
}
