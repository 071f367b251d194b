/**
 * The EKS add-on builds a stack installs (lib/versions.ts EKS_ADDONS, as the program passes them to each
 * `aws.eks.Addon`), checked against what EKS offers for the cluster's Kubernetes minor with
 * `aws eks describe-addon-versions --addon-name <name> --kubernetes-version <minor>`
 * (https://docs.aws.amazon.com/cli/latest/reference/eks/describe-addon-versions.html). The add-on API serves
 * their images itself; a build it does not offer fails the add-on's creation. It needs AWS credentials (any
 * identity of the account may call it); without them, or without the aws CLI, each add-on is "not checked".
 */
import { execFile } from "child_process";
import { promisify } from "util";
import { StackRun } from "../../mock-engine";

const run = promisify(execFile);

export interface EksAddon {
  readonly name: string;
  readonly version: string;
  readonly kubernetesVersion: string;
  readonly region: string;
}

export interface AddonCheck extends EksAddon {
  readonly status: "resolved" | "missing" | "not checked";
  readonly detail: string;
}

interface AddonVersions {
  addons?: { addonVersions?: { addonVersion: string; compatibilities?: { clusterVersion: string; defaultVersion?: boolean }[] }[] }[];
}

/** The add-ons the stack installs, at the builds and in the region the program gives them. */
export function stackAddons(stackRun: StackRun): EksAddon[] {
  const kubernetesVersion = stackRun.ofType("aws:eks/cluster:Cluster")[0]?.inputs.version;
  return stackRun.ofType("aws:eks/addon:Addon").map((addon) => {
    const provider = addon.provider ? stackRun.byUrn(addon.provider.slice(0, addon.provider.lastIndexOf("::"))) : undefined;
    return { name: addon.inputs.addonName, version: addon.inputs.addonVersion, kubernetesVersion, region: provider?.inputs.region };
  });
}

export async function checkAddons(addons: readonly EksAddon[], env: NodeJS.ProcessEnv): Promise<AddonCheck[]> {
  const checks: AddonCheck[] = [];
  for (const addon of addons) checks.push({ ...addon, ...(await checkAddon(addon, env)) });
  return checks;
}

async function checkAddon(addon: EksAddon, env: NodeJS.ProcessEnv): Promise<Pick<AddonCheck, "status" | "detail">> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      "aws",
      [
        ...["eks", "describe-addon-versions", "--addon-name", addon.name, "--kubernetes-version", addon.kubernetesVersion],
        ...["--region", addon.region, "--output", "json", "--cli-connect-timeout", "10", "--cli-read-timeout", "30"],
      ],
      { env: { AWS_MAX_ATTEMPTS: "2", ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === "ENOENT") return { status: "not checked", detail: "the aws CLI is not installed" };
    const said = stderr?.trim().split("\n").filter(Boolean).pop();
    return { status: "not checked", detail: `aws eks describe-addon-versions failed: ${said || (error as Error).message}` };
  }
  const versions = ((JSON.parse(stdout) as AddonVersions).addons ?? []).flatMap((a) => a.addonVersions ?? []);
  const offered = versions.map((v) => v.addonVersion);
  const preferred = versions.find((v) => v.compatibilities?.some((c) => c.clusterVersion === addon.kubernetesVersion && c.defaultVersion));
  const defaultNote = preferred && preferred.addonVersion !== addon.version ? `; EKS's default is ${preferred.addonVersion}` : "";
  if (offered.includes(addon.version))
    return { status: "resolved", detail: `offered for Kubernetes ${addon.kubernetesVersion}${defaultNote}` };
  return {
    status: "missing",
    detail:
      offered.length === 0
        ? `EKS offers no build of ${addon.name} for Kubernetes ${addon.kubernetesVersion}`
        : `not offered for Kubernetes ${addon.kubernetesVersion} (the newest offered: ${offered.slice(0, 3).join(", ")})`,
  };
}
