/**
 * Settings inside the values of Helm charts the program installs (`helm.v4.Chart`, `helm.v3.Release`): what the
 * rendered objects cannot show a policy, because the setting lives in a configuration file in the values.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { described } from "../catalogue";

const HELM = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"];

/** The chart's name, whether given by name, as an `oci://` reference or as a mirrored archive (`<name>-<version>.tgz`). */
export function chartNameOf(chart: unknown): string {
  const last =
    String(chart ?? "")
      .split("/")
      .pop() ?? "";
  return last.replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, "");
}

const chartsNamed = (resources: readonly PolicyResource[], chart: string) =>
  resources.filter((r) => HELM.includes(r.type) && chartNameOf(r.props.chart) === chart);

/** oauth2-proxy restricts logins by group through `allowed_groups` in its config file or `--allowed-group`. */
function allowedGroupsOf(values: Record<string, any>): string[] {
  const configFile = String(values.config?.configFile ?? "");
  const inFile = /^\s*allowed_groups\s*=\s*\[(.*)\]\s*$/m.exec(configFile)?.[1] ?? "";
  const fromFile = [...inFile.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
  const args = values.extraArgs;
  const fromArgs = Array.isArray(args)
    ? args.filter((a: string) => a.startsWith("--allowed-group=")).map((a: string) => a.slice("--allowed-group=".length))
    : args?.["allowed-group"] !== undefined
      ? [String(args["allowed-group"])]
      : [];
  return [...fromFile, ...fromArgs];
}

export const oauth2ProxyAllowedGroups: StackValidationPolicy = {
  ...described("k8s-oauth2-proxy-allowed-groups"),
  validateStack: (args, reportViolation) => {
    for (const chart of chartsNamed(args.resources, "oauth2-proxy")) {
      if (allowedGroupsOf(chart.props.values ?? {}).length === 0) {
        reportViolation(
          `oauth2-proxy ${chart.name} admits everyone who can sign in: list the directory groups in allowed_groups.`,
          chart.urn,
        );
      }
    }
  },
};

/** `[OUTPUT]` sections of Fluent Bit's classic configuration, as key → value maps (keys lower-cased). */
function outputSections(config: string): Map<string, string>[] {
  return config
    .split(/^\s*\[/m)
    .filter((section) => /^OUTPUT\]/i.test(section))
    .map(
      (section) =>
        new Map(
          section
            .split("\n")
            .slice(1)
            .map((line) => line.trim().split(/\s+/))
            .filter((kv) => kv.length >= 2)
            .map(([k, ...v]) => [k.toLowerCase(), v.join(" ")]),
        ),
    );
}

const isOn = (value: string | undefined) => /^(on|true|yes|1)$/i.test(value ?? "");

export const fluentBitVerifiesTls: StackValidationPolicy = {
  ...described("k8s-fluent-bit-tls-verified"),
  validateStack: (args, reportViolation) => {
    for (const chart of chartsNamed(args.resources, "fluent-bit")) {
      const outputs = String(chart.props.values?.config?.outputs ?? "");
      for (const output of outputSections(outputs).filter((o) => isOn(o.get("tls")))) {
        // Fluent Bit verifies by default; only an explicit off disables it.
        if (output.has("tls.verify") && !isOn(output.get("tls.verify"))) {
          reportViolation(
            `Fluent Bit ${chart.name}: output ${output.get("name")} (${output.get("match")}) uses TLS without verifying the certificate (tls.verify ${output.get("tls.verify")}).`,
            chart.urn,
          );
        }
      }
    }
  },
};
