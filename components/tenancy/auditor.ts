/**
 * What the auditor role reads, cluster-wide: every API the platform runs, by group and resource, with get, list
 * and watch only. Listed explicitly, like the team roles: an API added later grants nothing until it is added
 * here, and a test compares this list with the CRDs of every chart the platform installs.
 *
 * Deliberately absent: Secrets, and Dex's storage (dex.coreos.com), which holds signing keys, refresh tokens,
 * authorization codes and password hashes: Secrets in all but name. Velero's DownloadRequests too (UNREAD_CUSTOM_RESOURCES).
 */
import * as k8s from "@pulumi/kubernetes";

type Rule = k8s.types.input.rbac.v1.PolicyRule;

const READ = ["get", "list", "watch"];

/**
 * Custom resources of the pinned charts the auditor does not read, `group/plural`, each for its reason: a Velero
 * DownloadRequest's status holds a pre-signed URL of a backup's contents (every Secret of the cluster included), which
 * a watch would hand to whoever may read it (Velero docs, "Backup Reference": `velero backup download`).
 */
export const UNREAD_CUSTOM_RESOURCES = ["velero.io/downloadrequests"];

/** API group → resources the auditor reads, beyond the workloads and guard rails of the team roles. */
const AUDITED_APIS: Record<string, string[]> = {
  // Kubernetes itself.
  "": ["namespaces", "nodes", "persistentvolumes", "replicationcontrollers", "podtemplates", "services/status", "pods/status"],
  apps: ["controllerrevisions"],
  "rbac.authorization.k8s.io": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
  "storage.k8s.io": ["storageclasses", "volumeattachments", "csidrivers", "csinodes", "csistoragecapacities", "volumeattributesclasses"],
  "apiextensions.k8s.io": ["customresourcedefinitions"],
  "apiregistration.k8s.io": ["apiservices"],
  "admissionregistration.k8s.io": [
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
  ],
  "networking.k8s.io": ["ingressclasses", "ipaddresses", "servicecidrs"],
  "scheduling.k8s.io": ["priorityclasses"],
  "coordination.k8s.io": ["leases"],
  "node.k8s.io": ["runtimeclasses"],
  "events.k8s.io": ["events"],
  "certificates.k8s.io": ["certificatesigningrequests"],
  "flowcontrol.apiserver.k8s.io": ["flowschemas", "prioritylevelconfigurations"],
  // EKS and its add-ons: the VPC CNI (ENIConfig, network policy endpoints) and the VPC resource controller.
  "crd.k8s.amazonaws.com": ["eniconfigs"],
  "networking.k8s.aws": ["policyendpoints"],
  "vpcresources.k8s.aws": ["securitygrouppolicies", "cninodes"],
  // Calico (the CRD chart crd.projectcalico.org.v1, and the operator's API).
  "crd.projectcalico.org": [
    "bgpconfigurations",
    "bgpfilters",
    "bgppeers",
    "blockaffinities",
    "caliconodestatuses",
    "clusterinformations",
    "felixconfigurations",
    "globalnetworkpolicies",
    "globalnetworksets",
    "hostendpoints",
    "ipamblocks",
    "ipamconfigs",
    "ipamhandles",
    "ippools",
    "ipreservations",
    "kubecontrollersconfigurations",
    "networkpolicies",
    "networksets",
    "stagedglobalnetworkpolicies",
    "stagedkubernetesnetworkpolicies",
    "stagednetworkpolicies",
    "tiers",
  ],
  "operator.tigera.io": [
    "apiservers",
    "gatewayapis",
    "goldmanes",
    "imagesets",
    "installations",
    "istios",
    "managementclusterconnections",
    "tigerastatuses",
    "whiskers",
  ],
  "policy.networking.k8s.io": ["clusternetworkpolicies"],
  // cert-manager.
  "cert-manager.io": ["certificates", "certificaterequests", "issuers", "clusterissuers"],
  "acme.cert-manager.io": ["orders", "challenges"],
  // kube-prometheus-stack.
  "monitoring.coreos.com": [
    "alertmanagerconfigs",
    "alertmanagers",
    "podmonitors",
    "probes",
    "prometheusagents",
    "prometheuses",
    "prometheusrules",
    "scrapeconfigs",
    "servicemonitors",
    "thanosrulers",
  ],
  // ECK (eck-operator installs the CRDs of every Elastic resource kind, used or not).
  "elasticsearch.k8s.elastic.co": ["elasticsearches"],
  "kibana.k8s.elastic.co": ["kibanas"],
  "agent.k8s.elastic.co": ["agents"],
  "apm.k8s.elastic.co": ["apmservers"],
  "autoops.k8s.elastic.co": ["autoopsagentpolicies"],
  "autoscaling.k8s.elastic.co": ["elasticsearchautoscalers"],
  "beat.k8s.elastic.co": ["beats"],
  "enterprisesearch.k8s.elastic.co": ["enterprisesearches"],
  "logstash.k8s.elastic.co": ["logstashes"],
  "maps.k8s.elastic.co": ["elasticmapsservers"],
  "packageregistry.k8s.elastic.co": ["packageregistries"],
  "stackconfigpolicy.k8s.elastic.co": ["stackconfigpolicies"],
  // Velero.
  "velero.io": [
    "backuprepositories",
    "backups",
    "backupstoragelocations",
    "datadownloads",
    "datauploads",
    "deletebackuprequests",
    "podvolumebackups",
    "podvolumerestores",
    "restores",
    "schedules",
    "serverstatusrequests",
    "volumesnapshotlocations",
  ],
  // AWS Load Balancer Controller.
  "elbv2.k8s.aws": ["albtargetcontrolconfigs", "ingressclassparams", "targetgroupbindings"],
  "aga.k8s.aws": ["globalaccelerators"],
  "gateway.k8s.aws": ["listenerruleconfigurations", "loadbalancerconfigurations", "targetgroupconfigurations"],
  // external-dns.
  "externaldns.k8s.io": ["dnsendpoints"],
  // actions-runner-controller (runner scale sets).
  "actions.github.com": ["autoscalinglisteners", "autoscalingrunnersets", "ephemeralrunners", "ephemeralrunnersets"],
};

export const AUDITED_API_RULES: Rule[] = Object.entries(AUDITED_APIS).map(([group, resources]) => ({
  apiGroups: [group],
  resources,
  verbs: READ,
}));
