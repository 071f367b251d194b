/** CRDs of pinned charts, rendered from the mirror's archives by the toolchain's Helm and stored on a control plane. */
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { archivePath } from "../../../lib/chart-mirror";
import { ChartRef } from "../../../lib/versions";
import { DEFAULT_MIRROR_DIR } from "../../../scripts/verify/mirror";
import type { Sandbox } from "./sandbox";
import { TOOLCHAIN_DIR } from "./toolchain";

/**
 * Renders each chart with its CRDs switched on (`crds/` and the `crds.enabled` convention of charts that template
 * them, such as cert-manager's) and applies only the CustomResourceDefinitions, waiting until they are served. A
 * chart a Helm release will install later gets them marked as that release's, so that Helm takes them over.
 */
export async function installChartCrds(
  box: Sandbox,
  charts: readonly (ChartRef & { release?: { name: string; namespace: string } })[],
): Promise<void> {
  const crds: object[] = [];
  for (const chart of charts) {
    const owner = chart.release && {
      labels: { "app.kubernetes.io/managed-by": "Helm" },
      annotations: { "meta.helm.sh/release-name": chart.release.name, "meta.helm.sh/release-namespace": chart.release.namespace },
    };
    const archive = archivePath(DEFAULT_MIRROR_DIR, chart.chart, chart.version);
    const helm = path.join(TOOLCHAIN_DIR, "bin/helm");
    const rendered = await box.commands.run(helm, ["template", "crds", archive, "--include-crds", "--set", "crds.enabled=true"], {
      cwd: box.root,
      env: box.env,
    });
    for (const document of parseAllDocuments(rendered.stdout)) {
      const object = document.toJS() as { kind?: string; metadata: Record<string, Record<string, string>> } | null;
      if (object?.kind !== "CustomResourceDefinition") continue;
      if (owner) {
        object.metadata.labels = { ...object.metadata.labels, ...owner.labels };
        object.metadata.annotations = { ...object.metadata.annotations, ...owner.annotations };
      }
      crds.push(object);
    }
  }
  const file = box.writeFile(`crds-${Date.now()}.json`, { apiVersion: "v1", kind: "List", items: crds });
  await box.kubectl(["apply", "--server-side", "-f", file]);
  await box.kubectl(["wait", "--for", "condition=established", "--timeout=120s", "-f", file]);
}
