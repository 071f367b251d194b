/**
 * Where the Pulumi DIY backend keeps a project-scoped stack in a bucket, so that the bucket policy can give each
 * environment's role its own stack's objects and nothing else. Read from pulumi/pulumi, pkg/backend/diy (commit
 * 1b59498 of August 2026; the layout is version 1 of the store, `.pulumi/meta.yaml` says which):
 *
 * - meta.go, `pulumiMetaPath` / `ensurePulumiMeta`: every CLI run reads `.pulumi/meta.yaml`; when it is missing
 *   the CLI writes it (version 1 for an empty bucket), so the bootstrap writes it and the roles only read it.
 * - store.go, `projectReferenceStore.StackBasePath`: the checkpoint is `.pulumi/stacks/<project>/<stack>.json`
 *   (`.json.gz` / `.json.zst` with compression on); `HistoryDir` and `BackupDir` are
 *   `.pulumi/history/<project>/<stack>/` and `.pulumi/backups/<project>/<stack>/`.
 * - state.go, `saveCheckpoint` / `backupTarget`: before each write the checkpoint is copied to `<file>.bak`;
 *   `addToHistory` writes `<stack>-<nanos>.history.json` and copies the checkpoint to `<stack>-<nanos>.checkpoint.json`
 *   in the history directory (S3 CopyObject: read of the source, write of the copy, both the stack's own keys).
 * - lock.go, `stackLockDir` / `lockPath`: locks are `.pulumi/locks/organization/<project>/<stack>/<uuid>.json`,
 *   written at the start of an update and deleted at its end (`pulumi cancel` deletes them too).
 * - stack_tags.go, `stackTagsPath`: stack tags are `<StackBasePath>.pulumi-tags`.
 * - backend.go `New` lists `.pulumi/stacks/` (legacy-layout warning) and state.go `stackPath` lists the stack's
 *   checkpoint prefix, so every role needs `s3:ListBucket`; listing shows key names, never contents.
 *
 * With `PULUMI_RETAIN_CHECKPOINTS` the CLI also keeps `<stack>.json.<nanos>` per write; `<stack>.*` covers it.
 * test/e2e/bootstrap-state-layout.test.ts checks these keys against what the CLI writes.
 */

export const META_KEY = ".pulumi/meta.yaml";
/** The store version the bootstrap writes: project-scoped stacks (meta.go: version 1). */
export const META_CONTENT = "version: 1\n";

/**
 * The stack's checkpoint in every form (`.json`, `.json.gz`, `.json.zst`, and the `.bak` of each): what a
 * StackReference or a preview reads. A pattern rather than the six names: S3 allows a bucket policy 20 KB.
 */
export function checkpointKeys(project: string, stack: string): string {
  return `.pulumi/stacks/${project}/${stack}.json*`;
}

/**
 * Every key (patterns with `*`) an update of the stack writes or deletes: its checkpoint and the backups of it,
 * its tags, history, backups and locks. `<stack>.*` also matches a stack named `<stack>.<more>`: such a stack
 * would be that environment's to write, never another's.
 */
export function stackStateKeys(project: string, stack: string): string[] {
  return [
    `.pulumi/stacks/${project}/${stack}.*`,
    `.pulumi/history/${project}/${stack}/*`,
    `.pulumi/backups/${project}/${stack}/*`,
    `.pulumi/locks/organization/${project}/${stack}/*`,
  ];
}

/**
 * An environment's keys: its own stack's and those of its tenancy shards, `<stack>-tenancy-<n>`
 * (config/tenancy-shards.ts), which its roles deploy and preview as the environment. In a bucket policy `*` matches
 * `/` too, so `<stack>-tenancy-*` covers a shard's history, backup and lock directories.
 */
export function environmentStateKeys(project: string, stack: string): string[] {
  const shards = `${stack}-tenancy-*`;
  return [
    ...stackStateKeys(project, stack),
    `.pulumi/stacks/${project}/${shards}`,
    `.pulumi/history/${project}/${shards}`,
    `.pulumi/backups/${project}/${shards}`,
    `.pulumi/locks/organization/${project}/${shards}`,
  ];
}

export { backendUrl } from "../lib/backend-url";
