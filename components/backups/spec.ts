/** What every Velero backup of the platform looks like, scheduled or taken by hand before a risky change. */
import { LABEL_PREFIX } from "../../lib/naming";

export const VELERO_NAMESPACE = "velero";
/** Names of the chart's BackupStorageLocation (the S3 bucket) and VolumeSnapshotLocation (EBS snapshots). */
export const STORAGE_LOCATION = "default";
export const SNAPSHOT_LOCATION = "default";

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * A config duration (`90m`, `48h`, `30d`, `2w`) as Go prints a `time.Duration` (`1h30m0s`, `48h0m0s`,
 * `720h0m0s`): Velero stores TTLs in that form, so anything else would show as a diff on every update.
 */
export function toGoDuration(duration: string): string {
  const match = /^([0-9]+)(s|m|h|d|w)$/.exec(duration);
  if (!match) throw new Error(`expected a duration such as 90m, 48h or 30d, got "${duration}"`);
  const total = Number(match[1]) * SECONDS[match[2]];
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

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
