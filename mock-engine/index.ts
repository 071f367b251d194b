/**
 * The mock engine: runs one stack's program under Pulumi's mocks, with the config of that stack's real
 * `Pulumi.<stack>.yaml`, and returns every resource it registered and the stack outputs. What `npm run render`,
 * `verify`, `inventory`, `upgrade-plan`, `bench` and `kubeconfig` run, and what the unit tests assert on.
 * It sits above stacks/ (it loads the program) and below scripts/ and test/, which use it.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { committedStackConfig } from "../config/committed-stacks";
import { bookkeepingAwareFormatter, trackPromisesWithoutFrames } from "../lib/stack-traces";
import { defaultHubOutputs, mockCall, mockResourceState, STACK_REFERENCE } from "./provider-answers";
import { AliasSpec, ReadResourceRequest, RegisterResourceRequest, sdkInternals } from "./sdk-internals";

export type { AliasSpec } from "./sdk-internals";

export const PROJECT = "k8s-platform";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, any>;
  /** URN of the parent component; undefined for top-level resources. */
  readonly parent?: string;
  /** `<provider urn>::<provider id>` of the explicit provider, if any. */
  readonly provider?: string;
  readonly custom: boolean;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly dependencies: string[];
  /** Where the resource was declared before (its `aliases`). */
  readonly aliases?: AliasSpec[];
  /** A read of an existing object (`<Resource>.get`): the program takes it from the cluster or account, never creates it. */
  readonly read?: boolean;
  /** What a read asks the provider for (`namespace/name` for a Kubernetes object); empty while unknown at a preview. */
  readonly readId?: string;
}

export interface StackRun {
  readonly stack: string;
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, any>;
  /** Every secret config value the run was given (the mock engine hands secrets to resources unwrapped). */
  readonly secretValues: string[];
  /** Resources of one type token, e.g. `kubernetes:core/v1:Namespace`. */
  ofType(type: string): RecordedResource[];
  /** The one resource of `type` named `name`; throws if absent. */
  one(type: string, name: string): RecordedResource;
  /** The resource a URN refers to (a parent, a provider, a dependency). */
  byUrn(urn: string): RecordedResource;
}

export type StackConfig = Record<string, any>;

export interface RunOptions {
  /** Edits a copy of the stack's config (keys like `platform:teams`) before the run. */
  configure?: (config: StackConfig) => void;
  /** Secret config (keys like `platform:grafanaAdminPassword`); defaults to the placeholders of mock-engine/secrets.yaml. */
  secrets?: StackConfig;
  /** What the admin stack has published for the environment stacks; null: nothing yet (admin never deployed). */
  hubOutputs?: Record<string, unknown> | null;
  /** Outputs of other stacks read through a StackReference (a shard's environment), by stack name; admin's default to hubOutputs. */
  stackOutputs?: Record<string, Record<string, unknown>>;
  /** Run as a preview (`pulumi preview`) rather than an update. */
  preview?: boolean;
  /**
   * With `preview`: the stack has no state yet (a first deploy). Each resource the program creates answers with its
   * inputs only, its id and computed outputs unknown, as the engine previews a create; reads and stack references
   * answer as usual.
   */
  emptyState?: boolean;
  /** Runs this instead of the whole program (stacks/index.ts), with the stack's config set: a part of it under test. */
  program?: Program;
}

