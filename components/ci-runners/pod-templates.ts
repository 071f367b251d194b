/**
 * Runner pod templates. Written out rather than left to the chart's `containerMode`, so every image is pinned
 * here, and every container's resources come from config (admin.ciRunners.build, deploy.resources): left out,
 * the namespace's defaults (500m CPU, 512Mi) would throttle builds and OOM-kill them.
 */
import type { ContainerResources } from "../../config/primitives";
import type { Placement } from "../../config/workloads";
import { IMAGES } from "../../lib/versions";

const runnerContainer = (extra: object = {}) => ({
  name: "runner",
  image: IMAGES.actionsRunner,
  command: ["/home/runner/run.sh"],
  ...extra,
});

/**
 * Build runners: the runner plus a Docker daemon as a native sidecar (jobs build and run images). The daemon
 * is privileged, which is why these pods get nodes of their own and hold no cloud credentials.
 */
export function buildRunnerTemplate(
  placement: Placement,
  dockerDindImage: string,
  resources: { runner: ContainerResources; dind: ContainerResources },
) {
  return {
    spec: {
      ...placement,
      initContainers: [
        {
          name: "init-dind-externals",
          image: IMAGES.actionsRunner,
          command: ["cp"],
          args: ["-r", "/home/runner/externals/.", "/home/runner/tmpDir/"],
          volumeMounts: [{ name: "dind-externals", mountPath: "/home/runner/tmpDir" }],
        },
        {
          name: "dind",
          image: dockerDindImage,
          args: ["dockerd", "--host=unix:///var/run/docker.sock", "--group=$(DOCKER_GROUP_GID)"],
          env: [{ name: "DOCKER_GROUP_GID", value: "123" }],
          securityContext: { privileged: true },
          resources: resources.dind,
          restartPolicy: "Always",
          startupProbe: { exec: { command: ["docker", "info"] }, initialDelaySeconds: 0, failureThreshold: 24, periodSeconds: 5 },
          volumeMounts: [
            { name: "work", mountPath: "/home/runner/_work" },
            { name: "dind-sock", mountPath: "/var/run" },
            { name: "dind-externals", mountPath: "/home/runner/externals" },
          ],
        },
      ],
      containers: [
        runnerContainer({
          env: [
            { name: "DOCKER_HOST", value: "unix:///var/run/docker.sock" },
            { name: "RUNNER_WAIT_FOR_DOCKER_IN_SECONDS", value: "120" },
          ],
          resources: resources.runner,
          volumeMounts: [
            { name: "work", mountPath: "/home/runner/_work" },
            { name: "dind-sock", mountPath: "/var/run" },
          ],
        }),
      ],
      volumes: [
        { name: "work", emptyDir: {} },
        { name: "dind-sock", emptyDir: {} },
        { name: "dind-externals", emptyDir: {} },
      ],
    },
  };
}

/**
 * Deploy runners: no Docker, not privileged, and the IRSA service account that carries the CI role. Without
 * the build pool's toleration they never share a node with a privileged build runner.
 */
export function deployRunnerTemplate(serviceAccountName: string, resources: ContainerResources) {
  return {
    spec: {
      serviceAccountName,
      // The image names its user (`runner`, uid 1001); a numeric uid lets the kubelet verify it is not root.
      securityContext: { runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: "RuntimeDefault" } },
      containers: [runnerContainer({ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } }, resources })],
    },
  };
}
