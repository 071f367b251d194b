import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BackupsConfig } from "../../config/sections/services";
import { chartServiceAccount, IrsaChartArgs } from "../irsa";
import { platformNamespace } from "../tenancy";
import { throughMirror } from "../../lib/images";
import { CHARTS, chartSource, IMAGES, splitImage } from "../../lib/versions";
import { backupBucket } from "./bucket";
import { veleroPolicy } from "./policy";
import { VELERO_CLUSTER_ROLE, veleroClusterRole } from "./rbac";
import { backupSpec, SNAPSHOT_LOCATION, STORAGE_LOCATION, VELERO_NAMESPACE } from "./spec";

export { preChangeBackup, preChangeBackupName, VELERO_NAMESPACE } from "./spec";

export interface BackupsArgs extends IrsaChartArgs {
  readonly config: BackupsConfig;
  /** Protect and retain the bucket: losing it loses every backup (prod). */
  readonly protect: boolean;
}

/** Velero with its S3 bucket: scheduled backups of Kubernetes objects plus EBS snapshots of persistent volumes. */
export class Backups extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:backups:Backups", name, {}, opts);
    const { naming, config } = args;
    const bucketName = naming.resource("velero", args.aws.accountId, args.aws.region);
    const bucket = backupBucket(this, name, {
      awsProvider: args.awsProvider,
      naming,
      bucketName,
      partition: args.aws.partition,
      noncurrentVersionDays: config.noncurrentVersionDays,
      protect: args.protect,
    });
    const { roleArn, serviceAccount } = chartServiceAccount(this, name, args, {
      purpose: "velero",
      namespace: VELERO_NAMESPACE,
      serviceAccount: "velero",
      policy: JSON.stringify(veleroPolicy(args.aws, bucketName)),
    });
    const namespace = platformNamespace(this, { provider: args.provider, naming, name: VELERO_NAMESPACE, podSecurity: "restricted" });

    const clusterRole = veleroClusterRole(this, name, args.provider, naming);
    const image = (reference: string) => throughMirror(reference, args.registryMirrors);

    const containerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    // helm.v4 Chart: its CRDs (the chart's crds/ directory) are then applied and upgraded like any other object,
    // which Helm never does for crds/; so the chart's CRD-upgrade hook Job is switched off.
    new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        ...chartSource(CHARTS.velero),
        namespace: VELERO_NAMESPACE,
        name: "velero",
        values: {
          image: splitImage(image(IMAGES.velero)),
          rbac: { clusterAdministratorName: VELERO_CLUSTER_ROLE },
          initContainers: [
            {
              name: "velero-plugin-for-aws",
              image: image(IMAGES.veleroPluginForAws),
              imagePullPolicy: "IfNotPresent",
              volumeMounts: [{ mountPath: "/target", name: "plugins" }],
              securityContext: containerSecurity,
            },
          ],
          upgradeCRDs: false,
          // fsGroup lets the non-root server read the projected web identity token.
          podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containerSecurityContext: containerSecurity,
          credentials: { useSecret: false },
          serviceAccount: { server: serviceAccount },
          configuration: {
            backupStorageLocation: [
              {
                name: STORAGE_LOCATION,
                provider: "aws",
                bucket: bucket.bucket,
                default: true,
                accessMode: "ReadWrite",
                config: { region: args.aws.region },
              },
            ],
            volumeSnapshotLocation: [{ name: SNAPSHOT_LOCATION, provider: "aws", config: { region: args.aws.region } }],
          },
          backupsEnabled: true,
          snapshotsEnabled: true,
          // EBS snapshots cover the volumes; no file-level copies through a privileged node agent.
          deployNodeAgent: false,
          schedules: Object.fromEntries(
            config.schedules.map((s) => [
              s.name,
              {
                disabled: false,
                schedule: s.cron,
                // Backups outlive their Schedule object, so replacing the chart never deletes backups.
                useOwnerReferencesInBackup: false,
                template: backupSpec(s.ttl, s.includedNamespaces),
              },
            ]),
          ),
        },
      },
      { parent: this, provider: args.provider, dependsOn: [namespace, clusterRole] },
    );

    this.bucketName = bucket.bucket;
    this.registerOutputs({ bucketName: this.bucketName, roleArn });
  }
}
