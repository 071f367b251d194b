/**
 * Outputs one stack publishes for the stacks of other accounts, without secrets: one JSON object in the state
 * bucket, beside the publisher's state. A StackReference would read the publisher's checkpoint instead, for which
 * the engine builds the publisher's secrets manager (pulumi/pulumi pkg/resource/stack/deployment.go,
 * `DeserializeStackOutputs`): its readers would need the publisher's KMS key and could decrypt every secret of its
 * state. The state bucket's policy grants the readers this one object (bootstrap/bucket-policy.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { backendBucket } from "../../lib/backend-url";

/** Where the outputs of a stack `<project>/<stack>` are published in the state bucket. */
export function publishedOutputsKey(project: string, stack: string): string {
  return `published/${project}/${stack}.json`;
}

export interface PublishedOutputsArgs {
  readonly awsProvider: aws.Provider;
  /** The publisher's backend: the state bucket. */
  readonly backendUrl: string;
  readonly key: string;
  /** What is published, by name: plain values only (a secret one stops the update). */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

/**
 * Publishes the outputs, after checking that none is secret: the document is readable by every role the bucket
 * policy grants it, in plain text, so a secret value stops the run (naming it) before anything is published.
 */
export async function publishOutputs(
  name: string,
  args: PublishedOutputsArgs,
  opts?: pulumi.ComponentResourceOptions,
): Promise<PublishedOutputs> {
  const secret: string[] = [];
  for (const [output, value] of Object.entries(args.outputs)) if (await pulumi.isSecret(pulumi.output(value))) secret.push(output);
  if (secret.length > 0) {
    const { bucket } = backendBucket(args.backendUrl);
    throw new pulumi.RunError(
      `The outputs published at s3://${bucket}/${args.key} would include secrets (${secret.sort().join(", ")}): every role ` +
        "granted that document reads it in plain text; publish only values that are not secret",
    );
  }
  return new PublishedOutputs(name, args, opts);
}

/** The published document; made by publishOutputs, which refuses secrets. */
export class PublishedOutputs extends pulumi.ComponentResource {
  readonly url: string;

  constructor(name: string, args: PublishedOutputsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws-account:PublishedOutputs", name, {}, opts);
    const { bucket, region } = backendBucket(args.backendUrl);
    this.url = `s3://${bucket}/${args.key}`;
    new aws.s3.BucketObjectv2(
      `${name}-document`,
      {
        bucket,
        key: args.key,
        region,
        // A content type the AWS provider's s3.getObject returns as `body` (object_data_source.go, isContentTypeAllowed).
        contentType: "application/json",
        content: jsonDocument(args.outputs),
      },
      { parent: this, provider: args.awsProvider },
    );
    this.registerOutputs({ url: this.url });
  }
}

/** The outputs as one JSON object, keys sorted. */
export function jsonDocument(outputs: Record<string, pulumi.Input<unknown>>): pulumi.Output<string> {
  const sorted = Object.fromEntries(
    Object.keys(outputs)
      .sort()
      .map((name) => [name, outputs[name]]),
  );
  return pulumi.all(sorted).apply((document) => `${JSON.stringify(document, undefined, 2)}\n`);
}

export interface ReadPublishedOutputsArgs {
  readonly awsProvider: aws.Provider;
  /** The publisher's backend: the state bucket. */
  readonly backendUrl: string;
  readonly key: string;
  /** The stack that publishes them, for the error message: what to deploy first. */
  readonly publisher: string;
  /** The stack reading them, for the error message. */
  readonly reader: string;
  /** Names the reader needs; a document without one of them is from an older version of the program. */
  readonly required: readonly string[];
}

/**
 * Reads another stack's published outputs with the reader's own credentials (its deploy or preview role, which the
 * bucket policy grants that one object), before anything is registered: a missing document stops the run with
 * what to do, instead of an error half-way through an update. The data source reads the object with HeadObject and
 * GetObject only (terraform-provider-aws internal/service/s3/object_data_source.go).
 */
export async function readPublishedOutputs(args: ReadPublishedOutputsArgs): Promise<Record<string, unknown>> {
  const { bucket, region } = backendBucket(args.backendUrl);
  const url = `s3://${bucket}/${args.key}`;
  const failure = (what: string, todo: string) =>
    new pulumi.RunError(
      `Stack "${args.reader}": the outputs ${args.publisher} publishes for it, ${url}, ${what}; ${todo} (nothing was deployed)`,
    );
  let body: string;
  try {
    body = (await aws.s3.getObject({ bucket, key: args.key, region }, { provider: args.awsProvider })).body;
  } catch (error) {
    const reason = String((error as Error)?.message ?? error);
    if (/couldn't find resource|NotFound|NoSuchKey|\b404\b/.test(reason)) {
      throw failure(
        "do not exist yet",
        `deploy ${args.publisher} first with this version of the program: every update of it publishes them`,
      );
    }
    throw failure(
      `cannot be read (${reason
        .trim()
        .split("\n")
        .pop()!
        .replace(/^\s*\*\s*/, "")})`,
      "the bootstrap's bucket policy grants this environment's roles that object: check the credentials and the bootstrap of admin (docs/bootstrap.md)",
    );
  }
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw failure("are not a JSON object", `deploy ${args.publisher} again to rewrite them`);
  }
  const missing = args.required.filter((name) => document[name] === undefined);
  if (missing.length > 0) {
    throw failure(`lack ${missing.join(", ")}`, `deploy ${args.publisher} first with this version of the program`);
  }
  return document;
}
