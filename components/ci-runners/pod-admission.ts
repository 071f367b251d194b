/**
 * What a pod in the runners' namespace may be. Pod Security admission has no level between `baseline`, which
 * refuses an unconfined seccomp or AppArmor profile, and `privileged`, which admits everything: rootless BuildKit
 * needs the first (pod-templates.ts), so the namespace is labelled `privileged` (enforce) and this
 * ValidatingAdmissionPolicy refuses, for every pod there, what `baseline` refuses on Linux nodes (Kubernetes "Pod
 * Security Standards": privileged containers, host namespaces, hostPath volumes, host ports, added capabilities,
 * a non-default /proc mount, sysctls, custom SELinux types, users and roles), and allows unconfined seccomp and
 * AppArmor only on the BuildKit container of a pod pinned to the build pool. It binds the API server itself:
 * whoever creates the pod (the ARC controller from a scale set's template, a person), it holds.
 * Stricter than baseline on two points, as nothing here needs them: no capability may be added, no sysctl set.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { BUILDKIT_CONTAINER } from "./pod-templates";

export interface RunnerPodAdmissionArgs {
  readonly provider: k8s.Provider;
  readonly naming: Naming;
  readonly namespace: string;
  /** The build pool's node labels: a pod with an unconfined container must select all of them. */
  readonly buildPoolLabels: Record<string, string>;
}

const POD = "object.spec.securityContext";
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
const cel = (value: string) => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
const list = (values: readonly string[]) => `[${values.map(cel).join(", ")}]`;

/** `profile` (seccompProfile, appArmorProfile) of a securityContext `ctx` is not Unconfined. */
const confined = (ctx: string, profile: string) => `(!has(${ctx}.${profile}) || ${ctx}.${profile}.type != 'Unconfined')`;
/** SELinux options of a securityContext `ctx` that baseline admits. */
const seLinuxBaseline = (ctx: string) =>
  `(!has(${ctx}.seLinuxOptions) || ((!has(${ctx}.seLinuxOptions.type) || ${ctx}.seLinuxOptions.type in ${list(SELINUX_TYPES)}) && !has(${ctx}.seLinuxOptions.user) && !has(${ctx}.seLinuxOptions.role)))`;

/** Checks of one container's securityContext `s` (present), as one expression. */
const containerBaseline = (s: string) =>
  [
    `!has(${s}.privileged) || !${s}.privileged`,
    `!has(${s}.capabilities) || !has(${s}.capabilities.add) || size(${s}.capabilities.add) == 0`,
    `!has(${s}.procMount) || ${s}.procMount == 'Default'`,
    seLinuxBaseline(s),
  ]
    .map((check) => `(${check})`)
    .join(" && ");

export function runnerPodAdmissionSpec(args: Omit<RunnerPodAdmissionArgs, "provider" | "naming">) {
  const everyContainer = (check: string) => `variables.containers.all(c, ${check}) && variables.ephemeralContainers.all(c, ${check})`;
  const withContext = (check: string) => `!has(c.securityContext) || (${check})`;
  const unconfined = `has(c.securityContext) && !(${confined("c.securityContext", "seccompProfile")} && ${confined("c.securityContext", "appArmorProfile")})`;
  const onBuildPool = Object.entries(args.buildPoolLabels)
    .map(([key, value]) => `(${cel(key)} in object.spec.nodeSelector && object.spec.nodeSelector[${cel(key)}] == ${cel(value)})`)
    .join(" && ");
  const rule = (expression: string, message: string) => ({ expression, message, reason: "Forbidden" });
  return {
    failurePolicy: "Fail",
    matchConstraints: {
      resourceRules: [
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] },
      ],
    },
    variables: [
      {
        name: "containers",
        expression: "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])",
      },
      { name: "ephemeralContainers", expression: "has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : []" },
    ],
    validations: [
      rule(
        everyContainer(withContext(containerBaseline("c.securityContext"))),
        `${args.namespace}: no privileged container, added capability, unmasked /proc or custom SELinux options`,
      ),
      rule(
        ["hostNetwork", "hostPID", "hostIPC"].map((field) => `!(has(object.spec.${field}) && object.spec.${field})`).join(" && "),
        `${args.namespace}: no host network, PID or IPC namespace`,
      ),
      rule("!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))", `${args.namespace}: no hostPath volume`),
      rule(everyContainer("!has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)"), `${args.namespace}: no host port`),
      rule(
        `!has(${POD}) || (${confined(POD, "seccompProfile")} && ${confined(POD, "appArmorProfile")} && ${seLinuxBaseline(POD)} && (!has(${POD}.sysctls) || size(${POD}.sysctls) == 0))`,
        `${args.namespace}: no pod-wide unconfined seccomp or AppArmor profile, custom SELinux options or sysctls`,
      ),
      // The API server copies appArmorProfile into this deprecated annotation, and the annotation into the field
      // (Kubernetes "Restrict a Container's Access to Resources with AppArmor"): the field is judged below.
      rule(
        `!has(object.metadata.annotations) || object.metadata.annotations.all(k, !k.startsWith(${cel(APPARMOR_ANNOTATION)}) || k == ${cel(APPARMOR_ANNOTATION + BUILDKIT_CONTAINER)} || object.metadata.annotations[k] != 'unconfined')`,
        `${args.namespace}: no unconfined AppArmor annotation but the ${BUILDKIT_CONTAINER} container's`,
      ),
      rule(
        `variables.containers.all(c, !(${unconfined}) || (c.name == ${cel(BUILDKIT_CONTAINER)} && has(object.spec.nodeSelector) && ${onBuildPool})) && variables.ephemeralContainers.all(c, !(${unconfined}))`,
        `${args.namespace}: an unconfined seccomp or AppArmor profile only on the ${BUILDKIT_CONTAINER} container of a pod on the build pool`,
      ),
    ],
  };
}

export class RunnerPodAdmission extends pulumi.ComponentResource {
  constructor(name: string, args: RunnerPodAdmissionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:ci-runners:RunnerPodAdmission", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const policyName = `${args.namespace}-pods`;
    const metadata = { name: policyName, labels: args.naming.labels() };
    const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
      `${name}-policy`,
      { metadata, spec: runnerPodAdmissionSpec(args) },
      childOpts,
    );
    new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
      `${name}-binding`,
      {
        metadata,
        spec: {
          policyName,
          validationActions: ["Deny"],
          matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.namespace } } },
        },
      },
      { ...childOpts, dependsOn: policy },
    );
    this.registerOutputs({});
  }
}
