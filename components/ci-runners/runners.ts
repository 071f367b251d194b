import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NodePoolConfig } from "../../config/sections/cluster";
import { AdminConfig } from "../../config/sections/hub";
import { placementOn } from "../../config/workloads";
import { Naming } from "../../lib/naming";
import { IrsaIssuer, ROLE_ARN_ANNOTATION, serviceAccountRole } from "../irsa";
import { platformNamespace } from "../tenancy";
import { podTemplateThroughMirror, RegistryMirrors, throughMirror } from "../../lib/images";
import { CHARTS, chartSource, IMAGES } from "../../lib/versions";
import { BUILDER_SERVICE_ACCOUNT, builderAccess, withServiceAccount } from "./builder";
import { instanceMetadataGuard } from "./egress-guard";
import { buildRunnerTemplate, deployRunnerTemplate } from "./pod-templates";

export const CONTROLLER_NAMESPACE = "arc-systems";
export const RUNNERS_NAMESPACE = "ci-runners";
export const DEPLOYER_SERVICE_ACCOUNT = "ci-deployer";
/** The platform delivery runners' service account: no cloud role, no API token. */
export const PLATFORM_SERVICE_ACCOUNT = "platform-delivery";
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
  readonly irsa: IrsaIssuer;
  /** The hub's ECR pull-through caches: every runner and controller image comes through one where it exists. */
  readonly registryMirrors: RegistryMirrors;
  /** The hub's repositories, where build runners push images (none: build runners get no cloud credentials). */
  readonly pushRepositoryArns: readonly string[];
}

/** The controller chart's image (0.14.2 values.yaml); the controller also runs its listener pods from it. */
const CONTROLLER_IMAGE = "ghcr.io/actions/gha-runner-scale-set-controller";

/**
 * GitHub Actions runners on the admin cluster (actions-runner-controller with runner scale sets: ephemeral
 * pods registered with GitHub on demand, no long-lived runner VMs). Three scale sets:
 * `<env>-ci` builds and tests (Docker-in-Docker on the reserved pool, push rights to the hub's repositories only),
 * `<env>-deploy` deploys applications (the CI role through IRSA, so no long-term key exists anywhere), and
 * `<env>-platform` runs this repository's previews and deploys (no cloud role of its own: GitHub OIDC per job).
 */
export class CiRunners extends pulumi.ComponentResource {
  /** The CI role: environments grant it deploy rights through an EKS access entry. */
  readonly roleArn: pulumi.Output<string>;
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
    // privileged: the build runners' Docker daemon.
    const runnersNamespace = platformNamespace(this, {
      provider: args.provider,
      naming,
      name: RUNNERS_NAMESPACE,
      podSecurity: "privileged",
    });

    // An identity without IAM permissions: what it may do is the environments' access entries (edit in their team
    // namespaces). It assumes no deploy role: a job on these runners, whatever its repository, cannot change a platform.
    const role = serviceAccountRole(this, `${name}-deployer`, {
      awsProvider: args.awsProvider,
      irsa: args.irsa,
      naming,
      purpose: "ci-deployer",
      namespace: RUNNERS_NAMESPACE,
      serviceAccount: DEPLOYER_SERVICE_ACCOUNT,
    });
    this.roleArn = role.arn;

    new k8s.networking.v1.NetworkPolicy(
      `${name}-no-instance-metadata`,
      { metadata: { name: "no-instance-metadata", namespace: RUNNERS_NAMESPACE, labels: naming.labels() }, spec: instanceMetadataGuard() },
      { ...k8sOpts, dependsOn: runnersNamespace },
    );

    const deployer = new k8s.core.v1.ServiceAccount(
      `${name}-deployer`,
      {
        metadata: {
          name: DEPLOYER_SERVICE_ACCOUNT,
          namespace: RUNNERS_NAMESPACE,
          labels: naming.labels(),
          annotations: { [ROLE_ARN_ANNOTATION]: role.arn },
        },
      },
      { ...k8sOpts, dependsOn: runnersNamespace },
    );
    const platformRunner = new k8s.core.v1.ServiceAccount(
      `${name}-platform`,
      {
        metadata: { name: PLATFORM_SERVICE_ACCOUNT, namespace: RUNNERS_NAMESPACE, labels: naming.labels() },
        automountServiceAccountToken: false,
      },
      { ...k8sOpts, dependsOn: runnersNamespace },
    );
    const builder =
      args.pushRepositoryArns.length > 0
        ? builderAccess(this, name, {
            ...args,
            namespace: RUNNERS_NAMESPACE,
            repositoryArns: args.pushRepositoryArns,
            dependsOn: runnersNamespace,
          })
        : undefined;
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

    const scaleSet = (release: string, values: Record<string, unknown>) =>
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
            ...values,
          },
        },
        // After the controller (its CRDs), and deleted before it, so that its finalizers can still run.
        { ...k8sOpts, dependsOn: [controller, githubApp, deployer, platformRunner, ...(builder ? [builder] : [])] },
      );

    // The templates name upstream images (runner, Docker daemon); each comes through the hub's cache of its registry.
    const buildTemplate = podTemplateThroughMirror(
      buildRunnerTemplate(placementOn(args.buildPool), IMAGES.dockerDind, ciRunners.build),
      args.registryMirrors,
    );
    scaleSet(this.buildScaleSet, {
      runnerScaleSetName: this.buildScaleSet,
      minRunners: ciRunners.minRunners,
      maxRunners: ciRunners.maxRunners,
      template: withServiceAccount(buildTemplate, builder && BUILDER_SERVICE_ACCOUNT),
    });
    scaleSet(this.deployScaleSet, {
      runnerScaleSetName: this.deployScaleSet,
      runnerGroup: ciRunners.deploy.runnerGroup,
      minRunners: 0,
      maxRunners: ciRunners.deploy.maxRunners,
      template: podTemplateThroughMirror(deployRunnerTemplate(DEPLOYER_SERVICE_ACCOUNT, ciRunners.deploy.resources), args.registryMirrors),
    });

    scaleSet(this.platformScaleSet, {
      runnerScaleSetName: this.platformScaleSet,
      runnerGroup: ciRunners.platform.runnerGroup,
      minRunners: 0,
      maxRunners: ciRunners.platform.maxRunners,
      template: podTemplateThroughMirror(
        deployRunnerTemplate(PLATFORM_SERVICE_ACCOUNT, ciRunners.platform.resources),
        args.registryMirrors,
      ),
    });

    this.registerOutputs({
      roleArn: this.roleArn,
      buildScaleSet: this.buildScaleSet,
      deployScaleSet: this.deployScaleSet,
      platformScaleSet: this.platformScaleSet,
    });
  }
}
