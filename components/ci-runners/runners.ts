import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NodePoolConfig } from "../../config/sections/cluster";
import { AdminConfig } from "../../config/sections/hub";
import { placementOn } from "../../config/workloads";
import { Naming } from "../../lib/naming";
import { platformNamespace } from "../tenancy";
import { podTemplateThroughMirror, RegistryMirrors, throughMirror } from "../../lib/images";
import { CHARTS, chartSource } from "../../lib/versions";
import { egressGuard } from "./egress-guard";
import { RunnerFargate, RunnerFargateArgs } from "./fargate";
import { RunnerPodAdmission } from "./pod-admission";
import { buildRunnerTemplate, deployRunnerTemplate, RUNNER_LABEL, runnerLabels } from "./pod-templates";

export const CONTROLLER_NAMESPACE = "arc-systems";
export const RUNNERS_NAMESPACE = "ci-runners";
/** The runners' service accounts (resource name → account): no cloud role and no API token, whatever the scale set. */
const SERVICE_ACCOUNTS = { builder: "ci-builder", deployer: "ci-deployer", platform: "platform-delivery" } as const;
/** The platform delivery runners' scale set, which the delivery workflows name in `runs-on`. */
export const PLATFORM_SCALE_SET = "admin-platform";
const CONTROLLER_SERVICE_ACCOUNT = "arc-controller";
const GITHUB_APP_SECRET = "github-app";

export interface CiRunnersArgs {
  readonly provider: k8s.Provider;
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly ciRunners: AdminConfig["ciRunners"];
  /** The node pool named by `ciRunners.nodePool`: build runners select its labels and tolerate its taints. */
  readonly buildPool: NodePoolConfig;
  readonly githubAppPrivateKey: pulumi.Output<string>;
  /** The hub's ECR pull-through caches: every runner and controller image comes through one where it exists. */
  readonly registryMirrors: RegistryMirrors;
  /** The spokes' VPC ranges, which build pods may not reach (egress-guard.ts). */
  readonly spokeCidrs: readonly string[];
  /** Where the platform runners' Fargate profile goes (its selector is this component's). */
  readonly fargate: Omit<RunnerFargateArgs, "awsProvider" | "naming" | "selector">;
}

/** The controller chart's image (0.14.2 values.yaml); the controller also runs its listener pods from it. */
const CONTROLLER_IMAGE = "ghcr.io/actions/gha-runner-scale-set-controller";

/**
 * GitHub Actions runners on the admin cluster (actions-runner-controller with runner scale sets: ephemeral
 * pods registered with GitHub on demand, no long-lived runner VMs). Three scale sets, none holding a cloud role:
 * `<env>-ci` builds (rootless BuildKit on the reserved pool), `<env>-deploy` deploys applications and
 * `<env>-platform` runs this repository's previews and deploys (on Fargate). Each job assumes the role it needs
 * through GitHub OIDC: its team's deploy role, a hub repository's push role, an environment's deploy role.
 */
export class CiRunners extends pulumi.ComponentResource {
  readonly buildScaleSet: string;
  readonly deployScaleSet: string;
  readonly platformScaleSet: string;

