/**
 * How a team exposes its services: Ingresses and Services. The AWS Load Balancer Controller (v3.5.0) lets an
 * Ingress's annotations choose its load balancer: `kubernetes.io/ingress.class` wins over `spec.ingressClassName`
 * and skips the class's IngressClassParams, `group.name` joins any explicit group of the cluster, whatever its
 * namespace (pkg/ingress/group_loader.go `classifyIngress`, `loadGroupID`; group.go `NewGroupIDForExplicitGroup`),
 * and a Service's `aws-load-balancer-scheme` or legacy `aws-load-balancer-internal: "false"` makes an
 * internet-facing NLB (pkg/service/model_build_load_balancer.go). external-dns publishes whatever names an
 * Ingress's hosts and either object's hostname annotations give (kubernetes-sigs/external-dns v0.21.0). Here a
 * team keeps to its own classes, groups and names.
 */
import { INGRESS_CLASSES } from "../../../lib/ingress-classes";
import {
  Validation,
  annotatedHostnamesAreTheTeams,
  foreignAnnotatedHostnames,
  inTeamDomain,
  literal,
  PUBLIC_INGRESS_GRANTED,
  TeamAdmissionPolicy,
  teamVariables,
  AdmissionContext,
} from "./cel";

const LEGACY_CLASS = "kubernetes.io/ingress.class";
const ALB_SCHEME = "alb.ingress.kubernetes.io/scheme";
const ALB_GROUP = "alb.ingress.kubernetes.io/group.name";
const NLB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const NLB_INTERNAL = "service.beta.kubernetes.io/aws-load-balancer-internal";

const annotated = (key: string) => `${literal(key)} in variables.annotations`;
const annotation = (key: string) => `variables.annotations[${literal(key)}]`;
const PUBLIC_GRANT = "platform:teams[].publicIngress in the stack config";

/**
 * No NodePort Services, wherever load balancers can target pods: a node port opens the service on every node's
 * address, outside the ingress path and the network baseline's namespace boundaries. A quota cannot say this:
 * `services.nodeports` also counts the node ports a LoadBalancer Service allocates, so a quota of 0 would refuse the
 * load balancers the team is granted (`services.loadbalancers`).
 */
export const NO_NODE_PORTS: TeamAdmissionPolicy = {
  name: "team-namespaces-no-node-ports",
  resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] }],
  validations: [
    {
      expression: "object.spec.type != 'NodePort'",
      message: "NodePort Services are not allowed in team namespaces: use a LoadBalancer Service (within the team's quota) or an Ingress",
    },
  ],
};

