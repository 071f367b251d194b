/**
 * The CrossGuard pack over what a deploy would register: the program's resources and, as children of their
 * Chart, every object the charts render (a helm.v4 Chart registers each as its own resource, and Pulumi applies
 * policies to them; a helm.v3 Release's objects are not resources, but the cluster runs them all the same).
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { policyConfigFile } from "../../config/tenancy-shards";
import { evaluate, Finding, ResourceSnapshot } from "../../policy/evaluate";
import { StackRun } from "../../mock-engine";
import { PROJECT_DIR } from "../../config/committed-stacks";
import { snapshotsOf } from "../../test/policy-snapshots";
import { ChartSpec, KubeObject } from "./collect";

export interface RenderedChart {
  readonly spec: ChartSpec;
  readonly objects: readonly KubeObject[];
}

/** The stack's policy levels and values, as deploys use them (a tenancy shard's are its environment's). */
function policyConfigOf(stack: string): PolicyPackConfig {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, policyConfigFile(stack)), "utf8"));
}

/** The Pulumi type token of a Kubernetes object, as the provider registers it (`kubernetes:apps/v1:Deployment`). */
export function typeToken(object: KubeObject): string {
  const groupVersion = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
  return `kubernetes:${groupVersion}:${object.kind}`;
}

export async function checkPolicies(run: StackRun, charts: readonly RenderedChart[]): Promise<Finding[]> {
  const rendered = charts.flatMap(({ spec, objects }) =>
    objects.map((object): ResourceSnapshot => {
      const type = typeToken(object);
      const name = `${spec.resource}:${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;
      return { type, name, urn: `${spec.urn}$${type}::${name}`, props: object, parent: spec.urn, provider: spec.provider };
    }),
  );
  return evaluate([...snapshotsOf(run), ...rendered], policyConfigOf(run.stack));
}
