/**
 * How an environment publishes: the AWS Load Balancer Controller (IngressClasses `alb`, `alb-public` and
 * `alb-platform`, NLBs for LoadBalancer Services) with a role limited to its own load balancers in its own VPC,
 * external-dns limited to the environment's zone, and one DNS-validated wildcard certificate for `*.<env>.<domain>`.
 */
import { UNSCOPABLE_LOOKUP_ACTIONS } from "../../components/load-balancing/policy";
import { UNSCOPABLE_ZONE_LISTING } from "../../components/dns/policy";
import { dashboardIngressAnnotations, dashboardIngressClass } from "../../components/monitoring/exposure";
import { INGRESS_CLASSES, PUBLIC_INGRESS_LABEL } from "../../lib/ingress-classes";
import { TEAM_LABEL } from "../../lib/naming";
import { CHARTS } from "../../lib/versions";
import { EKS_STACKS, readStackConfig, RecordedResource, runStacks, StackRun } from "../../mock-engine";

const CHART = "kubernetes:helm.sh/v4:Chart";
const PARAMS = "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams";
const INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass";

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
/**
 * Whether a label selector (matchLabels, and the Exists/In expressions these params use) selects `labels`; none
 * selects every namespace, as the controller reads it (class_loader.go validateIngressClassParamsNamespaceRestriction).
 */
function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values }) => {
    if (operator === "Exists") return key in labels;
    if (operator === "In") return values!.includes(labels[key]);
    throw new Error(`operator ${operator} is not evaluated here`);
  });
  return byLabel && byExpression;
}
const labelsOf = (namespace: RecordedResource): Record<string, string> => namespace.inputs.metadata.labels ?? {};
/** Grafana comes with the kube-prometheus-stack chart, whichever Helm resource installs it. */
const monitoringStack = (run: StackRun) => {
  const [stack] = run.resources.filter((r) => r.name === "monitoring-stack" && r.type.startsWith("kubernetes:helm.sh/"));
  if (!stack) throw new Error(`${run.stack}: no monitoring-stack chart`);
  return stack;
};
const policyOf = (run: StackRun, name: string) => JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", name).inputs.policy);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let runs: Record<(typeof EKS_STACKS)[number], StackRun>;
beforeAll(async () => {
  runs = await runStacks(EKS_STACKS);
});

