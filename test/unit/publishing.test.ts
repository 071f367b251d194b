/**
 * How an environment publishes: the AWS Load Balancer Controller (IngressClass `alb`, NLBs for LoadBalancer
 * Services) with a role limited to its own load balancers in its own VPC, external-dns limited to the
 * environment's zone, and one DNS-validated wildcard certificate for `*.<env>.<domain>`.
 */
import { UNSCOPABLE_LOOKUP_ACTIONS } from "../../components/load-balancing/policy";
import { UNSCOPABLE_ZONE_LISTING } from "../../components/dns/policy";
import { CHARTS } from "../../lib/versions";
import { EKS_STACKS, readStackConfig, runStacks, StackRun } from "../harness";

const CHART = "kubernetes:helm.sh/v4:Chart";
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
    const vpcRules = policy.Statement.find((s: any) => s.Sid === "SecurityGroupRulesInThisVpc");
    expect(vpcRules.Condition.ArnEquals["ec2:Vpc"]).toMatch(new RegExp(`:vpc/${runs[stack].outputs.vpcId}$`));
  });

  test("external-dns keeps records of this environment's zone only, and never deletes", () => {
    const run = runs[stack];
    const chart = run.one(CHART, "dns-external-dns").inputs;
    expect(chart).toMatchObject({ chart: "external-dns", version: CHARTS.externalDns.version, namespace: "kube-system" });
    expect(chart.values).toMatchObject({
      provider: { name: "aws" },
      domainFilters: [domain],
      extraArgs: [`--zone-id-filter=${environment.hostedZoneId}`],
      policy: "upsert-only",
      txtOwnerId: run.outputs.clusterName,
      sources: ["service", "ingress"],
    });
    const policy = policyOf(run, "dns-policy");
    for (const statement of policy.Statement) {
      if (asList(statement.Resource).includes("*")) expect(asList(statement.Action)).toEqual(UNSCOPABLE_ZONE_LISTING);
      else expect(statement.Resource).toMatch(new RegExp(`:hostedzone/${environment.hostedZoneId}$`));
    }
  });

  test("dashboard Ingresses: health checks on each app's health path, and no deploy held until a load balancer exists", () => {
    const run = runs[stack];
    const grafana = run.one("kubernetes:helm.sh/v3:Release", "monitoring-stack").inputs.values.grafana.ingress;
    const kibana = run.one(CHART, "logging-oauth2-proxy").inputs.values.ingress;
    expect(grafana.annotations).toMatchObject({
      "alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
      "pulumi.com/skipAwait": "true",
    });
    expect(kibana.annotations).toMatchObject({ "alb.ingress.kubernetes.io/healthcheck-path": "/ping", "pulumi.com/skipAwait": "true" });
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
