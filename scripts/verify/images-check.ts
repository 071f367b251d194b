/**
 * `verify --images`: every image the verified objects run, resolved to its digest at its registry (at its
 * upstream when it comes through an ECR pull-through cache), and every EKS add-on build the stack installs,
 * checked against what EKS offers. Added to the report: a missing image or build fails verify, and so does what
 * could not be checked, unless `--images-unchecked-ok` accepts it (then the verdict says how much was not checked).
 */
import { StackRun } from "../../mock-engine";
import { checkAddons, stackAddons } from "./images-addons";
import { cacheRulesOf, SourcedObject, stackImages } from "./images";
import { RegistryResolver, ResolverOptions } from "./images-registry";
import { CheckedImage, ImageCheck, imageFailures } from "./images-report";
import { Report } from "./report";
import { evaluateAt } from "./run";

export interface ImageCheckOptions {
  readonly uncheckedAccepted: boolean;
  /** Where the aws CLI runs (its PATH and credentials). */
  readonly env: NodeJS.ProcessEnv;
  readonly resolver?: ResolverOptions;
}

const CONCURRENCY = 6;

/**
 * The report with the images' and add-ons' tables and their failures. The objects are those verify rendered and
 * admitted; the stack is evaluated again as verify evaluated it (the same config, minor and chart mirror) for
 * its cache rules and add-ons.
 */
export async function withImages(
  report: Report,
  options: ImageCheckOptions & { readonly kubernetesMinor?: string; readonly mirror: string },
): Promise<Report> {
  const run = await evaluateAt(report.stack, options.kubernetesMinor, options.mirror);
  const check = await checkImages(
    run,
    report.outcomes.map((o) => o.candidate),
    options,
  );
  return { ...report, images: check, failures: [...report.failures, ...imageFailures(report.stack, check)] };
}

/** `run`: the stack's evaluation, for its cache rules and add-ons; `objects`: what it puts into the cluster. */
export async function checkImages(run: StackRun, objects: readonly SourcedObject[], options: ImageCheckOptions): Promise<ImageCheck> {
  const images = stackImages(objects, cacheRulesOf(run));
  const resolver = new RegistryResolver(options.resolver);
  const checked: CheckedImage[] = new Array(images.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < images.length; i = next++)
      checked[i] = { ...images[i], resolution: await resolver.resolve(images[i].upstream) };
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const addons = await checkAddons(stackAddons(run), options.env);
  return { images: checked, addons, uncheckedAccepted: options.uncheckedAccepted };
}
