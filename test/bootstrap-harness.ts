/**
 * Runs one bootstrap stack (bootstrap/) under Pulumi's mock engine with the config Pulumi would give it: the
 * project defaults of bootstrap/Pulumi.yaml, then bootstrap/Pulumi.<stack>.yaml. The account ids and roles come
 * from the platform's real stack files, as in a real run. A spoke's StackReference to admin's bootstrap returns
 * the outputs of an admin run under the same mocks.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadBootstrapConfig } from "../bootstrap/config";
import { sdkInternals } from "../mock-engine/sdk-internals";

const BOOTSTRAP_DIR = path.resolve(__dirname, "..", "bootstrap");

/** The environments' accounts as the platform's stack files set them, and what the bootstrap names in them. */
export const ACCOUNTS = { admin: "444444444444", e2e: "333333333333", stage: "222222222222", prod: "111111111111" } as const;
export type Env = keyof typeof ACCOUNTS;
export const ENVS = Object.keys(ACCOUNTS) as Env[];
export const deployRole = (env: Env) => `arn:aws:iam::${ACCOUNTS[env]}:role/platform-deployer`;
export const previewRole = (env: Env) => `arn:aws:iam::${ACCOUNTS[env]}:role/platform-previewer`;
export const STATE_BUCKET = "arn:aws:s3:::example-pulumi-state";
/** What admin publishes for its spokes (stacks/hub-outputs.ts), in the state bucket. */
export const HUB_OUTPUTS = `${STATE_BUCKET}/published/k8s-platform/admin.json`;
const BOOTSTRAP_PROJECT = "k8s-platform-bootstrap";

export interface BootstrapResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly parent?: string;
  readonly provider?: string;
  readonly protect: boolean;
}

export interface BootstrapRun {
  readonly resources: BootstrapResource[];
  readonly outputs: Record<string, any>;
  one(type: string, name: string): BootstrapResource;
  /** A JSON policy input, parsed. */
  policy(type: string, name: string, input?: string): any;
}

export interface BootstrapRunOptions {
  /** Edits the bootstrap stack's config (keys like `k8s-platform-bootstrap:operatorAccess`). */
  configure?: (config: Record<string, unknown>) => void;
}

export function bootstrapStackConfig(stack: string): Record<string, unknown> {
  const project = parse(fs.readFileSync(path.join(BOOTSTRAP_DIR, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { default: unknown }>;
  };
  const defaults = Object.fromEntries(Object.entries(project.config).map(([key, spec]) => [`${BOOTSTRAP_PROJECT}:${key}`, spec.default]));
  const file = path.join(BOOTSTRAP_DIR, `Pulumi.${stack}.yaml`);
  const stackConfig = fs.existsSync(file) ? (parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config : {};
  return { ...defaults, ...stackConfig };
}

export async function runBootstrap(stack: string, options: BootstrapRunOptions = {}): Promise<BootstrapRun> {
  const hubOutputs = stack === "admin" ? {} : (await runBootstrap("admin")).outputs;
  const config = bootstrapStackConfig(stack);
  options.configure?.(config);

  const values = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
  const where = accountOf(stack, values);
  const resources: BootstrapResource[] = [];
  const pending = new Map<string, { parent?: string; protect: boolean }>();
  // The mock engine's SDK-internal hooks: parent and protect of each registration, and the end of a run.
  const { setMockOptions, waitForRPCs, MockMonitor } = sdkInternals();
  const monitor = new MockMonitor({
    newResource(args) {
      const meta = pending.get(`${args.type}::${args.name}`) ?? { protect: false };
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider || undefined, ...meta });
      return { id: `${args.name}-id`, state: { ...args.inputs, ...mockOutputs(args.type, args.name, args.inputs, where, hubOutputs) } };
    },
    call: (args) => args.inputs,
  });
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    pending.set(`${req.getType()}::${req.getName()}`, { parent: req.getParent() || undefined, protect: req.getProtect() });
    return register(req, callback);
  };
  setMockOptions(monitor, BOOTSTRAP_PROJECT, stack, false, "");
  pulumi.runtime.setAllConfig(values);

  const { bootstrap } = require("../bootstrap/program") as typeof import("../bootstrap/program");
  let stackOutputs: Record<string, unknown>;
  try {
    stackOutputs = bootstrap(stack);
  } catch (error) {
    await waitForRPCs();
    throw Object.assign(error as Error, { resourcesRegistered: resources.length });
  }
  const outputs = await resolve(stackOutputs);
  await waitForRPCs();
  const one = (type: string, name: string): BootstrapResource => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; registered: ${resources.map((r) => `${r.type}::${r.name}`).join(", ")}`);
    return found;
  };
  return { resources, outputs, one, policy: (type, name, input = "policy") => JSON.parse(one(type, name).inputs[input]) };
}

/** What AWS would return: ARNs in the provider's account and region, as the real resources have them. */
function mockOutputs(
  type: string,
  name: string,
  inputs: Record<string, any>,
  where: Where,
  hubOutputs: Record<string, unknown>,
): Record<string, unknown> {
  const { region, account } = where;
  switch (type) {
    case "pulumi:providers:aws":
      return {};
    case "aws:kms/key:Key":
      return { arn: `arn:aws:kms:${region}:${account}:key/${name}-id`, keyId: `${name}-id` };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${account}:role${inputs.path ?? "/"}${inputs.name}` };
    case "aws:iam/policy:Policy":
      return { arn: `arn:aws:iam::${account}:policy/${inputs.name}` };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return { arn: `arn:aws:iam::${account}:oidc-provider/${String(inputs.url).replace("https://", "")}` };
    case "aws:route53/zone:Zone": {
      const zoneId = `Z0${account}${name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`;
      return {
        zoneId,
        arn: `arn:aws:route53:::hostedzone/${zoneId}`,
        nameServers: [1, 2, 3, 4].map((n) => `ns-${n}.awsdns-${account.slice(-2)}.example.`),
      };
    }
    case "pulumi:pulumi:StackReference":
      return { outputs: hubOutputs };
    default:
      return {};
  }
}

interface Where {
  readonly region: string;
  readonly account: string;
}

/** The account and region the stack's resources are created in; none when the config is invalid (nothing registers then). */
function accountOf(stack: string, values: Record<string, string>): Where {
  try {
    const { account } = loadBootstrapConfig(stack, values);
    return { region: account.region, account: account.accountId };
  } catch {
    return { region: "", account: "" };
  }
}

async function resolve(value: unknown): Promise<any> {
  if (pulumi.Output.isInstance(value)) return resolve(await new Promise((done) => (value as pulumi.Output<unknown>).apply(done)));
  if (Array.isArray(value)) return Promise.all(value.map(resolve));
  if (value && typeof value === "object") {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v)] as const)));
  }
  return value;
}
