import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { throughMirror } from "../../lib/images";
import { INGRESS_CLASSES } from "../../lib/ingress-classes";
import { CHARTS, chartSource } from "../../lib/versions";
import { chartServiceAccount, IrsaChartArgs } from "../irsa";
import { ALB_CONTROLLER, INGRESS_CLASS_PARAMS } from "./ingress-classes";
import { loadBalancerControllerPolicy } from "./policy";

/** Where the controller runs: kube-system, as its documentation installs it, next to the EKS add-ons. */
const NAMESPACE = "kube-system";
/** On the host network the webhook needs a port no other host-network webhook takes (cert-manager 10260, prometheus-operator 10261). */
const HOST_NETWORK_WEBHOOK_PORT = 10262;
/** The chart's image (aws-load-balancer-controller 3.5.0 values.yaml); its tag stays the chart's. */
const CONTROLLER_IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller";

export interface LoadBalancerControllerArgs extends IrsaChartArgs {
  readonly clusterName: pulumi.Input<string>;
  readonly vpcId: pulumi.Input<string>;
  /**
   * Calico as the CNI: neither the EKS control plane nor a load balancer can reach pod addresses, so the webhook
   * listens on the node and targets are instances (node ports); otherwise load balancers target pods directly.
   */
  readonly podsOnOverlay: boolean;
  /** cert-manager's release: it issues the webhook's certificate and injects its CA. */
  readonly certManager: pulumi.Resource;
}

/**
 * The AWS Load Balancer Controller: Ingresses of its classes become ALBs and LoadBalancer Services of its class
 * NLBs. Three IngressClasses (lib/ingress-classes.ts), each with IngressClassParams that fix the scheme, and for
 * the dashboards the group, whatever an Ingress's annotations say (ingress-classes.ts). Its webhook certificate
 * comes from cert-manager (`enableCertManager`): the chart's alternative generates a new certificate on every
 * render, which a helm.v4 Chart would show as a change in every preview.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
  /**
   * Ready once the controller's webhooks answer and its classes exist: what creates Ingresses or LoadBalancer
   * Services depends on these. The chart registers its Ingress webhook (failurePolicy Fail) together with its
   * Deployment, so an Ingress sent before the pods are Ready is refused ("no endpoints available"). Depending on
   * a helm.v4 Chart (a remote component) waits for every object it rendered (pulumi/pulumi#7541, #7542), and the
   * provider awaits the Deployment until its pods are Ready; the controller's readiness probe is its webhook
   * server's StartedChecker (v3.5.0 main.go, `ready-webhook`), so Ready means the webhook answers.
   */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:load-balancing:LoadBalancerController", name, {}, opts);
    const { roleArn, serviceAccount } = chartServiceAccount(this, name, args, {
      purpose: "aws-load-balancer-controller",
      namespace: NAMESPACE,
      serviceAccount: "aws-load-balancer-controller",
      policy: pulumi.output(args.vpcId).apply((vpcId) => JSON.stringify(loadBalancerControllerPolicy(args.aws, vpcId))),
    });
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        ...chartSource(CHARTS.awsLoadBalancerController),
        namespace: NAMESPACE,
        name: "aws-load-balancer-controller",
        values: {
          clusterName: args.clusterName,
          image: { repository: throughMirror(CONTROLLER_IMAGE, args.registryMirrors) },
          region: args.aws.region,
          vpcId: args.vpcId,
          serviceAccount,
          enableCertManager: true,
          enableShield: false,
          enableWaf: false,
          enableWafv2: false,
          // The teams' class comes with the chart (its IngressClass and params, updated in place); the other two
          // are objects of their own below. `ingressClass` is also the only value the legacy
          // `kubernetes.io/ingress.class` annotation matches, which would give an Ingress no params at all
          // (group_loader.go classifyIngress): the controller's webhook refuses any new use of it.
          ingressClass: INGRESS_CLASSES.team,
          createIngressClassResource: true,
          ingressClassParams: { create: true, name: INGRESS_CLASSES.team, spec: INGRESS_CLASS_PARAMS[INGRESS_CLASSES.team] },
          disableIngressClassAnnotation: true,
          // The chart's default, instance, needs a NodePort or LoadBalancer backend; team namespaces refuse node ports
          // wherever pods are reachable (tenancy/guardrails.ts), so IP targets are the default there.
          defaultTargetType: args.podsOnOverlay ? "instance" : "ip",
          ...(args.podsOnOverlay ? { hostNetwork: true, webhookBindPort: HOST_NETWORK_WEBHOOK_PORT } : {}),
          // Its Service webhook sees every Service created in the cluster, and becomes ready only once cert-manager
          // has issued its certificate: meanwhile, charts' Services go through unmutated rather than failing.
          serviceMutatorWebhookConfig: { failurePolicy: "Ignore" },
          // No additionalLabels: the chart's own labels include app.kubernetes.io/managed-by, which ours would repeat.
          podDisruptionBudget: { maxUnavailable: 1 },
          tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
          podSecurityContext: { fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
          securityContext: {
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
        },
      },
      { parent: this, provider: args.provider, dependsOn: args.certManager },
    );

    // After the chart: its CRD defines IngressClassParams, and its webhook (failurePolicy Fail) validates them.
    const classes = [INGRESS_CLASSES.public, INGRESS_CLASSES.platform].flatMap((className) => {
      const params = new k8s.apiextensions.CustomResource(
        `${name}-${className}-params`,
        {
          apiVersion: "elbv2.k8s.aws/v1beta1",
          kind: "IngressClassParams",
          metadata: { name: className, labels: args.naming.labels() },
          spec: INGRESS_CLASS_PARAMS[className],
        },
        { parent: this, provider: args.provider, dependsOn: chart },
      );
      const ingressClass = new k8s.networking.v1.IngressClass(
        `${name}-${className}`,
        {
          metadata: { name: className, labels: args.naming.labels() },
          spec: {
            controller: ALB_CONTROLLER,
            parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: className },
          },
        },
        { parent: this, provider: args.provider, dependsOn: params },
      );
      return [params, ingressClass];
    });
    this.ready = [chart, ...classes];
    this.registerOutputs({ roleArn });
  }
}
