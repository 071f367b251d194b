/**
 * Node labels and taints as Kubernetes and EKS managed node groups accept them. Without these checks a bad
 * label passes config, and the node group fails (or its nodes never join) twenty minutes into a deployment.
 */
import { z } from "zod";

/**
 * Kubernetes "Labels and Selectors" → syntax: a key is an optional DNS-subdomain prefix and `/`, then a name of
 * at most 63 characters, alphanumeric at both ends with `-`, `_`, `.` inside; a value is at most 63 characters
 * of the same alphabet (or empty). Taint keys and values follow the same rules.
 */
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** EKS CreateNodegroup: label keys and values, and taint keys and values, are at most 63 characters. */
const EKS_MAX = 63;

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return "a key whose prefix (before '/') is a lower-case DNS subdomain such as platform.example.io";
  }
  if (name.length > 63 || !NAME.test(name)) {
    return "a key whose name (after any prefix/) is at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/**
 * The kubelet refuses to start with node labels in the kubernetes.io and k8s.io namespaces (Kubernetes reserves
 * them; NodeRestriction) except under node.kubernetes.io and kubelet.kubernetes.io: a node group with such a
 * label never gets a Ready node.
 */
function reservedPrefix(key: string): boolean {
  const slash = key.lastIndexOf("/");
  if (slash < 0) return false;
  const prefix = key.slice(0, slash);
  const reserved = ["kubernetes.io", "k8s.io"].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
  const allowed = ["node.kubernetes.io", "kubelet.kubernetes.io"].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
  return reserved && !allowed;
}

function keyOf(what: "label" | "taint", kubeletLabel: boolean) {
  return z.string().superRefine((key, ctx) => {
    const problem =
      key.length === 0 || key.length > EKS_MAX
        ? `a ${what} key of 1 to ${EKS_MAX} characters (the EKS node group limit)`
        : (qualifiedNameProblem(key) ??
          (kubeletLabel && reservedPrefix(key)
            ? `a ${what} key outside the kubernetes.io and k8s.io prefixes, which Kubernetes reserves (the kubelet refuses such node labels; node.kubernetes.io/ and kubelet.kubernetes.io/ are allowed)`
            : undefined));
    if (problem) ctx.addIssue({ code: "custom", message: `expected ${problem}` });
  });
}

function valueOf(what: "label" | "taint", minLength: number) {
  return z
    .string()
    .min(minLength, { message: `expected a non-empty ${what} value (EKS refuses empty node group label values)` })
    .max(EKS_MAX, { message: `expected a ${what} value of at most ${EKS_MAX} characters (Kubernetes and EKS limit)` })
    .regex(LABEL_VALUE, {
      message: `expected a ${what} value of letters, digits, '-', '_' and '.', starting and ending with a letter or digit (Kubernetes label value syntax)`,
    });
}

export const nodeLabelKey = keyOf("label", true);
export const nodeLabelValue = valueOf("label", 1);
export const taintKey = keyOf("taint", false);
/** EKS Taint: value 0 to 63 characters; Kubernetes requires a label value (so it may be empty). */
export const taintValue = valueOf("taint", 0);
