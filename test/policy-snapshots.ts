/** A mock run's resources as the policy pack sees them (policy/evaluate.ts), with references resolved. */
import { ResourceSnapshot } from "../policy/evaluate";
import { StackRun } from "../mock-engine";

/**
 * How a resource is referred to: the mock engine names a nested resource by its whole parent chain, as the engine
 * does, while the mock SDK refers to it (as a parent, provider or dependency) through its direct parent's
 * type only, and a provider reference ends in `::<id>`. Both agree on the last two types and the name.
 */
function referenceKey(urn: string): string {
  const [stackPart, project, qualifiedType, name] = urn.split("::");
  return [stackPart, project, qualifiedType.split("$").slice(-2).join("$"), name].join("::");
}

export function snapshotsOf(run: StackRun): ResourceSnapshot[] {
  const urnByKey = new Map(run.resources.map((r) => [referenceKey(r.urn), r.urn]));
  const resolve = (reference: string) => urnByKey.get(referenceKey(reference)) ?? reference;
  return run.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
    parent: r.parent && resolve(r.parent),
    provider: r.provider && resolve(r.provider),
    protect: r.protect,
    dependencies: r.dependencies.map(resolve),
  }));
}
