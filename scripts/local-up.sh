#!/usr/bin/env bash
# scripts/local-up.sh — deploy the `local` stack (the platform layer: teams, RBAC, quotas, network policies)
# in one command, with nothing to install by hand and no account anywhere (`npm run local:up`).
#
#   scripts/local-up.sh                          # to a throwaway control plane in .toolchain/cluster
#   scripts/local-up.sh --current-context [--yes] # to the cluster of your current kube context (asks first)
#   scripts/local-up.sh [...] -- --diff          # anything after `--` is passed to `pulumi up`
#
# 1. the toolchain (scripts/toolchain.sh) if .toolchain is incomplete, then `source .toolchain/env.sh`;
# 2. the control plane (scripts/control-plane.sh start .toolchain/cluster), unless --current-context;
# 3. state in a file backend, .toolchain/state/<target> (PULUMI_BACKEND_URL; your `pulumi login` is untouched),
#    secrets with the passphrase provider: PULUMI_CONFIG_PASSPHRASE, default "local";
# 4. `pulumi up` of stack `local` with a generated copy of Pulumi.local.yaml in .toolchain/local/<target>/,
#    so that the committed file stays as it is: the copy points platform:cluster.kubeconfig at the chosen
#    cluster and holds the stack's encryption salt.
#
# Stop the control plane with `bash scripts/control-plane.sh stop .toolchain/cluster`; delete everything
# with `rm -rf .toolchain/cluster .toolchain/state .toolchain/local`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TC="$ROOT/.toolchain"
STACK=local
say() { printf '[local-up] %s\n' "$*" >&2; }

USAGE="usage: npm run local:up -- [--current-context [--yes]] [-- <pulumi up arguments>]"
# A usage error: what was given, what is expected, the usage line; exit 2, nothing started.
refuse() {
  printf '[local-up] Refused: %s\n%s\n' "$1" "$USAGE" >&2
  exit 2
}

TARGET=throwaway
YES=0
UP_ARGS=()
while (($#)); do
  case $1 in
    --current-context) TARGET=current-context ;;
    --yes | -y) YES=1 ;;
    --) shift; UP_ARGS=("$@"); break ;;
    -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) refuse "unknown argument \"$1\": expected --current-context, --yes, --help, or -- before pulumi up's own" ;;
  esac
  shift
done
if [[ $TARGET == current-context ]]; then
  # The kubeconfig kubectl reads first, checked before the toolchain is built.
  if [[ -n ${KUBECONFIG:-} ]]; then
    [[ -f ${KUBECONFIG%%:*} ]] || refuse "KUBECONFIG = \"$KUBECONFIG\": expected a kubeconfig file as its first entry, and there is no such file"
  else
    [[ -f $HOME/.kube/config ]] || refuse "$HOME/.kube/config (KUBECONFIG is not set): expected a kubeconfig file, and there is no such file"
  fi
fi
# Separate state per target: a stack moved between clusters would replace (delete) every object.
STATE="$TC/state/$TARGET"
WORK="$TC/local/$TARGET"

T0=$(date +%s)
toolchain_complete() {
  [[ -f $TC/env.sh ]] || return 1
  local tool
  for tool in pulumi pulumi-language-nodejs etcd kube-apiserver kube-controller-manager kubectl; do
    [[ -x $TC/bin/$tool ]] || return 1
  done
  # shellcheck disable=SC1091
  (source "$TC/env.sh" && [[ -x $PULUMI_HOME/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_PLUGIN_VERSION/pulumi-resource-kubernetes ]])
}
if ! toolchain_complete; then
  say "toolchain incomplete: running scripts/toolchain.sh (the first run builds from source and takes long)"
  bash "$ROOT/scripts/toolchain.sh"
fi
# shellcheck disable=SC1091
source "$TC/env.sh"
# metadata=skip: no `.attrs` sidecar beside each state file, which the file backend writes in place, so that an
# update killed mid-write cannot leave the state unreadable ("failed to load checkpoint: EOF"; docs/scale.md).
export PULUMI_BACKEND_URL="file://$STATE?metadata=skip"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-local}"
# `npm test` type-checks the program; the engine only runs it, which is several times faster without tsc.
export PULUMI_NODEJS_TRANSPILE_ONLY="${PULUMI_NODEJS_TRANSPILE_ONLY:-true}"
# The state is written once, at the end of an update, not after every step: the file backend rewrites the whole
# state each time, which grows with the square of the number of teams. Sound here because the stack holds only
# Kubernetes objects created by server-side apply: an update that dies midway is converged by the next one
# (docs/scale.md, test/e2e/skip-checkpoints.test.ts).
export PULUMI_SKIP_CHECKPOINTS="${PULUMI_SKIP_CHECKPOINTS:-true}"