export function teamIngresses(context: AdmissionContext): TeamAdmissionPolicy {
  const className = "object.spec.?ingressClassName.orValue('')";
  return {
    name: "team-namespaces-ingresses",
    resourceRules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], resources: ["ingresses"], operations: ["CREATE", "UPDATE"] }],
    variables: [
      ...teamVariables(context),
      { name: "group", expression: `${annotated(ALB_GROUP)} ? ${annotation(ALB_GROUP)} : variables.team` },
      {
        name: "foreignHosts",
        expression:
          `object.spec.?rules.orValue([]).filter(r, has(r.host) && !${inTeamDomain("r.host")}).map(r, r.host) + ` +
          `object.spec.?tls.orValue([]).map(t, t.?hosts.orValue([]).filter(h, !${inTeamDomain("h")}).join(", ")).filter(h, h != "")`,
      },
      foreignAnnotatedHostnames,
    ],
    validations: [
      {
        expression: `!(${annotated(LEGACY_CLASS)})`,
        message:
          `the ${LEGACY_CLASS} annotation is not allowed in team namespaces (it overrides the IngressClass and its settings): ` +
          `set spec.ingressClassName: ${INGRESS_CLASSES.team} instead`,
      },
      {
        expression: `!(${annotated(ALB_SCHEME)})`,
        message:
          `the ${ALB_SCHEME} annotation is not allowed in team namespaces: the IngressClass decides the scheme ` +
          `(${INGRESS_CLASSES.team}: internal; ${INGRESS_CLASSES.public}: internet-facing, for teams granted public ingress); remove the annotation`,
      },
      {
        // A team's own groups: its name, or its name and a dot (team names have no dot, so no team's groups are another's).
        expression: `variables.group == variables.team || variables.group.startsWith(variables.team + ".")`,
        message: `${ALB_GROUP} in team namespaces must be one of the team's own groups: the team's name, or <team>.<name>`,
        messageExpression:
          `"${ALB_GROUP} " + variables.group + " is not team " + variables.team + "'s: a group shares one load balancer ` +
          `across namespaces; use " + variables.team + " or " + variables.team + ".<name>"`,
      },
      {
        expression: `${className} != ${literal(INGRESS_CLASSES.platform)}`,
        message:
          `ingressClassName ${INGRESS_CLASSES.platform} is the platform's dashboards' load balancer, not for team namespaces: ` +
          `use ${INGRESS_CLASSES.team}`,
      },
      {
        expression: `${className} != ${literal(INGRESS_CLASSES.public)} || ${PUBLIC_INGRESS_GRANTED}`,
        message: `ingressClassName ${INGRESS_CLASSES.public} (internet-facing) needs the team's public-ingress grant (${PUBLIC_GRANT}): use ${INGRESS_CLASSES.team}`,
        messageExpression:
          `"ingressClassName ${INGRESS_CLASSES.public} (internet-facing) needs a public-ingress grant (${PUBLIC_GRANT}), ` +
          `which team " + variables.team + " has not: use ${INGRESS_CLASSES.team} (internal)"`,
      },
      {
        expression: "variables.foreignHosts.size() == 0",
        message: "Ingress hosts in team namespaces must be the team's own DNS names: <team>.<environment>.<domain> or a name under it",
        messageExpression:
          `"host " + variables.foreignHosts.join(", ") + " is outside team " + variables.team + "'s names: ` +
          `use " + variables.teamDomain + " or a name under it"`,
      },
      annotatedHostnamesAreTheTeams,
    ],
  };
}

export function teamServices(context: AdmissionContext): TeamAdmissionPolicy {
  return {
    name: "team-namespaces-services",
    resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["services"], operations: ["CREATE", "UPDATE"] }],
    variables: [...teamVariables(context), foreignAnnotatedHostnames],
    validations: [
      {
        expression: "object.spec.?externalIPs.orValue([]).size() == 0",
        message:
          "spec.externalIPs is not allowed in team namespaces: a Service's external IP captures that address's traffic from every " +
          "pod and node of the cluster (CVE-2020-8554); use a LoadBalancer Service (within the team's quota) or an Ingress",
      },
      {
        expression:
          `${PUBLIC_INGRESS_GRANTED} || (` +
          `(!(${annotated(NLB_SCHEME)}) || ${annotation(NLB_SCHEME)} != "internet-facing") && ` +
          `(!(${annotated(NLB_INTERNAL)}) || ${annotation(NLB_INTERNAL)}.lowerAscii() in ["true", "t", "1"]))`,
        message: `an internet-facing load balancer needs the team's public-ingress grant (${PUBLIC_GRANT}): leave the scheme out (internal)`,
        messageExpression:
          `"${NLB_SCHEME}: internet-facing (or ${NLB_INTERNAL}: false) needs a public-ingress grant (${PUBLIC_GRANT}), ` +
          `which team " + variables.team + " has not: leave the scheme out (internal)"`,
      },
      annotatedHostnamesAreTheTeams,
      ...(context.loadBalancerClass ? [loadBalancerClassIs(context.loadBalancerClass)] : []),
    ],
  };
}

/**
 * A LoadBalancer Service without the controller's class goes to the cloud provider's built-in controller, which builds
 * an internet-facing Classic Load Balancer past every scheme check above: when the controller's Service webhook (which
 * sets the class, failure policy Ignore) is not ready, or for a Service labelled as the controller itself, which its
 * chart exempts from that webhook.
 */
function loadBalancerClassIs(loadBalancerClass: string): Validation {
  return {
    expression: `object.spec.?type.orValue("") != "LoadBalancer" || object.spec.?loadBalancerClass.orValue("") == "${loadBalancerClass}"`,
    message:
      `a LoadBalancer Service in a team namespace takes spec.loadBalancerClass: ${loadBalancerClass} (the AWS Load Balancer ` +
      "Controller's, which sets it unless its webhook is down): without it the cluster's built-in controller would build an " +
      "internet-facing Classic Load Balancer; set it, or retry once the controller is ready",
  };
}
