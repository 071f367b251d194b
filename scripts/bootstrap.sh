#!/usr/bin/env bash
# The first deployment of the platform's AWS accounts (docs/bootstrap.md): the bootstrap project (bootstrap/) for
# admin, then for each spoke admin lists, with its state first in a local file backend (the bucket does not exist
# yet), then moved into the bucket admin's bootstrap created (pulumi stack export / import).
#
#   scripts/bootstrap.sh [--dry-run] [--yes]
#
# --dry-run  prints the commands in order, runs none of them.
# --yes      passes --yes to `pulumi up` (otherwise each update shows its preview and asks).
#
# Environment:
#   PULUMI_CONFIG_PASSPHRASE  required (or PULUMI_CONFIG_PASSPHRASE_FILE, a file holding it): the bootstrap stacks use
#                             the passphrase secrets provider (they hold no secret; the CLI needs a provider all the
#                             same). Keep it in the operators' vault.
#   BOOTSTRAP_LOCAL_STATE     the local backend directory; default ~/.pulumi-bootstrap/k8s-platform.
#   BOOTSTRAP_STATE_PROFILE   AWS profile of the admin account for the bucket; default: the admin bootstrap
#                             stack's k8s-platform-bootstrap:awsProfile.
# Each stack's resources are created with that stack's k8s-platform-bootstrap:awsProfile (bootstrap/Pulumi.<stack>.yaml).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT_DIR="$ROOT/bootstrap"
PROJECT="k8s-platform-bootstrap"
LOCAL_STATE="${BOOTSTRAP_LOCAL_STATE:-$HOME/.pulumi-bootstrap/k8s-platform}"
DRY_RUN=0
UP_FLAGS=()
USAGE="usage: scripts/bootstrap.sh [--dry-run] [--yes]"
# What was given, what is expected, how to go on; exit 2, nothing started.
refuse() {
  printf 'Refused: %s\n%s\n' "$1" "$USAGE" >&2
  exit 2
}
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    --yes) UP_FLAGS+=(--yes) ;;
    *) refuse "unknown argument \"$arg\": expected --dry-run or --yes" ;;
  esac
done

[ -d "$ROOT/node_modules/yaml" ] && [ -d "$ROOT/node_modules/@pulumi/aws" ] || refuse "$ROOT/node_modules is not installed: run npm ci in $ROOT first"
if [ -e "$LOCAL_STATE" ] && [ ! -d "$LOCAL_STATE" ]; then
  refuse "BOOTSTRAP_LOCAL_STATE = \"$LOCAL_STATE\": expected a directory for the local backend, and it is a file"
fi
if [ "$DRY_RUN" = 0 ]; then
  if [ -z "${PULUMI_CONFIG_PASSPHRASE+set}" ]; then
    if [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] && [ ! -f "$PULUMI_CONFIG_PASSPHRASE_FILE" ]; then
      refuse "PULUMI_CONFIG_PASSPHRASE_FILE = \"$PULUMI_CONFIG_PASSPHRASE_FILE\": expected a file holding the bootstrap stacks' passphrase, and there is no such file"
    fi
    [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] ||
      refuse "neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set: expected the bootstrap stacks' passphrase (from the operators' vault) in one of them"
  fi
  command -v pulumi >/dev/null ||
    refuse "the pulumi CLI is not on PATH: install it from https://www.pulumi.com/docs/install/, or here \`bash scripts/toolchain.sh && source .toolchain/env.sh\`"
fi

