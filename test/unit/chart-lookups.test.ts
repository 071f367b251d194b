/**
 * Every Helm `lookup` in the pinned chart archives, accounted for. A chart rendered by helm.v4.Chart runs its
 * lookups against the cluster in every preview, as the pipeline's read-only identity, and Helm fails the render on
 * a forbidden read. A lookup of anything that identity reads anyway (workloads, CRDs, PVCs) is harmless; a
 * Secret it reads only if granted by name (components/pipeline-access, from lib/versions.ts `renderLookups`).
 * A chart upgrade that adds, moves or changes a lookup fails here until it is read and accounted for.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { archivePath } from "../../lib/chart-mirror";
import { CHARTS, ChartRef } from "../../lib/versions";
import { DEFAULT_MIRROR_DIR } from "../../scripts/verify/mirror";

const MIRROR = DEFAULT_MIRROR_DIR;

type Outcome =
  | { readonly granted: { readonly namespace: string; readonly name: string } }
  | { readonly harmless: string }
  | { readonly notReached: string };

/** chart → `<template path>:<the lookup's arguments>` → why it does not break a preview. */
const ACCOUNTED: Partial<Record<keyof typeof CHARTS, Record<string, Outcome>>> = {
  tigeraOperator: {
    'templates/crs/configmap-felixconfiguration-templates.yaml:"apiextensions.k8s.io/v1" "CustomResourceDefinition" "" "felixconfigurations.projectcalico.org"':
      { notReached: "only with defaultFelixConfiguration.enabled, which components/calico leaves off; a CRD read is granted anyway" },
  },
  awsLoadBalancerController: {
    'templates/_helpers.tpl:"v1" "Secret" .Release.Namespace $secretName': {
      granted: { namespace: "kube-system", name: "aws-load-balancer-tls" },
    },
  },
  runnerScaleSet: {
    'templates/_helpers.tpl:"apps/v1" "Deployment" "" ""': {
      notReached: "only without controllerServiceAccount, which components/ci-runners names; Deployments are readable anyway",
    },
  },
  kubePrometheusStack: {
    'charts/grafana/templates/_helpers.tpl:"v1" "Secret" (include "grafana.namespace" .) (printf "%s-image-renderer" (include "grafana.imageRenderer.fullname" .))':
      { notReached: "only with the image renderer enabled, which the program leaves off" },
    'charts/grafana/templates/_helpers.tpl:"v1" "Secret" (include "grafana.namespace" .) (include "grafana.fullname" .)': {
      notReached: "only without admin.existingSecret, which components/monitoring sets",
    },
    'charts/grafana/templates/pvc.yaml:"v1" "PersistentVolumeClaim" (include "grafana.namespace" .) (include "grafana.fullname" .)': {
      harmless: "a PersistentVolumeClaim, which the pipeline's identity reads (and only with Grafana's persistence on)",
    },
  },
};

/** `<template path>:<arguments>` of every lookup call in a chart archive's templates (subcharts included). */
function lookupsIn(archive: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-lookups-"));
  try {
    execFileSync("tar", ["-xzf", archive, "-C", dir]);
    const [chartDir] = fs.readdirSync(dir);
    const root = path.join(dir, chartDir);
    const found = new Set<string>();
    for (const file of fs.readdirSync(root, { recursive: true }) as string[]) {
      if (!/(^|\/)templates\//.test(file) || !/\.(tpl|yaml|yml|txt)$/.test(file)) continue;
      const text = fs.readFileSync(path.join(root, file), "utf8");
      for (const match of text.matchAll(/\{\{-?\s*[^}]*?\blookup\s/g)) {
        found.add(`${file}:${lookupArguments(text, match.index + match[0].length)}`);
      }
    }
    return [...found].sort();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The arguments after `lookup`, up to the end of its call: the closing parenthesis around it, or the action's end. */
function lookupArguments(text: string, from: number): string {
  let depth = 0;
  let end = from;
  for (; end < text.length; end++) {
    if (text.startsWith("}}", end) || (depth === 0 && text.startsWith("-}}", end))) break;
    if (text[end] === "(") depth++;
    if (text[end] === ")" && --depth < 0) break;
  }
  return text.slice(from, end).replace(/\s+/g, " ").trim();
}

const pinned = Object.entries(CHARTS) as [keyof typeof CHARTS, ChartRef][];

describe("Helm lookups in the pinned charts", () => {
  test.each(pinned)("%s: every lookup is accounted for", (key, ref) => {
    const accounted = ACCOUNTED[key] ?? {};
    expect(lookupsIn(archivePath(MIRROR, ref.chart, ref.version))).toEqual(Object.keys(accounted).sort());
  });

  test.each(pinned)("%s: the Secrets it looks up are exactly those granted to the pipeline (renderLookups)", (key, ref) => {
    const granted = Object.values(ACCOUNTED[key] ?? {}).flatMap((outcome) =>
      "granted" in outcome ? [{ kind: "Secret", ...outcome.granted }] : [],
    );
    expect(ref.renderLookups ?? []).toEqual(granted);
  });
});
