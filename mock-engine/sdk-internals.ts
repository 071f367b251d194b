/**
 * The @pulumi/pulumi internals the mock engine stands on. Public `runtime.setMocks` tells a mock neither the
 * parent, protect, retainOnDelete, dependencies nor aliases of a registration, and cannot wait until every
 * registration is done; these hooks can, so that a run shows the resource tree as the engine would see it.
 * None of them is the SDK's API, so any release may change one: each is checked by shape before the first run,
 * and test/unit/mock-engine-sdk.test.ts also checks what they do, so that an SDK upgrade that changes one stops
 * with a message naming it rather than somewhere inside a run of render, verify or the unit tests.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDependenciesList(): string[];
  getAliasesList(): { toObject(): { spec?: AliasSpec } }[];
}
export type ReadResourceRequest = Pick<RegisterResourceRequest, "getType" | "getName" | "getParent" | "getDependenciesList"> & {
  getId(): string;
};

/** A structured alias as the SDK sends it: a former name and, if it moved, its former parent. */
export interface AliasSpec {
  readonly name: string;
  readonly parenturn: string;
}

type Callback = (err: unknown, res: unknown) => void;
export interface MockMonitor {
  registerResource(req: RegisterResourceRequest, callback: Callback): Promise<void>;
  readResource(req: ReadResourceRequest, callback: Callback): Promise<void>;
}

export interface SdkInternals {
  /** Installs `monitor` as the engine of the runs that follow, for this project, stack, preview flag and organization. */
  setMockOptions(monitor: MockMonitor, project: string, stack: string, preview: boolean, organization: string): void;
  /** Resolves once every registration (every RPC to the monitor) has finished. */
  waitForRPCs(): Promise<void>;
  /** The run's state; the engine sets supportsAliasSpecs, and the mock engine does as it does. */
  getStore(): { supportsAliasSpecs: boolean };
  MockMonitor: new (mocks: pulumi.runtime.Mocks) => MockMonitor;
  /** Whether an output's value is known: in a preview an unknown one never runs its `apply`. */
  isKnown(output: pulumi.Output<unknown>): Promise<boolean>;
}

interface Internal {
  /** Below `@pulumi/pulumi/`. */
  readonly module: string;
  readonly name: string;
  /** What the mock engine uses it for. */
  readonly use: string;
  /** The shape it must have, as the check reads it. */
  readonly shape: string;
  readonly fits: (value: any) => boolean;
}

const isFunction = (value: unknown, parameters: number) => typeof value === "function" && value.length === parameters;
const hasMethods = (prototype: any, methods: string[]) => methods.every((method) => typeof prototype?.[method] === "function");

const REGISTER_GETTERS = ["getType", "getName", "getParent", "getProtect", "getRetainondelete", "getDependenciesList", "getAliasesList"];
const READ_GETTERS = ["getId", "getType", "getName", "getParent", "getDependenciesList"];

export const INTERNALS: readonly Internal[] = [
  {
    module: "runtime/settings",
    name: "setMockOptions",
    use: "installs the mock monitor with the run's project, stack, preview flag and organization",
    shape: "a function of 5 parameters (mockMonitor, project, stack, preview, organization)",
    fits: (value) => isFunction(value, 5),
  },
  {
    module: "runtime/settings",
    name: "waitForRPCs",
    use: "waits until every registration of a run has finished before the run's resources are returned",
    shape: "a function of no parameters",
    fits: (value) => isFunction(value, 0),
  },
  {
    module: "runtime/state",
    name: "getStore",
    use: "turns on supportsAliasSpecs as the engine does, so that aliases reach the monitor as specs",
    shape: "a function of no parameters returning the store, whose supportsAliasSpecs is a boolean",
    fits: (value) => isFunction(value, 0) && typeof value().supportsAliasSpecs === "boolean",
  },
  {
    module: "runtime/mocks",
    name: "MockMonitor",
    use: "the monitor whose registerResource and readResource the mock engine wraps to record each registration",
    shape: "a class constructed with the mocks, whose registerResource and readResource take (request, callback)",
    fits: (value) => isFunction(value, 1) && isFunction(value.prototype.registerResource, 2) && isFunction(value.prototype.readResource, 2),
  },
  {
    module: "proto/resource_pb",
    name: "RegisterResourceRequest",
    use: "the request the wrapped registerResource reads a registration's parent, options and dependencies from",
    shape: `a message class with ${REGISTER_GETTERS.join(", ")}`,
    fits: (value) => hasMethods(value?.prototype, REGISTER_GETTERS),
  },
  {
    module: "proto/resource_pb",
    name: "ReadResourceRequest",
    use: "the request the wrapped readResource reads a read's id, parent and dependencies from",
    shape: `a message class with ${READ_GETTERS.join(", ")}`,
    fits: (value) => hasMethods(value?.prototype, READ_GETTERS),
  },
  {
    module: "output",
    name: "output",
    use: "tells a stack output unknown at a preview (whose apply never runs) from a known one",
    shape: "a function whose outputs carry isKnown, a promise of whether the value is known",
    fits: (value) => typeof value === "function" && value(1).isKnown instanceof Promise,
  },
];

/** One line per internal that is missing or has another shape than the mock engine uses; none when all fit. */
export function sdkInternalProblems(): string[] {
  const version: string = require("@pulumi/pulumi/package.json").version;
  return INTERNALS.flatMap((internal) => {
    let value: unknown;
    try {
      value = require(`@pulumi/pulumi/${internal.module}`)[internal.name];
    } catch (error) {
      value = `a module that does not load (${(error as Error).message.split("\n")[0]})`;
    }
    if (fitsSafely(internal, value)) return [];
    return [
      `@pulumi/pulumi ${version}: ${internal.module} ${internal.name} is no longer ${internal.shape} (found ${describe(value)}). ` +
        `The mock engine uses it: it ${internal.use}. Adapt mock-engine/sdk-internals.ts and its callers to the SDK's ` +
        `${internal.module}.ts at ${version}, or pin @pulumi/pulumi in package.json back to the version before.`,
    ];
  });
}

function fitsSafely(internal: Internal, value: unknown): boolean {
  try {
    return internal.fits(value);
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === "function") return `a function of ${value.length} parameters`;
  return typeof value === "string" ? value : String(typeof value);
}

let checked: SdkInternals | undefined;

/** The internals, checked once: throws naming every one that changed. */
export function sdkInternals(): SdkInternals {
  if (checked) return checked;
  const problems = sdkInternalProblems();
  if (problems.length > 0) throw new Error(`The mock engine cannot run on this @pulumi/pulumi:\n${problems.join("\n")}`);
  const { setMockOptions, waitForRPCs } = require("@pulumi/pulumi/runtime/settings");
  const { getStore } = require("@pulumi/pulumi/runtime/state");
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
  const isKnown = (output: pulumi.Output<unknown>) => (output as unknown as { isKnown: Promise<boolean> }).isKnown;
  checked = { setMockOptions, waitForRPCs, getStore, MockMonitor, isKnown };
  return checked;
}
