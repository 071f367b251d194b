import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Naming } from "../../lib/naming";
import { denyPlainHttp, privateBucket } from "../aws-account/private-bucket";

export interface FlowLogsArgs {
  readonly awsProvider: aws.Provider;
  readonly naming: Naming;
  readonly vpcId: pulumi.Input<string>;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Days a record is kept: S3 expires it afterwards. */
  readonly retentionDays: number;
  /** Keep (and refuse to delete) the bucket when the stack is destroyed: traffic records are audit evidence. */
  readonly retain: boolean;
}

/** Parts of an upload that never completed are removed after this many days. */
const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

/**
 * Every accepted and rejected connection of the VPC, as hourly Parquet files in an S3 bucket that expires them
 * after the retention. S3 rather than CloudWatch Logs: vended-log delivery to S3 costs a fraction of CloudWatch
 * ingestion per GB, storage is cheaper again, and Athena reads Parquet with Hive partitions directly. Delivery to
 * S3 needs no IAM role: the log delivery service writes under `AWSLogs/<account>/` as the bucket policy allows.
 */
export class FlowLogs extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:FlowLogs", name, {}, opts);
    const childOpts = { parent: this, provider: args.awsProvider };
    const stateful = { ...childOpts, protect: args.retain, retainOnDelete: args.retain };
    // Bucket names are global: account and region make this one unique.
    const bucketName = args.naming.resource("flow-logs", args.accountId, args.region);
    const bucketArn = `arn:${args.partition}:s3:::${bucketName}`;

    // SSE-S3: the log delivery service writes without any key policy to maintain. Versioned like every bucket
    // here (policy pack); a deleted or overwritten record is kept one more day only.
    const { bucket, publicAccess } = privateBucket(name, { bucketName, tags: args.naming.tags(), forceDestroy: !args.retain }, stateful);
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-records",
            status: "Enabled",
            filter: {},
            expiration: { days: args.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
          },
          // A delete marker left alone once its versions expired (expiredObjectDeleteMarker cannot share a rule with days).
          { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
        ],
      },
      stateful,
    );
    // The statements of "Amazon S3 bucket permissions for flow logs" (VPC User Guide), limited to this account's
    // log deliveries (confused-deputy protection), plus TLS only.
    const fromThisAccount = {
      StringEquals: { "aws:SourceAccount": args.accountId },
      ArnLike: { "aws:SourceArn": `arn:${args.partition}:logs:${args.region}:${args.accountId}:*` },
    };
    const delivery = new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AWSLogDeliveryWrite",
              Effect: "Allow",
              Principal: { Service: "delivery.logs.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: `${bucketArn}/AWSLogs/${args.accountId}/*`,
              Condition: {
                ...fromThisAccount,
                StringEquals: { ...fromThisAccount.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" },
              },
            },
            {
              Sid: "AWSLogDeliveryAclCheck",
              Effect: "Allow",
              Principal: { Service: "delivery.logs.amazonaws.com" },
              Action: "s3:GetBucketAcl",
              Resource: bucketArn,
              Condition: fromThisAccount,
            },
            denyPlainHttp(bucketArn),
          ],
        }),
      },
      // After the access block: S3 aborts concurrent changes to a bucket's policy and its access block.
      { ...stateful, dependsOn: publicAccess },
    );
    new aws.ec2.FlowLog(
      `${name}-vpc`,
      {
        vpcId: args.vpcId,
        trafficType: "ALL",
        logDestinationType: "s3",
        logDestination: bucket.arn,
        destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
        tags: { Name: args.naming.resource("vpc-flow-logs") },
      },
      // Without the bucket policy in place the first delivery fails and the flow log reports an error state.
      { ...childOpts, dependsOn: [delivery] },
    );

    this.bucketName = bucket.bucket;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
