/**
 * The mock engine (render, verify, inventory, upgrade-plan, bench, kubeconfig and every unit test) stands on
 * @pulumi/pulumi internals (mock-engine/sdk-internals.ts). After an SDK upgrade this file says which one changed:
 * by shape, then by what the engine records through them from a small program.
 */
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack, StackRun } from "../../mock-engine";
import { sdkInternalProblems } from "../../mock-engine/sdk-internals";

test("every SDK internal the mock engine uses is there, with the shape it uses", () => {
  expect(sdkInternalProblems()).toEqual([]);
});

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super("probe:index:Thing", name, props, opts);
  }
}

/** A component with a child that carries every option the engine records, a dependency, a read, and a chain of inputs. */
async function probe(): Promise<{ run: StackRun; urns: Record<string, string> }> {
  const urns: Record<string, pulumi.Output<string>> = {};
  const run = await evaluateStack("local", {
    program: () => {
      const component = new pulumi.ComponentResource("probe:index:Component", "probe", {}, {});
      const dependency = new Thing("probe-dependency", {}, { parent: component });
      const child = new Thing(
        "probe-child",
        { size: 1 },
        { parent: component, protect: true, retainOnDelete: true, dependsOn: dependency, aliases: [{ name: "probe-former" }] },
      );
      const read = new Thing("probe-read", {}, { parent: component, id: "existing-id" });
      // Its registration waits for the child's id, and the program returns before either: the run must wait for both.
      new Thing("probe-late", { after: child.id }, { parent: component });
      Object.assign(urns, { component: component.urn, dependency: dependency.urn, child: child.urn, read: read.urn });
      return {};
    },
  });
  const resolved = await Promise.all(
    Object.entries(urns).map(async ([key, urn]) => [key, await new Promise<string>((resolve) => urn.apply(resolve))] as const),
  );
  return { run, urns: Object.fromEntries(resolved) };
}

test("the wrapped MockMonitor records what the engine would see of each registration", async () => {
  const { run, urns } = await probe();
  const recorded = (name: string) => run.resources.find((r) => r.name === name);
  const child = recorded("probe-child");
  const read = recorded("probe-read");
  const problems: string[] = [];
  const check = (ok: boolean, internal: string, what: string) => {
    if (!ok) problems.push(`${internal}: ${what} (mock-engine/sdk-internals.ts, mock-engine/index.ts runProgram)`);
  };
  check(
    child?.parent === urns.component,
    "RegisterResourceRequest.getParent",
    `the child's parent is ${child?.parent}, not the component ${urns.component}`,
  );
  check(child?.protect === true, "RegisterResourceRequest.getProtect", "protect: true did not reach the monitor");
  check(child?.retainOnDelete === true, "RegisterResourceRequest.getRetainondelete", "retainOnDelete: true did not reach the monitor");
  check(
    child?.dependencies.includes(urns.dependency) === true,
    "RegisterResourceRequest.getDependenciesList",
    `the child's dependencies ${JSON.stringify(child?.dependencies)} lack ${urns.dependency}`,
  );
  check(
    child?.aliases?.[0]?.name === "probe-former",
    "RegisterResourceRequest.getAliasesList with getStore().supportsAliasSpecs",
    `the child's aliases are ${JSON.stringify(child?.aliases)}, not a spec named probe-former`,
  );
  check(
    child?.urn === urns.child,
    "MockMonitor.newUrn",
    `the mock engine computes ${child?.urn}, the SDK gave ${urns.child} (mock-engine/index.ts monitorUrn follows it)`,
  );
  check(
    read?.read === true && read.parent === urns.component,
    "MockMonitor.readResource and ReadResourceRequest",
    `the read is recorded as ${JSON.stringify(read && { read: read.read, parent: read.parent })}`,
  );
  check(recorded("probe-late") !== undefined, "waitForRPCs", "the run returned before a registration waiting on another's output");
  expect(problems).toEqual([]);
});
