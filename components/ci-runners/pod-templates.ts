/**
 * Runner pod templates. Written out rather than left to the chart's `containerMode`, so every image is named in
 * lib/versions.ts, and every container's resources come from config (admin.ciRunners.build, deploy.resources):
 * left out, the namespace's defaults (500m CPU, 512Mi) would throttle builds and OOM-kill them.
 */
import type { ContainerResources } from "../../config/primitives";
import type { Placement } from "../../config/workloads";
import { LABEL_PREFIX } from "../../lib/naming";
import { IMAGES } from "../../lib/versions";

/** Which scale set a runner pod belongs to: the platform runners' Fargate profile selects on it. */
export const RUNNER_LABEL = `${LABEL_PREFIX}/runner`;
export type RunnerKind = "build" | "deploy" | "platform";
export const runnerLabels = (runner: RunnerKind) => ({ [RUNNER_LABEL]: runner });
/** The build runners' BuildKit daemon, the one container of the namespace that may run without seccomp (pod-admission.ts). */
export const BUILDKIT_CONTAINER = "buildkitd";
/** Where job steps reach their BuildKit daemon: the pod's own loopback, which no other pod shares. */
export const BUILDKIT_ADDRESS = "tcp://127.0.0.1:1234";

/** The image names its user (`runner`, uid 1001); a numeric uid lets the kubelet verify it is not root. */
const RUNNER_UID = 1001;
const restrictedPod = { runAsNonRoot: true, runAsUser: RUNNER_UID, seccompProfile: { type: "RuntimeDefault" } };
const restrictedContainer = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };

const runnerContainer = (resources: ContainerResources, extra: object = {}) => ({
  name: "runner",
  image: IMAGES.actionsRunner,
  // The runner's tag moves with each release (lib/versions.ts): a node's cached copy may be a release behind.
  imagePullPolicy: "Always",
  command: ["/home/runner/run.sh"],
  securityContext: restrictedContainer,
  resources,
  ...extra,
});

/**
 * Build runners: the runner (restricted, as every runner) and rootless BuildKit as a native sidecar, one daemon per
 * job, so that no build shares a daemon, a cache or a process namespace with another job's. BuildKit's rootless
 * mode as its Kubernetes example runs it (moby/buildkit v0.32.2 examples/kubernetes/pod.rootless.yaml,
 * docs/rootless.md): not privileged, uid 1000, seccomp and AppArmor unconfined, because rootlesskit creates a user
 * namespace and mounts, which the runtime's default seccomp profile refuses without CAP_SYS_ADMIN; and
 * `--oci-worker-no-process-sandbox`, because a dedicated /proc per build step would need an unmasked /proc, which
 * Kubernetes gives only to pods with their own user namespace. Its cost: a build step can signal or trace the
 * daemon of its own job. Job steps build with `docker buildx create --driver remote $BUILDKIT_HOST`.
 */
export function buildRunnerTemplate(placement: Placement, resources: { runner: ContainerResources; buildkit: ContainerResources }) {
  return {
    metadata: { labels: runnerLabels("build") },
    spec: {
      ...placement,
      securityContext: restrictedPod,
      initContainers: [
        {
          name: BUILDKIT_CONTAINER,
          image: IMAGES.buildkitRootless,
          // The image's entrypoint is `rootlesskit buildkitd`: these are buildkitd's flags.
          args: ["--addr", BUILDKIT_ADDRESS, "--oci-worker-no-process-sandbox"],
          securityContext: {
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "Unconfined" },
            appArmorProfile: { type: "Unconfined" },
          },
          resources: resources.buildkit,
          restartPolicy: "Always",
          startupProbe: {
            exec: { command: ["buildctl", "--addr", BUILDKIT_ADDRESS, "debug", "workers"] },
            failureThreshold: 24,
            periodSeconds: 5,
          },
          volumeMounts: [{ name: "buildkit-state", mountPath: "/home/user/.local/share/buildkit" }],
        },
      ],
      containers: [runnerContainer(resources.runner, { env: [{ name: "BUILDKIT_HOST", value: BUILDKIT_ADDRESS }] })],
      volumes: [{ name: "buildkit-state", emptyDir: {} }],
    },
  };
}

/** Deploy and platform runners: restricted, no Docker, nothing but the runner. */
export function deployRunnerTemplate(serviceAccountName: string, resources: ContainerResources, runner: RunnerKind) {
  return {
    metadata: { labels: runnerLabels(runner) },
    spec: { serviceAccountName, securityContext: restrictedPod, containers: [runnerContainer(resources)] },
  };
}
