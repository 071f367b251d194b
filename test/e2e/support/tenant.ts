/**
 * Acting as a tenant on the sandbox's cluster: kubectl impersonating a directory user and the OIDC groups the API
 * server would give them (identity.oidc.groupsPrefix), and the CRDs of the charts whose kinds teams may create,
 * taken from the pinned archives of the chart mirror (the `local` stack installs no chart).
 */
import * as fs from "fs";
import * as path from "path";
import { archivePath } from "../../../lib/chart-mirror";
import { CHARTS } from "../../../lib/versions";
import { DEFAULT_MIRROR_DIR } from "../../../scripts/verify/mirror";
import { Result } from "./commands";
import { Sandbox } from "./sandbox";
import { TOOLCHAIN_DIR } from "./toolchain";

export interface Person {
  readonly user: string;
  /** Directory groups, as the API server names them (with the OIDC prefix). */
  readonly groups: readonly string[];
}

export const impersonating = (person: Person): string[] => ["--as", person.user, ...person.groups.flatMap((g) => ["--as-group", g])];

/** kubectl as `person`; a refusal is a result (exit code and stderr), not an exception. */
export function kubectlAs(sandbox: Sandbox, person: Person, args: readonly string[]): Promise<Result> {
  return sandbox.kubectl([...args, ...impersonating(person)], { allowFailure: true });
}

/** Creates `manifest` as `person`; `dryRun`: admitted or refused as it would be, leaving nothing behind. */
export function createAs(sandbox: Sandbox, person: Person, manifest: object, options: { dryRun: boolean }): Promise<Result> {
  const file = sandbox.writeFile(`manifest-${Date.now()}-${Math.random().toString(36).slice(2)}.json`, manifest);
  return kubectlAs(sandbox, person, ["create", "-f", file, ...(options.dryRun ? ["--dry-run=server"] : [])]);
}

/** What a ValidatingAdmissionPolicy's refusal says (k8s.io/apiserver policy/validating/dispatcher.go). */
export const refusedBy = (policy: string, message: string): string =>
  `ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: ${message}`;

/** Inside the pinned archives: ServiceMonitor and PodMonitor (plain files of the CRD subchart), Certificate (a template). */
const PROMETHEUS_CRDS = ["crd-servicemonitors.yaml", "crd-podmonitors.yaml"].map(
  (file) => `kube-prometheus-stack/charts/crds/crds/${file}`,
);
const CERTIFICATE_CRD = "templates/crd-cert-manager.io_certificates.yaml";

function written(sandbox: Sandbox, name: string, content: string): string {
  const file = path.join(sandbox.root, name);
  fs.writeFileSync(file, content);
  return file;
}

export async function installTenantCrds(sandbox: Sandbox): Promise<void> {
  const { kubePrometheusStack, certManager } = CHARTS;
  const prometheus = archivePath(DEFAULT_MIRROR_DIR, kubePrometheusStack.chart, kubePrometheusStack.version);
  const certificates = archivePath(DEFAULT_MIRROR_DIR, certManager.chart, certManager.version);
  const files: string[] = [];
  for (const member of PROMETHEUS_CRDS) {
    const extracted = await sandbox.commands.run("tar", ["-xzOf", prometheus, member], { cwd: sandbox.root, env: sandbox.env });
    files.push(written(sandbox, path.basename(member), extracted.stdout));
  }
  const rendered = await sandbox.commands.run(
    path.join(TOOLCHAIN_DIR, "bin/helm"),
    ["template", "cert-manager", certificates, "--set", "crds.enabled=true", "--show-only", CERTIFICATE_CRD],
    { cwd: sandbox.root, env: sandbox.env },
  );
  files.push(written(sandbox, "crd-certificates.yaml", rendered.stdout));
  // Server-side: the ServiceMonitor CRD is larger than the last-applied annotation may be.
  await sandbox.kubectl(["apply", "--server-side", ...files.flatMap((file) => ["-f", file])]);
  await sandbox.kubectl([
    "wait",
    "--for",
    "condition=Established",
    "crd/servicemonitors.monitoring.coreos.com",
    "crd/podmonitors.monitoring.coreos.com",
    "crd/certificates.cert-manager.io",
  ]);
}
