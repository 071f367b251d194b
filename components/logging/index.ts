/**
 * Logs and Kubernetes events in Elasticsearch, read in Kibana: the ECK operator with an Elasticsearch and a
 * Kibana resource, index lifecycle by age, Fluent Bit on every node and for events, and oauth2-proxy in front
 * of Kibana for the Dex login. Teams only print to stdout/stderr.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LoggingConfig } from "../../config/sections/observability";
import { RegistryMirrors } from "../../lib/images";
import { Naming } from "../../lib/naming";
import { PublishedDashboardArgs } from "../monitoring";
import { SecretRead } from "../pipeline-access";
import { platformNamespace } from "../tenancy";
import { CHARTS, chartSource, IMAGES } from "../../lib/versions";
import { derivedCredential, revisionOf } from "./credentials";
import { ELASTICSEARCH_NAME, elasticsearch, elasticsearchService, HTTP_CA_SECRET, ROLES_SECRET, rolesFile, USERS } from "./elasticsearch";
import { mirrorElasticsearchCa } from "./ca-mirror";
import { AGENT_CREDENTIALS_SECRET, containerLogsValues, eventsValues } from "./fluent-bit";
import { KIBANA_NAME, kibanaIngressPolicy, kibanaSpec, oauth2ProxyValues, PROXY_SECRET } from "./kibana";
import { AGENTS_INGRESS_POLICY, loggingIngressPolicies } from "./network-policies";
import { retentionJob } from "./retention";

/** Elasticsearch, Kibana, their operator and the login proxy: no host access, so pod security `baseline`. */
export const LOGGING_NAMESPACE = "logging";
/** Fluent Bit reads its node's /var/log through a hostPath volume, which only `privileged` admits. */
export const AGENTS_NAMESPACE = "logging-agents";
/** What every preview and refresh reads from the cluster where logging runs (ca-mirror.ts): ECK's public HTTP CA. */
export const LOGGING_SECRET_READS: readonly SecretRead[] = [{ namespace: LOGGING_NAMESPACE, name: HTTP_CA_SECRET }];

export interface LoggingArgs extends PublishedDashboardArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly config: LoggingConfig;
  readonly storageClassName: string;
  /** Protect the Elasticsearch resource and keep its volumes when it is deleted. */
  readonly protect: boolean;
  /**
   * The environment's ECR pull-through caches, for oauth2-proxy (Quay) and Fluent Bit (Docker Hub). ECK,
   * Elasticsearch and Kibana stay on their vendor's registry (docker.elastic.co), which ECR cannot cache.
   */
  readonly registryMirrors: RegistryMirrors;
}

export class Logging extends pulumi.ComponentResource {
  /** Elasticsearch's HTTP Service, where Fluent Bit ships. */
  readonly elasticsearchHost: string;
  readonly kibanaUrl: string;

  constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:logging:Logging", name, {}, opts);
    const { provider, naming, config } = args;
    const childOpts = { parent: this, provider };
    const labels = naming.labels();
    this.elasticsearchHost = elasticsearchService(LOGGING_NAMESPACE);
    this.kibanaUrl = naming.url("kibana");

    const namespace = platformNamespace(this, { provider, naming, name: LOGGING_NAMESPACE, podSecurity: "baseline" });
    const agentsNamespace = platformNamespace(this, { provider, naming, name: AGENTS_NAMESPACE, podSecurity: "privileged" });
    const inLogging = { ...childOpts, dependsOn: namespace };

    // Chart v4: the operator chart has no hooks, and its CRDs and RBAC show up object by object in previews.
    const operator = new k8s.helm.v4.Chart(
      `${name}-eck-operator`,
      {
        ...chartSource(CHARTS.eckOperator),
        namespace: LOGGING_NAMESPACE,
        values: {
          managedNamespaces: [LOGGING_NAMESPACE],
          // Fluent Bit trusts a copy of the HTTP CA (ca-mirror.ts): a CA that lives ten years instead of one
          // rarely invalidates it. Server certificates still rotate yearly (certificatesValidity) under it.
          config: { caValidity: "87600h" },
          // Pulumi writes every Elastic resource from typed code, and the control plane cannot reach a webhook
          // on an overlay pod network; the webhook's failure policy is Ignore anyway.
          webhook: { enabled: false },
        },
      },
      inLogging,
    );

    // Every credential goes into a Secret the workload references by name, never into chart values or specs.
    const secret = (
      resource: string,
      ns: k8s.core.v1.Namespace,
      secretName: string,
      stringData: Record<string, pulumi.Input<string>>,
      type = "Opaque",
    ) =>
      new k8s.core.v1.Secret(
        `${name}-${resource}`,
        { metadata: { name: secretName, namespace: ns.metadata.name, labels }, type, stringData },
        childOpts,
      );
    const user = (resource: string, spec: (typeof USERS)[keyof typeof USERS], password: pulumi.Output<string>) =>
      secret(
        resource,
        namespace,
        spec.secret,
        { username: spec.username, password, roles: spec.roles.join(",") },
        "kubernetes.io/basic-auth",
      );
    const fluentBitPassword = derivedCredential(args.oidcClientSecret, "fluent-bit");
    const roles = secret("es-roles", namespace, ROLES_SECRET, { "roles.yml": rolesFile() });
    const fluentBitUser = user("es-user-fluent-bit", USERS.fluentBit, fluentBitPassword);
    const viewerUser = user("es-user-kibana-viewer", USERS.kibanaViewer, derivedCredential(args.oidcClientSecret, "kibana-viewer"));
    const agentCredentials = secret("fluent-bit-credentials", agentsNamespace, AGENT_CREDENTIALS_SECRET, { password: fluentBitPassword });
    const proxySecret = secret("oauth2-proxy", namespace, PROXY_SECRET, {
      "client-id": args.oidcClientId,
      "client-secret": args.oidcClientSecret,
      "cookie-secret": derivedCredential(args.oidcClientSecret, "oauth2-proxy-cookie"),
    });