/** The program's entry point, loaded lazily so that a test can set mocks before any SDK module runs. */
type Program = (stack: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

export function readStackConfig(stack: string): StackConfig {
  return committedStackConfig(stack) ?? {};
}

/** Placeholders for a stack's secret config (the values `pulumi config set --secret` keeps encrypted). */
export function readTestSecrets(stack: string): StackConfig {
  const all = parse(fs.readFileSync(path.join(__dirname, "secrets.yaml"), "utf8")) as Record<string, StackConfig>;
  return all[stack] ?? {};
}

/** The stacks that run on AWS (every one but local). */
export const EKS_STACKS = ["e2e", "stage", "prod", "admin"] as const;

/** Runs each stack in turn: the mock engine is global, so runs cannot overlap. */
export async function runStacks<S extends string>(stacks: readonly S[]): Promise<Record<S, StackRun>> {
  const runs = {} as Record<S, StackRun>;
  for (const stack of stacks) runs[stack] = await runStack(stack);
  return runs;
}

/** A directory of `<stack>.json` default runs (test/support/global-setup.ts writes one per test run). */
export const CACHED_RUNS_ENV = "PLATFORM_CACHED_RUNS";

export function serializeRun(run: StackRun): string {
  return JSON.stringify({ resources: run.resources, outputs: run.outputs, secretValues: run.secretValues });
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
  const cached = Object.keys(options).length === 0 && cachedRun(stack);
  return cached || evaluateStack(stack, options);
}

function cachedRun(stack: string): StackRun | undefined {
  const file = process.env[CACHED_RUNS_ENV] && path.join(process.env[CACHED_RUNS_ENV]!, `${stack}.json`);
  if (!file || !fs.existsSync(file)) return undefined;
  const { resources, outputs, secretValues } = JSON.parse(fs.readFileSync(file, "utf8"));
  return makeRun(stack, resources, outputs, secretValues);
}

/** Always evaluates the program, whatever is cached. */
export async function evaluateStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
  // The SDK formats a stack trace for every promise it tracks, and jest source-maps every frame of every one:
  // during the run they are skipped as under the engine (lib/stack-traces.ts), and an error from the program
  // is shown by V8's plain formatter (in .js lines).
  const { stackTraceLimit, prepareStackTrace } = Error;
  Error.stackTraceLimit = 10;
  Error.prepareStackTrace = bookkeepingAwareFormatter();
  trackPromisesWithoutFrames();
  try {
    return await runProgram(stack, options);
  } finally {
    Object.assign(Error, { stackTraceLimit, prepareStackTrace });
  }
}

async function runProgram(stack: string, options: RunOptions): Promise<StackRun> {
  const config = structuredClone(readStackConfig(stack));
  pointExistingClusterAtFixture(config);
  options.configure?.(config);
  const secrets = options.secrets ?? readTestSecrets(stack);

  const resources: RecordedResource[] = [];
  const pending = new Map<string, Omit<RecordedResource, "inputs" | "provider" | "custom" | "urn">>();
  const hubOutputs = options.hubOutputs === undefined ? defaultHubOutputs : options.hubOutputs;
  const referencedOutputs = (name: string) => options.stackOutputs?.[name.split("/").pop()!] ?? hubOutputs ?? {};
  const publishedOutputs = (stack: string) => options.stackOutputs?.[stack] ?? hubOutputs;

  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const meta = pending.get(`${args.type}::${args.name}`) ?? {
        type: args.type,
        name: args.name,
        protect: false,
        retainOnDelete: false,
        dependencies: [],
      };
      const urn = monitorUrn(stack, meta.parent, args.type, args.name);
      resources.push({ ...meta, urn, inputs: args.inputs, provider: args.provider || undefined, custom: args.custom ?? true });
      if (options.preview && options.emptyState && !args.id && args.type !== STACK_REFERENCE) return { id: undefined, state: args.inputs };
      return mockResourceState(args, referencedOutputs);
    },
    call: (args) => mockCall(args, publishedOutputs),
  };
  const { setMockOptions, waitForRPCs, getStore, MockMonitor } = sdkInternals();
  const monitor = new MockMonitor(mocks);
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    // Recorded before the SDK's monitor calls newResource, which takes them up by type and name.
    pending.set(`${req.getType()}::${req.getName()}`, {
      ...placement(req),
      protect: req.getProtect(),
      retainOnDelete: req.getRetainondelete(),
      ...aliasesOf(req),
    });
    return register(req, callback);
  };
  // Reads (`<Resource>.get`) too: what they wait for and where they sit in the tree.
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    pending.set(`${req.getType()}::${req.getName()}`, {
      ...placement(req),
      protect: false,
      retainOnDelete: false,
      read: true,
      readId: req.getId(),
    });
    return read(req, callback);
  };
  // The DIY backends' organization, as in `organization/k8s-platform/<stack>`.
  setMockOptions(monitor, PROJECT, stack, options.preview ?? false, "organization");
  // As the engine does: aliases go to it as specs (former name, former parent), which the mock engine records.
  getStore().supportsAliasSpecs = true;
  const [values, secretKeys] = flattenConfig(config, secrets);
  pulumi.runtime.setAllConfig(values, secretKeys);

  const program: Program = options.program ?? require("../stacks").platform;
  let stackOutputs: Record<string, unknown>;
  try {
    stackOutputs = await program(stack);
  } catch (error) {
    await waitForRPCs();
    throw Object.assign(error as Error, { resourcesRegistered: resources.length });
  }
  const outputs = await resolveDeep(stackOutputs);
  await waitForRPCs();
  return makeRun(stack, resources, outputs, leafStrings(secrets));
}