# admin first: its bootstrap creates the bucket and the keys the spokes' bootstraps refer to.
mapfile -t STACKS < <(cd "$ROOT" && node -e '
  const { parse } = require("yaml");
  const spokes = parse(require("fs").readFileSync("Pulumi.admin.yaml", "utf8"))?.config?.["platform:admin"]?.spokes;
  if (!Array.isArray(spokes)) {
    console.error("Refused: Pulumi.admin.yaml has no platform:admin.spokes: expected the environments admin serves");
    process.exit(2);
  }
  console.log(["admin", ...spokes.map((spoke) => spoke.name)].join("\n"));
')
[ "${#STACKS[@]}" -gt 0 ] || exit 2

run() {
  echo "+ $*"
  if [ "$DRY_RUN" = 0 ]; then "$@"; fi
}

# The backend of the commands that follow, without changing the operator's `pulumi login`.
use_backend() {
  echo "+ export PULUMI_BACKEND_URL=$1"
  export PULUMI_BACKEND_URL="$1"
}

# The value of a command's output, or a placeholder in a dry run (nothing was created to ask).
value_of() {
  local placeholder="$1"; shift
  if [ "$DRY_RUN" = 1 ]; then echo "$placeholder"; else "$@"; fi
}

cd "$PROJECT_DIR"

echo "== 1/2: bootstrap ${STACKS[*]} with the state in file://$LOCAL_STATE"
run mkdir -p "$LOCAL_STATE"
# metadata=skip: no `.attrs` sidecars, which the file backend rewrites in place; one left empty by a killed CLI
# makes the state unreadable ("failed to load checkpoint: EOF", docs/scale.md).
use_backend "file://$LOCAL_STATE?metadata=skip"
for stack in "${STACKS[@]}"; do
  # The first init writes encryptionsalt into bootstrap/Pulumi.<stack>.yaml: commit it.
  run pulumi stack select --create "organization/$PROJECT/$stack"
  run pulumi up --stack "organization/$PROJECT/$stack" "${UP_FLAGS[@]}"
done

echo "== 2/2: move the bootstrap's state into the bucket"
BACKEND_URL="$(value_of "s3://<bucket>?region=<region>" pulumi stack output backendUrl --stack "organization/$PROJECT/admin")"
STATE_PROFILE="${BOOTSTRAP_STATE_PROFILE:-$(value_of "<admin profile>" pulumi config get awsProfile --stack "organization/$PROJECT/admin")}"
for stack in "${STACKS[@]}"; do
  run pulumi stack export --stack "organization/$PROJECT/$stack" --file "$LOCAL_STATE/$stack.json"
done
export AWS_PROFILE="$STATE_PROFILE"
use_backend "$BACKEND_URL"
for stack in "${STACKS[@]}"; do
  # A stack already in the bucket was moved by an earlier run: importing again would overwrite newer state.
  if [ "$DRY_RUN" = 0 ] && pulumi stack ls --project "$PROJECT" --json | node -e '
      const stacks = JSON.parse(require("fs").readFileSync(0, "utf8"));
      process.exit(stacks.some((s) => s.name.split("/").pop() === process.argv[1]) ? 0 : 1);' "$stack"; then
    echo "   $stack is in the bucket already: not imported again"
    continue
  fi
  run pulumi stack init "organization/$PROJECT/$stack"
  run pulumi stack import --stack "organization/$PROJECT/$stack" --file "$LOCAL_STATE/$stack.json"
done
# The moved state must describe the accounts exactly: a preview of each stack changes nothing.
for stack in "${STACKS[@]}"; do
  run pulumi preview --stack "organization/$PROJECT/$stack" --expect-no-changes
done

# Each environment's public zone: its id goes into the platform stack file, its name servers into the parent zone.
output_of() {
  local stack="$1" name="$2"
  if [ "$DRY_RUN" = 1 ]; then echo "<$name of $stack>"; return; fi
  pulumi stack output "$name" --json --stack "organization/$PROJECT/$stack" |
    node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(typeof v === "string" ? v : JSON.stringify(v))'
}
echo "== each environment's public zone (docs/bootstrap.md, \"The public zone\")"
for stack in "${STACKS[@]}"; do
  echo "   $stack: in Pulumi.$stack.yaml set platform:environment.hostedZoneId: $(output_of "$stack" hostedZoneId); in the parent zone of $(output_of "$stack" hostedZoneName), as its administrator:"
  echo "     aws route53 change-resource-record-sets --hosted-zone-id <parent zone id> --change-batch '$(output_of "$stack" parentZoneDelegation)'"
done

echo "== done. The local copy stays in $LOCAL_STATE until you delete it (docs/bootstrap.md, step 4)."
echo "   PULUMI_BACKEND_URL=$BACKEND_URL"