  constructor(name: string, args: CiRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci-runners:CiRunners", name, {}, opts);
    const { naming, ciRunners } = args;
    const k8sOpts = { parent: this, provider: args.provider };
    this.buildScaleSet = naming.resource("ci");
    this.deployScaleSet = naming.resource("deploy");
    this.platformScaleSet = naming.resource("platform");
    if (this.platformScaleSet !== PLATFORM_SCALE_SET)
      throw new Error(
        `the platform runners' scale set is ${PLATFORM_SCALE_SET} (the workflows' runs-on): the hub is the admin environment`,
      );

    // baseline, not restricted: ARC creates the listener pods here from its own template.
    const controllerNamespace = platformNamespace(this, {
      provider: args.provider,
      naming,
      name: CONTROLLER_NAMESPACE,
      podSecurity: "baseline",
    });
    // privileged, held to baseline but for BuildKit's unconfined profiles by the admission policy (pod-admission.ts).
    const runnersNamespace = platformNamespace(this, {
      provider: args.provider,
      naming,
      name: RUNNERS_NAMESPACE,
      podSecurity: "privileged",
    });
    const admission = new RunnerPodAdmission(
      `${name}-pod-admission`,
      { provider: args.provider, naming, namespace: RUNNERS_NAMESPACE, buildPoolLabels: args.buildPool.labels },
      { parent: this },
    );

    const policy = (resource: string, policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${resource}`,
        { metadata: { name: policyName, namespace: RUNNERS_NAMESPACE, labels: naming.labels() }, spec },
        { ...k8sOpts, dependsOn: runnersNamespace },
      );
    // Every pod: anywhere but the metadata address and the spokes; runners other than builds: the spokes too.
    policy("no-instance-metadata", "no-instance-metadata", egressGuard({}, args.spokeCidrs));
    if (args.spokeCidrs.length > 0) {
      const notBuilds = { matchExpressions: [{ key: RUNNER_LABEL, operator: "NotIn", values: ["build"] }] };
      policy("deploys-reach-the-environments", "deploys-reach-the-environments", {
        podSelector: notBuilds,
        policyTypes: ["Egress"],
        egress: [{ to: args.spokeCidrs.map((cidr) => ({ ipBlock: { cidr } })) }],
      });
    }
    const serviceAccounts = Object.entries(SERVICE_ACCOUNTS).map(
      ([resource, account]) =>
        new k8s.core.v1.ServiceAccount(
          `${name}-${resource}`,
          { metadata: { name: account, namespace: RUNNERS_NAMESPACE, labels: naming.labels() }, automountServiceAccountToken: false },
          { ...k8sOpts, dependsOn: runnersNamespace },
        ),
    );
    const githubApp = new k8s.core.v1.Secret(
      `${name}-github-app`,
      {
        metadata: { name: GITHUB_APP_SECRET, namespace: RUNNERS_NAMESPACE, labels: naming.labels() },
        // Key names the scale-set chart expects of a pre-defined `githubConfigSecret`.
        stringData: {
          github_app_id: ciRunners.githubAppId,
          github_app_installation_id: ciRunners.githubAppInstallationId,
          github_app_private_key: args.githubAppPrivateKey,
        },
      },
      { ...k8sOpts, dependsOn: runnersNamespace },
    );
    const fargate = new RunnerFargate(
      `${name}-fargate`,
      {
        ...args.fargate,
        awsProvider: args.awsProvider,
        naming,
        selector: { namespace: RUNNERS_NAMESPACE, labels: runnerLabels("platform") },
      },
      { parent: this },
    );

    // Chart v4 for all three: no hooks, and the controller's CRDs are applied (and upgraded) like any object.
    const controller = new k8s.helm.v4.Chart(
      `${name}-controller`,
      {
        ...chartSource(CHARTS.runnerController),
        name: "arc",
        namespace: CONTROLLER_NAMESPACE,
        values: {
          image: { repository: throughMirror(CONTROLLER_IMAGE, args.registryMirrors) },
          serviceAccount: { create: true, name: CONTROLLER_SERVICE_ACCOUNT },
          // Rights over pods and secrets of the runners' namespace only, not of the whole cluster.
          flags: { logLevel: "info", watchSingleNamespace: RUNNERS_NAMESPACE },
          podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
      },
      { ...k8sOpts, dependsOn: [controllerNamespace, runnersNamespace] },
    );

    const scaleSet = (release: string, runnerGroup: string, values: Record<string, unknown>, after: pulumi.Resource[] = []) =>
      new k8s.helm.v4.Chart(
        `${name}-${release}`,
        {
          ...chartSource(CHARTS.runnerScaleSet),
          name: release,
          namespace: RUNNERS_NAMESPACE,
          values: {
            githubConfigUrl: ciRunners.githubConfigUrl,
            githubConfigSecret: GITHUB_APP_SECRET,
            // Named explicitly: the chart would otherwise look the controller up in the cluster while rendering.
            controllerServiceAccount: { namespace: CONTROLLER_NAMESPACE, name: CONTROLLER_SERVICE_ACCOUNT },
            runnerScaleSetName: release,
            runnerGroup,
            ...values,
          },
        },
        // After the controller (its CRDs) and the admission policy, and deleted before them, so that the
        // controller's finalizers can still run.
        { ...k8sOpts, dependsOn: [controller, githubApp, admission, ...serviceAccounts, ...after] },
      );
    // The templates name upstream images; each comes through the hub's cache of its registry.
    const template = <T extends { spec: object }>(t: T) => podTemplateThroughMirror(t, args.registryMirrors);

    const buildTemplate = buildRunnerTemplate(placementOn(args.buildPool), ciRunners.build);
    scaleSet(this.buildScaleSet, ciRunners.build.runnerGroup, {
      minRunners: ciRunners.minRunners,
      maxRunners: ciRunners.maxRunners,
      template: template({ ...buildTemplate, spec: { ...buildTemplate.spec, serviceAccountName: SERVICE_ACCOUNTS.builder } }),
    });
    scaleSet(this.deployScaleSet, ciRunners.deploy.runnerGroup, {
      minRunners: 0,
      maxRunners: ciRunners.deploy.maxRunners,
      template: template(deployRunnerTemplate(SERVICE_ACCOUNTS.deployer, ciRunners.deploy.resources, "deploy")),
    });
    // After the Fargate profile: a runner pod created before it would land on a node of the pools.
    scaleSet(
      this.platformScaleSet,
      ciRunners.platform.runnerGroup,
      {
        minRunners: 0,
        maxRunners: ciRunners.platform.maxRunners,
        template: template(deployRunnerTemplate(SERVICE_ACCOUNTS.platform, ciRunners.platform.resources, "platform")),
      },
      [fargate],
    );

    this.registerOutputs({
      buildScaleSet: this.buildScaleSet,
      deployScaleSet: this.deployScaleSet,
      platformScaleSet: this.platformScaleSet,
    });
  }
}