function aliasesOf(req: RegisterResourceRequest): { aliases?: AliasSpec[] } {
  const aliases = req.getAliasesList().flatMap((alias) => alias.toObject().spec ?? []);
  return aliases.length > 0 ? { aliases } : {};
}

/** An existing cluster's kubeconfig lives on the operator's machine; under mocks a fixture stands in for it. */
function pointExistingClusterAtFixture(config: StackConfig): void {
  const cluster = config["platform:cluster"];
  if (cluster?.mode === "existing") cluster.kubeconfig = path.join(__dirname, "kubeconfig.yaml");
}

/** The config map as the engine hands it to a program: every value a string, objects as JSON. */
function flattenConfig(config: StackConfig, secrets: StackConfig): [Record<string, string>, string[]] {
  const values: Record<string, string> = {};
  const secretKeys = Object.keys(secrets);
  for (const [key, value] of Object.entries({ ...config, ...secrets })) {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return [values, secretKeys];
}

/** The URN the mock monitor gives a resource (it qualifies a type with its parent's type only). */
function monitorUrn(stack: string, parent: string | undefined, type: string, name: string): string {
  const qualified = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
  return `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
}

/** What a stack output unknown at a preview reads as in a run's outputs. */
const UNKNOWN_AT_PREVIEW = "(unknown at preview)";

async function resolveDeep(value: unknown): Promise<any> {
  if (pulumi.Output.isInstance(value)) {
    if (!(await sdkInternals().isKnown(value))) return UNKNOWN_AT_PREVIEW;
    return resolveDeep(await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve)));
  }
  if (value instanceof Promise) return resolveDeep(await value);
  if (pulumi.Resource.isInstance(value)) return value;
  if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
  if (value && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}

function leafStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return value && typeof value === "object" ? Object.values(value).flatMap(leafStrings) : [];
}

function makeRun(stack: string, resources: RecordedResource[], outputs: Record<string, any>, secretValues: string[]): StackRun {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return {
    stack,
    resources,
    outputs,
    secretValues,
    ofType: (type) => resources.filter((r) => r.type === type),
    one(type, name) {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) throw new Error(`${stack}: no ${type} named ${name}`);
      return found;
    },
    byUrn(urn) {
      const found = byUrn.get(urn.split("::").slice(0, 4).join("::"));
      if (!found) throw new Error(`${stack}: no resource ${urn}`);
      return found;
    },
  };
}

/** What a registration and a read have alike: what the resource is, where it sits in the tree, what it waits for. */
function placement(req: Omit<ReadResourceRequest, "getId">) {
  return { type: req.getType(), name: req.getName(), parent: req.getParent() || undefined, dependencies: req.getDependenciesList() };
}
