import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TenancyConfig } from "../../config/sections/tenancy";
import { LABEL_PREFIX, Naming } from "../../lib/naming";
import { PLATFORM_CONTAINER_DEFAULTS } from "../../lib/workload-sizes";
import { containerDefaults, podSecurityLabels } from "./baseline";

/** On every namespace the platform itself runs in, never on a team's: the platform's IngressClass selects on it. */
export const PLATFORM_NAMESPACE_LABEL = `${LABEL_PREFIX}/platform`;

export interface PlatformNamespaceArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly name: string;
  /** Agents that read host logs or node metrics need `privileged`; everything else runs `restricted`. */
  readonly podSecurity: TenancyConfig["podSecurity"];
}

/**
 * The baseline of a namespace the platform itself runs in (monitoring, logging, cert-manager, …): labels,
 * pod security and container defaults. Unlike team namespaces there is no quota (platform sizes come from
 * config) and no default-deny policy: these agents talk to the API server, webhooks and every node, whose
 * addresses no pod selector can name.
 */
export function platformNamespace(parent: pulumi.Resource, args: PlatformNamespaceArgs): k8s.core.v1.Namespace {
  const opts = { parent, provider: args.provider };
  const namespace = new k8s.core.v1.Namespace(
    `${args.name}-namespace`,
    {
      metadata: {
        name: args.name,
        labels: { ...args.naming.labels(), [PLATFORM_NAMESPACE_LABEL]: "true", ...podSecurityLabels(args.podSecurity) },
      },
    },
    opts,
  );
  new k8s.core.v1.LimitRange(
    `${args.name}-container-defaults`,
    {
      metadata: { name: "container-defaults", namespace: args.name, labels: args.naming.labels() },
      spec: containerDefaults(PLATFORM_CONTAINER_DEFAULTS),
    },
    { ...opts, dependsOn: namespace },
  );
  return namespace;
}
