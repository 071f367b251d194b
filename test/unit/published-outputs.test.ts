/**
 * The document one stack publishes for another account's stacks (components/aws-account/published-outputs.ts):
 * never a secret in it, and a reader that cannot read it stops with what to do.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { jsonDocument, publishOutputs, readPublishedOutputs } from "../../components/aws-account/published-outputs";

let answer: () => Record<string, unknown> = () => ({});
void pulumi.runtime.setMocks(
  {
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: () => answer(),
  },
  "k8s-platform",
  "prod",
);
const provider = () => new aws.Provider("aws", { region: "eu-west-1" });
/** The value of an output. */
const valueOf = (output: pulumi.Output<string>) => new Promise<string>((resolve) => output.apply(resolve));

test("the document is the outputs as a JSON object", async () => {
  await expect(valueOf(jsonDocument({ b: pulumi.output(["x"]), a: "1" }))).resolves.toBe('{\n  "a": "1",\n  "b": [\n    "x"\n  ]\n}\n');
});

test("a secret value stops the run, naming it, before anything is published", async () => {
  const outputs = { a: "1", key: pulumi.secret("private"), token: pulumi.output("t").apply((t) => pulumi.secret(t)) };
  await expect(
    publishOutputs("published", {
      awsProvider: provider(),
      backendUrl: "s3://example-pulumi-state?region=eu-west-1",
      key: "k.json",
      outputs,
    }),
  ).rejects.toThrow(
    "The outputs published at s3://example-pulumi-state/k.json would include secrets (key, token): every role granted that " +
      "document reads it in plain text; publish only values that are not secret",
  );
});

describe("a reader", () => {
  const read = () =>
    readPublishedOutputs({
      awsProvider: provider(),
      backendUrl: "s3://example-pulumi-state?region=eu-west-1",
      key: "published/k8s-platform/admin.json",
      publisher: "organization/k8s-platform/admin",
      reader: "prod",
      required: ["vpcCidr"],
    });

  test("gets the document", async () => {
    answer = () => ({ body: '{"vpcCidr": "10.0.0.0/16"}' });
    await expect(read()).resolves.toEqual({ vpcCidr: "10.0.0.0/16" });
  });

  test("refused the object is told what grants it", async () => {
    const details =
      "invocation of aws:s3/getObject:getObject returned an error: invoking aws:s3/getObject:getObject: 1 error occurred:\n" +
      "\t* reading S3 Bucket (example-pulumi-state) Object (published/k8s-platform/admin.json): operation error S3: HeadObject, https response error StatusCode: 403, api error Forbidden: Forbidden";
    answer = () => {
      throw Object.assign(new Error(details), { details });
    };
    await expect(read()).rejects.toThrow(
      'Stack "prod": the outputs organization/k8s-platform/admin publishes for it, s3://example-pulumi-state/published/k8s-platform/admin.json, ' +
        "cannot be read (reading S3 Bucket (example-pulumi-state) Object (published/k8s-platform/admin.json): operation error S3: HeadObject, " +
        "https response error StatusCode: 403, api error Forbidden: Forbidden); the bootstrap's bucket policy grants this environment's roles " +
        "that object: check the credentials and the bootstrap of admin (docs/bootstrap.md) (nothing was deployed)",
    );
  });

  test("of something that is not JSON is told to have it rewritten", async () => {
    answer = () => ({ body: "<html>" });
    await expect(read()).rejects.toThrow(/are not a JSON object; deploy organization\/k8s-platform\/admin again to rewrite them/);
  });
});