if [[ $TARGET == current-context ]]; then
  mkdir -p "$WORK"
  # One file with only the current context, so that a later context switch cannot redirect this stack.
  KUBECONFIG_FILE="$WORK/kubeconfig"
  (umask 077 && kubectl config view --raw --flatten --minify >"$KUBECONFIG_FILE")
  say "deploying to the current kube context: $(kubectl config current-context)"
  ((YES)) && UP_ARGS=(--yes --non-interactive "${UP_ARGS[@]}")
else
  # A control plane without etcd data is a new, empty cluster: the state of the previous one is obsolete
  # (its objects are gone with it), and keeping it would make the next update fail deleting them.
  if [[ ! -d $TC/cluster/etcd/member && -d $STATE ]]; then
    say "new control plane: starting the stack's state afresh (the previous cluster is gone)"
    rm -rf "$STATE" "$WORK"
  fi
  KUBECONFIG_FILE=$(bash "$ROOT/scripts/control-plane.sh" start "$TC/cluster")
  say "deploying to the throwaway control plane in .toolchain/cluster"
  UP_ARGS=(--yes --non-interactive "${UP_ARGS[@]}")
fi
mkdir -p "$STATE" "$WORK"

# The stack is created in a directory holding only Pulumi.yaml, because `pulumi stack init` writes the
# encryption salt into the stack file next to it, which must not be the committed one.
if ! (cd "$ROOT" && pulumi stack ls --json 2>/dev/null) | grep -q "\"name\": \"$STACK\""; then
  mkdir -p "$WORK/init"
  cp "$ROOT/Pulumi.yaml" "$WORK/init/Pulumi.yaml"
  (cd "$WORK/init" && pulumi stack init "$STACK" --secrets-provider passphrase --non-interactive)
  sed -n 's/^encryptionsalt: *//p' "$WORK/init/Pulumi.$STACK.yaml" >"$WORK/encryptionsalt"
fi
[[ -s $WORK/encryptionsalt ]] || { say "no encryption salt in $WORK/encryptionsalt: remove $STATE and run again"; exit 1; }

# The generated stack file: the committed one, the kubeconfig, the salt, and the secrets set earlier with
# `pulumi config set --secret --config-file <generated file> ...` (keys the committed file lacks).
CONFIG_FILE="$WORK/Pulumi.$STACK.yaml"
# shellcheck disable=SC2016 # the JavaScript's template literal is not a shell expansion
(cd "$ROOT" && node -e '
  const fs = require("fs");
  const YAML = require("yaml");
  const [committedFile, generatedFile, kubeconfig, salt] = process.argv.slice(1);
  const doc = YAML.parseDocument(fs.readFileSync(committedFile, "utf8"));
  const previous = fs.existsSync(generatedFile) ? YAML.parse(fs.readFileSync(generatedFile, "utf8")) : {};
  const isSecret = (value) => JSON.stringify(value ?? null).includes("\"secure\"");
  for (const [key, value] of Object.entries(previous?.config ?? {})) {
    if (!doc.hasIn(["config", key]) && isSecret(value)) doc.setIn(["config", key], doc.createNode(value));
  }
  doc.setIn(["config", "platform:cluster", "kubeconfig"], kubeconfig);
  doc.set("encryptionsalt", salt);
  fs.writeFileSync(generatedFile, `# Generated by scripts/local-up.sh from ${committedFile}; edit that file instead.\n${doc.toString()}`);
' "$ROOT/Pulumi.$STACK.yaml" "$CONFIG_FILE" "$KUBECONFIG_FILE" "$(cat "$WORK/encryptionsalt")")

say "pulumi up --stack $STACK (state: ${STATE#"$ROOT"/}, config: ${CONFIG_FILE#"$ROOT"/})"
(cd "$ROOT" && pulumi up --stack "$STACK" --config-file "$CONFIG_FILE" "${UP_ARGS[@]}")

say "done in $(($(date +%s) - T0))s. Look: source .toolchain/env.sh && KUBECONFIG=$KUBECONFIG_FILE kubectl get namespaces"
say "same stack by hand: PULUMI_BACKEND_URL='$PULUMI_BACKEND_URL' pulumi preview --stack $STACK --config-file $CONFIG_FILE"
