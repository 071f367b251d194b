/**
 * The IngressClassParams behind the controller's three IngressClasses (lib/ingress-classes.ts). The controller
 * applies a params' `scheme` and `group` over any annotation of an Ingress of that class (aws-load-balancer-
 * controller v3.5.0 `pkg/ingress/group_loader.go` loadGroupID: "the 'group' settings in associated IngClassParams
 * takes higher priority than 'group.name' annotation"; `model_build_load_balancer.go` reads the scheme annotation
 * only when the params set none; docs/guide/ingress/ingress_class.md). Its `namespaceSelector` is enforced when the
 * controller reconciles, not by the controller's webhook (`webhooks/networking/ingress_validator.go` builds its class
 * loader with `loadParams` false): the cluster's admission policies refuse the classes a namespace may not use
 * before an Ingress is stored.
 */
import { INGRESS_CLASSES, PUBLIC_INGRESS_LABEL } from "../../lib/ingress-classes";
import { PLATFORM_INGRESS_GROUP, TEAM_LABEL } from "../../lib/naming";
import { PLATFORM_NAMESPACE_LABEL } from "../tenancy/platform-namespace";

/** The controller's name in an IngressClass (`spec.controller`). */
export const ALB_CONTROLLER = "ingress.k8s.aws/alb";

/** `elbv2.k8s.aws/v1beta1` IngressClassParams `spec` of each class, by class name. */
export const INGRESS_CLASS_PARAMS = {
  // Teams: internal load balancers, in the team's own groups (admission refuses group names not the team's).
  [INGRESS_CLASSES.team]: {
    namespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] },
    scheme: "internal",
  },
  // Teams granted public exposure (teams[].publicIngress labels their namespaces).
  [INGRESS_CLASSES.public]: {
    namespaceSelector: { matchLabels: { [PUBLIC_INGRESS_LABEL]: "true" } },
    scheme: "internet-facing",
  },
  // The platform's dashboards: one internal load balancer that only the platform's namespaces can join.
  [INGRESS_CLASSES.platform]: {
    namespaceSelector: { matchLabels: { [PLATFORM_NAMESPACE_LABEL]: "true" } },
    scheme: "internal",
    group: { name: PLATFORM_INGRESS_GROUP },
  },
} as const;
