import { AwsScope } from "../irsa";

/** Describe calls of EC2 accept no resource-level permissions, so they can only be granted on "*". */
export const UNSCOPABLE_DESCRIBE_ACTIONS = ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"];

/** The tag Velero puts on every snapshot it takes (its backup's name), used to confine deletes to those. */
const VELERO_SNAPSHOT_TAG = "velero.io/backup";

/**
 * Velero's permissions (velero-plugin-for-aws README), narrowed: objects of its own bucket only; snapshots of
 * this account's volumes in this region; tags only while creating a snapshot or volume; deleting and restoring
 * only snapshots Velero tagged.
 */
export function veleroPolicy(scope: AwsScope, bucketName: string) {
  const { partition, region, accountId } = scope;
  const bucket = `arn:${partition}:s3:::${bucketName}`;
  const volumes = `arn:${partition}:ec2:${region}:${accountId}:volume/*`;
  const snapshots = `arn:${partition}:ec2:${region}::snapshot/*`;
  const veleroSnapshots = { Null: { [`aws:ResourceTag/${VELERO_SNAPSHOT_TAG}`]: "false" } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "BackupObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: `${bucket}/*`,
      },
      { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket },
      { Sid: "DescribeVolumesAndSnapshots", Effect: "Allow", Action: UNSCOPABLE_DESCRIBE_ACTIONS, Resource: "*" },
      { Sid: "SnapshotVolumes", Effect: "Allow", Action: "ec2:CreateSnapshot", Resource: volumes },
      {
        Sid: "CreateTaggedSnapshots",
        Effect: "Allow",
        Action: "ec2:CreateSnapshot",
        Resource: snapshots,
        Condition: { Null: { [`aws:RequestTag/${VELERO_SNAPSHOT_TAG}`]: "false" } },
      },
      {
        Sid: "TagOnCreate",
        Effect: "Allow",
        Action: "ec2:CreateTags",
        Resource: [snapshots, volumes],
        Condition: { StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateVolume"] } },
      },
      { Sid: "DeleteVeleroSnapshots", Effect: "Allow", Action: "ec2:DeleteSnapshot", Resource: snapshots, Condition: veleroSnapshots },
      { Sid: "RestoreVolumes", Effect: "Allow", Action: "ec2:CreateVolume", Resource: volumes },
      { Sid: "RestoreFromVeleroSnapshots", Effect: "Allow", Action: "ec2:CreateVolume", Resource: snapshots, Condition: veleroSnapshots },
    ],
  };
}
