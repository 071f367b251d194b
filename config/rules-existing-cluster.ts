/**
 * An existing cluster (cluster.mode: existing, the local stack) is reached through a kubeconfig file: it must be
 * one, and hold the context the config names. Otherwise the Kubernetes provider fails after resources were
 * registered, with the provider's own message. Nothing of the file's content is ever shown: it holds credentials.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { Rule, Violation } from "./violation";

interface Kubeconfig {
  readonly kind?: unknown;
  readonly clusters?: { name?: unknown }[];
  readonly contexts?: { name?: unknown; context?: { cluster?: unknown } }[];
  readonly "current-context"?: unknown;
}

/** A path as written in config: `~` is the home directory, a relative path is relative to the project directory. */
export function resolveKubeconfigPath(file: string): string {
  return path.resolve(file.replace(/^~(?=$|\/)/, os.homedir()));
}

function readKubeconfig(file: string): Kubeconfig | "unreadable" | "not-a-kubeconfig" {
  let text: string;
  try {
    text = fs.readFileSync(resolveKubeconfigPath(file), "utf8");
  } catch {
    return "unreadable";
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch {
    return "not-a-kubeconfig"; // the parser's message quotes the file, which may hold a token
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "not-a-kubeconfig";
  const config = parsed as Kubeconfig;
  const listOrAbsent = (value: unknown) => value === undefined || value === null || Array.isArray(value);
  if ((config.kind !== undefined && config.kind !== "Config") || !listOrAbsent(config.clusters) || !listOrAbsent(config.contexts)) {
    return "not-a-kubeconfig";
  }
  return config;
}

const existingClusterIsReachable: Rule = (c) => {
  if (c.cluster.mode !== "existing") return [];
  const { kubeconfig: file, context } = c.cluster;
  const kubeconfig = readKubeconfig(file);
  const problem = (key: "kubeconfig" | "context", expected: string): Violation[] => [{ path: `cluster.${key}`, expected }];
  if (kubeconfig === "unreadable") {
    return problem("kubeconfig", "a readable kubeconfig file (start a cluster, or point this key at its kubeconfig)");
  }
  if (kubeconfig === "not-a-kubeconfig") {
    return problem("kubeconfig", "a kubeconfig file (YAML or JSON, kind: Config, with clusters, contexts and users): this file is not one");
  }
  const contexts = (kubeconfig.contexts ?? []).filter((entry) => entry && typeof entry.name === "string");
  const names = contexts.map((entry) => String(entry.name));
  if (names.length === 0) return problem("kubeconfig", "a kubeconfig with at least one context: this file has none");
  const current = kubeconfig["current-context"];
  if (context !== undefined && !names.includes(context)) {
    return problem("context", `one of the contexts of ${file}: ${names.join(", ")}`);
  }
  if (context === undefined && (typeof current !== "string" || current === "")) {
    return problem("context", `a context of ${file} (${names.join(", ")}): the file sets no current-context`);
  }
  if (context === undefined && !names.includes(current as string)) {
    return problem(
      "kubeconfig",
      `a kubeconfig whose current-context ("${String(current)}") is one of its contexts (${names.join(", ")}), or a cluster.context`,
    );
  }
  const selected = contexts.find((entry) => entry.name === (context ?? current));
  const clusterName = selected?.context?.cluster;
  const clusters = (kubeconfig.clusters ?? []).map((entry) => entry?.name);
  if (!clusters.includes(clusterName)) {
    return problem(
      "kubeconfig",
      `a kubeconfig whose context "${String(context ?? current)}" names one of its clusters (it names "${String(clusterName)}")`,
    );
  }
  return [];
};

export const EXISTING_CLUSTER_RULES: Rule[] = [existingClusterIsReachable];