    const es = elasticsearch({
      version: IMAGES.elasticStack,
      config: config.elasticsearch,
      storageClassName: args.storageClassName,
      retainVolumes: args.protect,
    });
    const cluster = new k8s.apiextensions.CustomResource(
      `${name}-elasticsearch`,
      {
        apiVersion: "elasticsearch.k8s.elastic.co/v1",
        kind: "Elasticsearch",
        metadata: {
          name: ELASTICSEARCH_NAME,
          namespace: LOGGING_NAMESPACE,
          labels,
          ...(es.annotations && { annotations: es.annotations }),
        },
        spec: es.spec,
      },
      { ...childOpts, dependsOn: [operator, roles, fluentBitUser, viewerUser], protect: args.protect },
    );

    const kibana = new k8s.apiextensions.CustomResource(
      `${name}-kibana`,
      {
        apiVersion: "kibana.k8s.elastic.co/v1",
        kind: "Kibana",
        metadata: { name: KIBANA_NAME, namespace: LOGGING_NAMESPACE, labels },
        spec: kibanaSpec({ version: IMAGES.elasticStack, replicas: config.kibana.replicas, naming }),
      },
      { ...childOpts, dependsOn: [operator, cluster, viewerUser] },
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-kibana-ingress`,
      { metadata: { name: "kibana-only-through-oauth2-proxy", namespace: LOGGING_NAMESPACE, labels }, spec: kibanaIngressPolicy() },
      inLogging,
    );
    for (const [policy, spec] of Object.entries(loggingIngressPolicies({ agentsNamespace: AGENTS_NAMESPACE }))) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${policy}`,
        { metadata: { name: policy, namespace: LOGGING_NAMESPACE, labels }, spec },
        inLogging,
      );
    }
    new k8s.networking.v1.NetworkPolicy(
      `${name}-agents-no-ingress`,
      { metadata: { name: "no-ingress", namespace: AGENTS_NAMESPACE, labels }, spec: AGENTS_INGRESS_POLICY },
      { ...childOpts, dependsOn: agentsNamespace },
    );
    // Chart v4: no hooks, and the proxy's Deployment, Service and Ingress each show their own diff. It holds the
    // Ingress, so it waits for the load balancer controller's webhook.
    new k8s.helm.v4.Chart(
      `${name}-oauth2-proxy`,
      {
        name: "kibana-oauth2-proxy",
        ...chartSource(CHARTS.oauth2Proxy),
        namespace: LOGGING_NAMESPACE,
        values: oauth2ProxyValues({
          naming,
          namespace: LOGGING_NAMESPACE,
          replicas: config.kibana.replicas,
          exposure: args.exposure,
          oidcIssuerUrl: args.oidcIssuerUrl,
          groupsClaim: args.groupsClaim,
          allowedGroups: config.kibana.allowedGroups,
          registryMirrors: args.registryMirrors,
        }),
      },
      { ...childOpts, dependsOn: [proxySecret, kibana, ...(args.ingressReady ?? [])] },
    );

    // Fluent Bit waits for the lifecycle policy and index template, so that the first daily index gets them too.
    const lifecycle = new k8s.batch.v1.Job(
      `${name}-index-lifecycle`,
      retentionJob({
        namespace: LOGGING_NAMESPACE,
        labels,
        image: `docker.elastic.co/elasticsearch/elasticsearch:${IMAGES.elasticStack}`,
        retentionDays: config.retentionDays,
        nodes: config.elasticsearch.nodes,
      }),
      { ...childOpts, dependsOn: cluster, deleteBeforeReplace: true, customTimeouts: { create: "30m", update: "30m" } },
    );

    const ca = mirrorElasticsearchCa(this, name, {
      provider,
      sourceNamespace: LOGGING_NAMESPACE,
      targetNamespace: AGENTS_NAMESPACE,
      labels,
      elasticsearchReady: lifecycle,
    });

    // Chart v4 for both Fluent Bit releases: the chart's only hook is a `helm test` Pod, which v4 leaves out.
    const fluentBit = {
      elasticsearchHost: this.elasticsearchHost,
      credentialsRevision: revisionOf(fluentBitPassword),
      caRevision: ca.revision,
      registryMirrors: args.registryMirrors,
    };
    const agentRelease = (resource: string, release: string, values: Record<string, unknown>) =>
      new k8s.helm.v4.Chart(
        `${name}-${resource}`,
        {
          name: release,
          ...chartSource(CHARTS.fluentBit),
          namespace: AGENTS_NAMESPACE,
          values,
        },
        { ...childOpts, dependsOn: [agentCredentials, ca.secret, lifecycle] },
      );
    agentRelease("fluent-bit", "fluent-bit", containerLogsValues(fluentBit));
    agentRelease("fluent-bit-events", "fluent-bit-events", eventsValues(fluentBit));

    this.registerOutputs({ elasticsearchHost: this.elasticsearchHost, kibanaUrl: this.kibanaUrl });
  }
}
