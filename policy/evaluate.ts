/**
 * Runs the pack's policies without the engine: over resources recorded by a mock run of a stack, with one
 * environment's policy config, resolving levels and config the way the engine does. The unit tests use it to
 * check every stack against the pack; `pulumi preview --policy-pack policy` is the real thing.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyPackConfig,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { asArray } from "./policies/common";
import { DEFAULT_ENFORCEMENT_LEVEL, POLICIES } from "./policies";

/** A resource as a mock run records it. `parent`, `provider` and `dependencies` are URNs. */
export interface ResourceSnapshot {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
  readonly parent?: string;
  readonly provider?: string;
  readonly protect?: boolean;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export interface Finding {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn: string;
}

type Policy = Policies[number];
type PolicyConfig = PolicyPackConfig[string];

class NotApplicable extends Error {}

const levelIn = (entry: PolicyConfig | undefined): EnforcementLevel | undefined =>
  typeof entry === "string" ? entry : entry?.enforcementLevel;

/** A policy's own entry in the config wins over `all`, which wins over the policy's and then the pack's level. */
export function enforcementLevelOf(policy: Policy, config: PolicyPackConfig): EnforcementLevel {
  return levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel ?? DEFAULT_ENFORCEMENT_LEVEL;
}

/** What `args.getConfig()` returns: the policy's config entry without its level. */
function configGetter(policy: Policy, config: PolicyPackConfig): <T extends object>() => T {
  const entry = config[policy.name];
  const { enforcementLevel: _level, ...values } = typeof entry === "object" ? entry : {};
  return <T extends object>() => values as T;
}

const isTypeOf = (type: string) => (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type;

/** The resources as a stack policy sees them, with parents, providers and dependencies linked. */
export function policyResources(snapshots: readonly ResourceSnapshot[]): PolicyResource[] {
  const resources = snapshots.map((s): PolicyResource => ({
    type: s.type,
    name: s.name,
    urn: s.urn,
    props: s.props,
    opts: {
      protect: s.protect ?? false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      parent: s.parent,
    },
    dependencies: [],
    propertyDependencies: {},
    isType: isTypeOf(s.type),
    asType: ((resourceClass: unknown) => (isTypeOf(s.type)(resourceClass) ? s.props : undefined)) as PolicyResource["asType"],
  }));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const lookup = (urns: readonly string[] = []) => urns.map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
  snapshots.forEach((s, i) => {
    const resource = resources[i];
    resource.parent = s.parent ? byUrn.get(s.parent) : undefined;
    const provider = s.provider ? byUrn.get(s.provider) : undefined;
    if (provider) resource.provider = { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name };
    resource.dependencies = lookup(s.dependencies);
    resource.propertyDependencies = Object.fromEntries(
      Object.entries(s.propertyDependencies ?? {}).map(([key, urns]) => [key, lookup(urns)]),
    );
  });
  return resources;
}

/** The arguments a resource policy gets for one resource, with `getConfig` answering `config`. */
export function resourceValidationArgs(
  resource: PolicyResource,
  getConfig: <T extends object>() => T = () => ({}) as any,
): ResourceValidationArgs {
  return {
    type: resource.type,
    props: resource.props,
    urn: resource.urn,
    name: resource.name,
    opts: resource.opts,
    provider: resource.provider,
    stackTags: new Map(),
    isType: resource.isType,
    asType: ((resourceClass: unknown) =>
      resource.isType(resourceClass as any) ? resource.props : undefined) as ResourceValidationArgs["asType"],
    getConfig,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
}

export function stackValidationArgs(
  resources: PolicyResource[],
  getConfig: <T extends object>() => T = () => ({}) as any,
): StackValidationArgs {
  return {
    resources,
    stackTags: new Map(),
    getConfig,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason);
    },
  };
}

async function unlessNotApplicable(validation: () => Promise<void> | void): Promise<void> {
  try {
    await validation();
  } catch (error) {
    if (!(error instanceof NotApplicable)) throw error;
  }
}

/** Every violation the pack reports for these resources under this environment's policy config. */
export async function evaluate(
  snapshots: readonly ResourceSnapshot[],
  config: PolicyPackConfig = {},
  policies: Policies = POLICIES,
): Promise<Finding[]> {
  const resources = policyResources(snapshots);
  const findings: Finding[] = [];
  for (const policy of policies) {
    const configured = enforcementLevelOf(policy, config);
    if (configured === "disabled") continue;
    // Nothing in this pack remediates, so a "remediate" level blocks like "mandatory", as the engine treats stack policies.
    const level = configured === "remediate" ? "mandatory" : configured;
    const getConfig = configGetter(policy, config);
    const reporterFor =
      (defaultUrn: string): ReportViolation =>
      (message, urn) =>
        findings.push({ policy: policy.name, level, message, urn: urn ?? defaultUrn });
    if ("validateStack" in policy) {
      await unlessNotApplicable(() => policy.validateStack(stackValidationArgs(resources, getConfig), reporterFor("")));
      continue;
    }
    for (const resource of resources) {
      for (const validate of asArray(policy.validateResource)) {
        await unlessNotApplicable(() => validate(resourceValidationArgs(resource, getConfig), reporterFor(resource.urn)));
      }
    }
  }
  return findings;
}
