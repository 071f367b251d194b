/** What every Velero backup of the platform looks like, scheduled or taken by hand before a risky change. */
import { toGoDuration } from "../../lib/duration";
import { LABEL_PREFIX } from "../../lib/naming";

export const VELERO_NAMESPACE = "velero";
/** Names of the chart's BackupStorageLocation (the S3 bucket) and VolumeSnapshotLocation (EBS snapshots). */
export const STORAGE_LOCATION = "default";
export const SNAPSHOT_LOCATION = "default";

/** Velero `BackupSpec`: the resources of the namespaces plus an EBS snapshot of every persistent volume. */
export function backupSpec(ttl: string, includedNamespaces: readonly string[]) {
  return {
    ttl: toGoDuration(ttl),
    includedNamespaces: [...includedNamespaces],
    snapshotVolumes: true,
    storageLocation: STORAGE_LOCATION,
    volumeSnapshotLocations: [SNAPSHOT_LOCATION],
  };
}

/** Label on backups taken by `npm run backup`; Velero copies backup labels onto the EBS snapshots' tags. */
export const TRIGGER_LABEL = `${LABEL_PREFIX}/backup-trigger`;

/** `pre-change-20260314-091500`: sortable, unique per second, a valid object name. */
export function preChangeBackupName(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `pre-change-${stamp}`;
}

export interface PreChangeBackupOptions {
  readonly name: string;
  readonly ttl: string;
  readonly includedNamespaces: readonly string[];
}

/** The `Backup` object `npm run backup` creates in the cluster. */
export function preChangeBackup({ name, ttl, includedNamespaces }: PreChangeBackupOptions) {
  return {
    apiVersion: "velero.io/v1",
    kind: "Backup",
    metadata: { name, namespace: VELERO_NAMESPACE, labels: { [TRIGGER_LABEL]: "pre-change" } },
    spec: backupSpec(ttl, includedNamespaces),
  };
}