describe.each(EKS_STACKS)("%s", (stack) => {
  const config = readStackConfig(stack);
  const environment = config["platform:environment"];
  const domain = `${stack}.${environment.domain}`;

  test("the Load Balancer Controller: pinned chart, this cluster and VPC, webhook certificate from cert-manager", () => {
    const run = runs[stack];
    const chart = run.one(CHART, "load-balancer-controller-chart");
    expect(chart.inputs).toMatchObject({
      chart: "aws-load-balancer-controller",
      version: CHARTS.awsLoadBalancerController.version,
      namespace: "kube-system",
    });
    expect(chart.inputs.values).toMatchObject({
      clusterName: run.outputs.clusterName,
      vpcId: run.outputs.vpcId,
      region: config["platform:aws"].region,
      enableCertManager: true,
      ingressClass: "alb",
      createIngressClassResource: true,
      ingressClassParams: { create: true, name: "alb" },
      // The legacy annotation would classify an Ingress without any params: the controller's webhook refuses it.
      disableIngressClassAnnotation: true,
      enableShield: false,
      enableWaf: false,
      enableWafv2: false,
    });
    expect(chart.dependencies).toContain(run.one("kubernetes-cert-manager:index:CertManager", "cert-manager-release").urn);
    // On Calico's overlay (e2e) targets are instances and the webhook is on the node; elsewhere targets are pods,
    // so a team's Ingress needs no node port (refused in team namespaces there).
    const onOverlay = config["platform:calico"].mode === "cni";
    expect(chart.inputs.values.hostNetwork ?? false).toBe(onOverlay);
    expect(chart.inputs.values.defaultTargetType).toBe(onOverlay ? "instance" : "ip");
    expect(chart.inputs.values.serviceMutatorWebhookConfig).toEqual({ failurePolicy: "Ignore" });
  });

  test("three IngressClasses whose params fix the scheme, and the dashboards' group, for the namespaces that may use them", () => {
    const run = runs[stack];
    const paramsOf = (className: string) =>
      className === INGRESS_CLASSES.team
        ? run.one(CHART, "load-balancer-controller-chart").inputs.values.ingressClassParams.spec
        : run.one(PARAMS, `load-balancer-controller-${className}-params`).inputs.spec;
    expect(paramsOf(INGRESS_CLASSES.team)).toEqual({
      namespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] },
      scheme: "internal",
    });
    expect(paramsOf(INGRESS_CLASSES.public)).toEqual({
      namespaceSelector: { matchLabels: { [PUBLIC_INGRESS_LABEL]: "true" } },
      scheme: "internet-facing",
    });
    expect(paramsOf(INGRESS_CLASSES.platform)).toMatchObject({ scheme: "internal", group: { name: "dashboards" } });
    for (const className of [INGRESS_CLASSES.public, INGRESS_CLASSES.platform]) {
      const ingressClass = run.one(INGRESS_CLASS, `load-balancer-controller-${className}`);
      expect(ingressClass.inputs).toMatchObject({
        metadata: { name: className },
        spec: { controller: "ingress.k8s.aws/alb", parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: className } },
      });
      // The params' webhook (failurePolicy Fail) and CRD come with the chart.
      const params = run.one(PARAMS, `load-balancer-controller-${className}-params`);
      expect(params.dependencies).toContain(run.one(CHART, "load-balancer-controller-chart").urn);
      expect(ingressClass.dependencies).toContain(params.urn);
    }

    // The selectors against this stack's namespaces: the platform's class takes the dashboards' namespaces and no
    // team's, the teams' class every team namespace and none of the platform's.
    const namespaces = run.ofType("kubernetes:core/v1:Namespace");
    const selected = (className: string) =>
      namespaces.filter((ns) => selects(paramsOf(className).namespaceSelector, labelsOf(ns))).map((ns) => ns.inputs.metadata.name);
    const teamNamespaces = namespaces.filter((ns) => TEAM_LABEL in labelsOf(ns)).map((ns) => ns.inputs.metadata.name);
    const platformSelected = selected(INGRESS_CLASSES.platform);
    expect(platformSelected).toEqual(expect.arrayContaining(["monitoring", "logging"]));
    expect(platformSelected.filter((name) => teamNamespaces.includes(name))).toEqual([]);
    expect(selected(INGRESS_CLASSES.team).sort()).toEqual([...teamNamespaces].sort());
    // Not vacuous: every environment but the hub has teams.
    if (stack !== "admin") expect(teamNamespaces.length).toBeGreaterThan(0);
  });

  test("what publishes through the controller waits until its webhooks answer and its classes exist", () => {
    const run = runs[stack];
    const ready = [
      run.one(CHART, "load-balancer-controller-chart").urn,
      run.one(INGRESS_CLASS, `load-balancer-controller-${INGRESS_CLASSES.platform}`).urn,
    ];
    const grafana = monitoringStack(run);
    const kibanaProxy = run.one(CHART, "logging-oauth2-proxy");
    for (const dashboard of [grafana, kibanaProxy]) expect(dashboard.dependencies).toEqual(expect.arrayContaining(ready));
  });

  test("the controller's IAM role grants '*' only for lookups, and changes only what carries its cluster tag", () => {
    const policy = policyOf(runs[stack], "load-balancer-controller-policy");
    for (const statement of policy.Statement) {
      const actions = asList<string>(statement.Action);
      if (asList(statement.Resource).includes("*")) expect(actions.filter((a) => !UNSCOPABLE_LOOKUP_ACTIONS.includes(a))).toEqual([]);
      expect(actions.some((a) => a.startsWith("shield:") || a.startsWith("waf") || a.startsWith("cognito"))).toBe(false);
    }
    const actions = policy.Statement.flatMap((s: any) => asList<string>(s.Action));
    for (const needed of [
      "elasticloadbalancing:SetRulePriorities",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateRule",
      "ec2:DescribeRouteTables",
    ]) {
      expect(actions).toContain(needed);
    }
    const deletes = policy.Statement.filter((s: any) => asList<string>(s.Action).includes("elasticloadbalancing:DeleteLoadBalancer"));
    expect(deletes).toEqual([expect.objectContaining({ Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } } })]);
    // Its own resources' tags, but never the cluster tag once set (upstream's iam_policy.json conditions).
    const retags = policy.Statement.filter((s: any) =>
      asList<string>(s.Action).some((a) => ["ec2:DeleteTags", "elasticloadbalancing:RemoveTags"].includes(a)),
    );
    expect(retags.map((s: any) => s.Condition)).toEqual([
      { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
    ]);
    expect(asList<string>(retags[0].Action)).toEqual(expect.arrayContaining(["ec2:DeleteTags", "elasticloadbalancing:RemoveTags"]));
    const vpcRules = policy.Statement.find((s: any) => s.Sid === "SecurityGroupRulesInThisVpc");
    expect(vpcRules.Condition.ArnEquals["ec2:Vpc"]).toMatch(new RegExp(`:vpc/${runs[stack].outputs.vpcId}$`));
  });

  test("external-dns keeps records of this environment's zone only, for load balancers, and removes them with their objects", () => {
    const run = runs[stack];
    const chart = run.one(CHART, "dns-external-dns").inputs;
    expect(chart).toMatchObject({ chart: "external-dns", version: CHARTS.externalDns.version, namespace: "kube-system" });
    expect(chart.values).toMatchObject({
      provider: { name: "aws" },
      domainFilters: [domain],
      extraArgs: [`--zone-id-filter=${environment.hostedZoneId}`, "--service-type-filter=LoadBalancer"],
      // Deletes only what this cluster's TXT ownership records claim.
      policy: "sync",
      registry: "txt",
      txtOwnerId: run.outputs.clusterName,
      sources: ["service", "ingress"],
    });
    const policy = policyOf(run, "dns-policy");
    for (const statement of policy.Statement) {
      if (asList(statement.Resource).includes("*")) expect(asList(statement.Action)).toEqual(UNSCOPABLE_ZONE_LISTING);
      else expect(statement.Resource).toMatch(new RegExp(`:hostedzone/${environment.hostedZoneId}$`));
    }
  });

  test("dashboard Ingresses: the platform's class, health checks on each app's health path, no deploy held until a load balancer exists", () => {
    const run = runs[stack];
    const grafana = monitoringStack(run).inputs.values.grafana.ingress;
    const kibana = run.one(CHART, "logging-oauth2-proxy").inputs.values.ingress;
    expect(grafana.ingressClassName).toBe(INGRESS_CLASSES.platform);
    expect(kibana.className).toBe(INGRESS_CLASSES.platform);
    expect(grafana.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
      "pulumi.com/skipAwait": "true",
    });
    expect(kibana.annotations).toMatchObject({ "alb.ingress.kubernetes.io/healthcheck-path": "/ping", "pulumi.com/skipAwait": "true" });
    // Scheme and group come from the class's params, which would override them anyway.
    for (const annotations of [grafana.annotations, kibana.annotations]) {
      expect(Object.keys(annotations).filter((key) => /\/(scheme|group\.name|group\.order)$/.test(key))).toEqual([]);
    }
  });

  test("one wildcard certificate for the environment's names, validated in its zone", () => {
    const run = runs[stack];
    expect(run.one("aws:acm/certificate:Certificate", "dns-certificate").inputs).toMatchObject({
      domainName: `*.${domain}`,
      validationMethod: "DNS",
    });
    expect(run.one("aws:route53/record:Record", "dns-certificate-validation").inputs.zoneId).toBe(environment.hostedZoneId);
    expect(run.outputs.environmentCertificateArn).toBeDefined();
  });
});

test("the dashboards take the platform's class for any class of the controller, and another class as configured", () => {
  for (const ingressClassName of Object.values(INGRESS_CLASSES)) {
    expect(dashboardIngressClass({ ingressClassName, podIpsRoutable: true })).toBe(INGRESS_CLASSES.platform);
  }
  const nginx = { ingressClassName: "nginx", podIpsRoutable: true };
  expect(dashboardIngressClass(nginx)).toBe("nginx");
  expect(dashboardIngressAnnotations(nginx, "/ping")).toEqual({ "pulumi.com/skipAwait": "true" });
});
