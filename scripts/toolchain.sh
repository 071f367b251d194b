#!/usr/bin/env bash
# scripts/toolchain.sh — make the Pulumi engine and a local Kubernetes control plane
# toolchain available in .toolchain/ (git-ignored), reproducibly and offline-capable.
#
#   scripts/toolchain.sh            # install/verify everything, print a summary
#   source .toolchain/env.sh        # then use pulumi, kubectl, etcd, kube-apiserver, ...
#
# Tools: pulumi, pulumi-language-nodejs (default: toolchain/nodejs-host; TOOLCHAIN_NODEJS_HOST=upstream
# for the upstream host of sdk/v3 v3.68.0), the Pulumi kubernetes resource plugin (installed into
# the Pulumi plugin cache under .toolchain/pulumi-home), etcd, kube-apiserver,
# kube-controller-manager, kubectl, helm.
#
# For each tool, in order of preference:
#   1. .toolchain/bin already holds it at the pinned version (stamp + version check; seconds)
#   2. it is on PATH at a suitable version            -> symlinked into .toolchain/bin
#   3. a Debian package has an adequate version       -> apt-get install, symlinked
#   4. `go build` from the Go modules pinned in toolchain/<tool>/go.mod (+ go.sum)
#
# Versions come from toolchain/*/go.mod; the kubernetes plugin version must equal the
# @pulumi/kubernetes npm version (node_modules/@pulumi/kubernetes/package.json, else
# package.json), which must equal the "plugin-version" pinned in toolchain/pulumi-kubernetes/go.mod.
# Exits non-zero if any tool is missing at the end. See toolchain/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TCSRC="$ROOT/toolchain"
TC="$ROOT/.toolchain"
BIN="$TC/bin"
STAMPS="$TC/stamps"
LOGS="$TC/logs"
BUILD="$TC/build"
PLUGINS="$TC/plugins"
export PULUMI_HOME="$TC/pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export GOTOOLCHAIN=local
export CGO_ENABLED=0
mkdir -p "$BIN" "$STAMPS" "$LOGS" "$BUILD" "$PLUGINS" "$PULUMI_HOME"

T0=$(date +%s)
SUMMARY=()
FAILED=()
say() { printf '[toolchain] %s\n' "$*" >&2; }
note() { SUMMARY+=("$(printf '%-26s %-10s %-9s %s' "$1" "$2" "$3" "$4")"); }

# --- pinned versions -------------------------------------------------------------------------
# modver <dir> <module>: the version of <module> required in toolchain/<dir>/go.mod.
modver() {
  awk -v m="$2" '($1==m){print $2; exit} ($1=="require" && $2==m){print $3; exit}' "$TCSRC/$1/go.mod"
}
K8S_VERSION=$(modver kubernetes k8s.io/kubernetes)                       # v1.33.13
K8S_NEXT_VERSION=$(modver kubernetes-next k8s.io/kubernetes)             # v1.34.4: the minor upgrades go to
HELM_VERSION=$(modver helm helm.sh/helm/v3)                              # v3.22.0
ACTIONLINT_VERSION=$(modver actionlint github.com/rhysd/actionlint)       # v1.7.12
ETCD_VERSION=$(modver etcd go.etcd.io/etcd/server/v3)                   # v3.6.16
PULUMI_VERSION=$(modver pulumi github.com/pulumi/pulumi/pkg/v3)          # v3.274.1
NODEJS_HOST_VERSION=$(modver pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3)   # upstream host, opt-in
LOCAL_HOST_SDK_VERSION=$(modver nodejs-host github.com/pulumi/pulumi/sdk/v3)            # default host
K8S_PROVIDER_SRC=$(modver pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)
K8S_PLUGIN_PIN=$(sed -n 's|^// plugin-version: *\([0-9][^ ]*\).*|\1|p' "$TCSRC/pulumi-kubernetes/go.mod")
for v in K8S_VERSION K8S_NEXT_VERSION HELM_VERSION ACTIONLINT_VERSION ETCD_VERSION PULUMI_VERSION NODEJS_HOST_VERSION LOCAL_HOST_SDK_VERSION K8S_PROVIDER_SRC K8S_PLUGIN_PIN; do
  [[ -n "${!v}" ]] || { say "cannot read $v from toolchain/*/go.mod"; exit 1; }
done

# The kubernetes plugin version the engine will ask for is the one of the @pulumi/kubernetes npm
# package the program loads.
npm_k8s_version() {
  local f="$ROOT/node_modules/@pulumi/kubernetes/package.json"
  if [[ -f $f ]]; then
    sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$f" | head -n1; return
  fi
  f="$ROOT/package.json"
  if [[ -f $f ]]; then
    sed -n 's/.*"@pulumi\/kubernetes": *"[\^~=v]*\([0-9][^"]*\)".*/\1/p' "$f" | head -n1
  fi
}
K8S_PLUGIN_VERSION="$(npm_k8s_version || true)"
if [[ -z "$K8S_PLUGIN_VERSION" ]]; then
  K8S_PLUGIN_VERSION="$K8S_PLUGIN_PIN"
elif [[ "$K8S_PLUGIN_VERSION" != "$K8S_PLUGIN_PIN" ]]; then
  say "ERROR: the program uses @pulumi/kubernetes $K8S_PLUGIN_VERSION but toolchain/pulumi-kubernetes/go.mod"
  say "       pins plugin-version $K8S_PLUGIN_PIN; update the pin (and the provider source) together."
  exit 1
fi

# --- helpers ---------------------------------------------------------------------------------
recipe_hash() { # <toolchain dir> <extra...>: identifies a build (module files + flags + go version)
  local d="$TCSRC/$1"; shift
  { cat "$d/go.mod" "$d/go.sum"; [[ -f "$d/main.go" ]] && cat "$d/main.go"; printf '%s\n' "$@"; go_version_str; } \
    | sha256sum | cut -c1-16
}
go_version_str() { command -v go >/dev/null 2>&1 && go env GOVERSION 2>/dev/null || echo "no-go"; }

stamp_ok() { [[ -x "$BIN/$1" || -x "$2" ]] && [[ -f "$STAMPS/$1" ]] && [[ "$(cat "$STAMPS/$1")" == "$3" ]]; }

# ver_<tool> <path>: print the version the binary reports (normalised to vX.Y.Z), or nothing.
ver_kube() { "$1" --version 2>/dev/null | sed -n 's/^Kubernetes \(v[0-9][^ ]*\).*/\1/p' | head -n1; }
ver_kubectl() { "$1" version --client 2>/dev/null | sed -n 's/^Client Version: \(v[0-9][^ ]*\).*/\1/p' | head -n1; }
ver_etcd() { "$1" --version 2>/dev/null | sed -n 's/^etcd Version: \([0-9][^ ]*\).*/v\1/p' | head -n1; }
ver_pulumi() { PULUMI_HOME="$PULUMI_HOME" "$1" version 2>/dev/null | head -n1 | tr -d '[:space:]'; }

minor_of() { echo "$1" | sed -n 's/^v\{0,1\}\([0-9]*\.[0-9]*\).*/\1/p'; }

# onpath <tool>: the tool on PATH outside .toolchain/bin, if any.
onpath() {
  local IFS=: d
  for d in $PATH; do
    [[ -z "$d" || "$(cd "$d" 2>/dev/null && pwd -P)" == "$(cd "$BIN" && pwd -P)" ]] && continue
    [[ -x "$d/$1" && ! -d "$d/$1" ]] && { echo "$d/$1"; return 0; }
  done
  return 1
}

APT_UPDATED=0
# debian_candidate <pkg>: the candidate version apt would install ('' if none).
debian_candidate() {
  command -v apt-cache >/dev/null 2>&1 || return 0
  if [[ $APT_UPDATED == 0 && $(id -u) == 0 ]]; then
    apt-get update -qq >/dev/null 2>&1 || true
    APT_UPDATED=1
  fi
  apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)' | head -n1 || true
}
debian_install() { # <pkg>
  [[ $(id -u) == 0 ]] || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >"$LOGS/apt-$1.log" 2>&1
}

need_go() {
  command -v go >/dev/null 2>&1 || { say "go is required to build $1 (not found)"; return 1; }
}

# gobuild <name> <toolchain dir> <package> <output> <ldflags> [extra go build args...]
gobuild() {
  local name=$1 dir=$2 pkg=$3 out=$4 ld=$5; shift 5
  need_go "$name" || return 1
  local s=$(date +%s)
  say "building $name from $pkg (toolchain/$dir) ... log: .toolchain/logs/build-$name.log"
  if (cd "$TCSRC/$dir" && go build -trimpath -ldflags "$ld" "$@" -o "$out.tmp" "$pkg") \
      >"$LOGS/build-$name.log" 2>&1; then
    mv -f "$out.tmp" "$out"
    local secs=$(( $(date +%s) - s ))
    printf '%s\t%s\t%ss\t%s\n' "$(date -u +%FT%TZ)" "$name" "$secs" "$(go_version_str)" >>"$LOGS/build-times.tsv"
    BUILD_SECS=$secs
    return 0
  fi
  rm -f "$out.tmp"
  say "FAILED to build $name; last lines of .toolchain/logs/build-$name.log:"
  tail -n 20 "$LOGS/build-$name.log" >&2
  return 1
}

link_into_bin() { ln -sfn "$1" "$BIN/$2"; }

# build_stamped <tool> <toolchain dir> <package> <ldflags> <version wanted> <version fn> <recipe> <what was built>:
# go build into .toolchain/bin, check the version the binary reports, stamp the recipe, note the result.
build_stamped() {
  local tool=$1 dir=$2 pkg=$3 ld=$4 want=$5 verfn=$6 recipe=$7 what=$8 v
  BUILD_SECS=0
  if gobuild "$tool" "$dir" "$pkg" "$BIN/$tool" "$ld"; then
    v=$($verfn "$BIN/$tool")
    if [[ $v == "$want" ]]; then
      echo "$recipe" >"$STAMPS/$tool"; echo "go build $what" >"$STAMPS/$tool.src"
      note "$tool" "$v" built "$what (${BUILD_SECS}s)"; return 0
    fi
    say "$tool reports '$v' after build, want $want"
  fi
  FAILED+=("$tool"); note "$tool" "-" MISSING "see .toolchain/logs/build-$tool.log"
}

# --- Kubernetes: kube-apiserver, kube-controller-manager, kubectl -----------------------------
k8s_ldflags() { # [version] [toolchain dir]
  local version=${1:-$K8S_VERSION} dir=${2:-kubernetes}
  local minor=${version#v1.}; minor=${minor%%.*}
  local t; t=$(k8s_module_time "$dir")
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=$t"
  done
  echo "$ld"
}
# The module's publication time (from the module cache / proxy) as a reproducible build date.
k8s_module_time() { # <toolchain dir>
  (cd "$TCSRC/$1" && go list -m -f '{{.Time}}' k8s.io/kubernetes 2>/dev/null) \
    | sed -n 's/^\([0-9-]*\) \([0-9:]*\) .*/\1T\2Z/p' | head -n1 | grep . || echo "1970-01-01T00:00:00Z"
}

ensure_kube() { # <tool>
  local tool=$1 verfn=ver_kube
  [[ $tool == kubectl ]] && verfn=ver_kubectl
  local recipe="k8s $K8S_VERSION $(recipe_hash kubernetes "$tool")"
  local v
  if stamp_ok "$tool" "" "$recipe" && v=$($verfn "$BIN/$tool") && [[ $v == "$K8S_VERSION" ]]; then
    note "$tool" "$v" cached "$(cat "$STAMPS/$tool.src" 2>/dev/null)"; return 0
  fi
  local p
  if p=$(onpath "$tool") && v=$($verfn "$p") && [[ -n $v ]]; then
    # kubectl: same minor as the control plane; server binaries: exactly the pinned version.
    if [[ $v == "$K8S_VERSION" || ( $tool == kubectl && $(minor_of "$v") == $(minor_of "$K8S_VERSION") ) ]]; then
      link_into_bin "$p" "$tool"; echo "$recipe" >"$STAMPS/$tool"; echo "PATH $p" >"$STAMPS/$tool.src"
      note "$tool" "$v" PATH "$p"; return 0
    fi
    say "$tool on PATH ($p) is $v, want $K8S_VERSION: not used"
  fi
  if [[ $tool == kubectl ]]; then
    local c; c=$(debian_candidate kubernetes-client)
    if [[ -n $c ]]; then
      local cm; cm=$(echo "$c" | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9]*\.[0-9]*\).*/\2/p')
      if [[ $cm == "$(minor_of "$K8S_VERSION")" ]] && debian_install kubernetes-client \
          && v=$(ver_kubectl /usr/bin/kubectl) && [[ $(minor_of "$v") == "$cm" ]]; then
        link_into_bin /usr/bin/kubectl kubectl; echo "$recipe" >"$STAMPS/$tool"; echo "debian kubernetes-client $c" >"$STAMPS/$tool.src"
        note "$tool" "$v" debian "kubernetes-client $c"; return 0
      fi
      say "Debian kubernetes-client is $c, want $(minor_of "$K8S_VERSION").x: not used"
    fi
  fi
  BUILD_SECS=0
  if gobuild "$tool" kubernetes "k8s.io/kubernetes/cmd/$tool" "$BIN/$tool" "$(k8s_ldflags)"; then
    v=$($verfn "$BIN/$tool")
    if [[ $v == "$K8S_VERSION" ]]; then
      echo "$recipe" >"$STAMPS/$tool"; echo "go build k8s.io/kubernetes@$K8S_VERSION" >"$STAMPS/$tool.src"
      note "$tool" "$v" "built" "k8s.io/kubernetes@$K8S_VERSION ./cmd/$tool (${BUILD_SECS}s)"; return 0
    fi
    say "$tool reports '$v' after build, want $K8S_VERSION"
  fi
  FAILED+=("$tool"); note "$tool" "-" MISSING "see .toolchain/logs/build-$tool.log"
}

# kube-apiserver of the next minor, as `kube-apiserver-<minor>` (scripts/control-plane.sh starts it with
# CP_KUBERNETES_MINOR=<minor>); its controller-manager and kubectl are the current minor's, within the skew
# Kubernetes supports (one minor older than the API server).
ensure_apiserver_next() {
  local minor; minor=$(minor_of "$K8S_NEXT_VERSION")
  local tool="kube-apiserver-$minor"
  local recipe="k8s $K8S_NEXT_VERSION $(recipe_hash kubernetes-next kube-apiserver)"
  local v
  if stamp_ok "$tool" "" "$recipe" && v=$(ver_kube "$BIN/$tool") && [[ $v == "$K8S_NEXT_VERSION" ]]; then
    note "$tool" "$v" cached "$(cat "$STAMPS/$tool.src" 2>/dev/null)"; return 0
  fi
  build_stamped "$tool" kubernetes-next k8s.io/kubernetes/cmd/kube-apiserver "$(k8s_ldflags "$K8S_NEXT_VERSION" kubernetes-next)" \
    "$K8S_NEXT_VERSION" ver_kube "$recipe" "k8s.io/kubernetes@$K8S_NEXT_VERSION ./cmd/kube-apiserver"
}

# --- etcd --------------------------------------------------------------------------------------
etcd_ok_version() { # accept etcd 3.5.x / 3.6.x from PATH or Debian (kube-apiserver 1.3x needs >= 3.5)
  [[ $1 =~ ^v3\.[56]\. ]]
}
ensure_etcd() {
  local recipe="etcd $ETCD_VERSION $(recipe_hash etcd)" v p
  if stamp_ok etcd "" "$recipe" && v=$(ver_etcd "$BIN/etcd") && [[ -n $v ]]; then
    note etcd "$v" cached "$(cat "$STAMPS/etcd.src" 2>/dev/null)"; return 0
  fi
  if p=$(onpath etcd) && v=$(ver_etcd "$p") && [[ -n $v ]]; then
    if etcd_ok_version "$v"; then
      link_into_bin "$p" etcd; echo "$recipe" >"$STAMPS/etcd"; echo "PATH $p" >"$STAMPS/etcd.src"
      note etcd "$v" PATH "$p"; return 0
    fi
    say "etcd on PATH ($p) is $v: too old/unsupported, not used"
  fi
  local c; c=$(debian_candidate etcd-server)
  if [[ -n $c ]]; then
    if etcd_ok_version "v${c#*:}" && debian_install etcd-server && v=$(ver_etcd /usr/bin/etcd) && etcd_ok_version "$v"; then
      link_into_bin /usr/bin/etcd etcd; echo "$recipe" >"$STAMPS/etcd"; echo "debian etcd-server $c" >"$STAMPS/etcd.src"
      note etcd "$v" debian "etcd-server $c"; return 0
    fi
    say "Debian etcd-server is $c (< 3.5, unsupported by kube-apiserver $K8S_VERSION): not used"
  fi
  build_stamped etcd etcd go.etcd.io/etcd/server/v3 "-s -w" "$ETCD_VERSION" ver_etcd "$recipe" "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
}

# --- Pulumi CLI + Node.js language host -------------------------------------------------------
ensure_pulumi() {
  local recipe="pulumi $PULUMI_VERSION $(recipe_hash pulumi)" v p
  if stamp_ok pulumi "" "$recipe" && v=$(ver_pulumi "$BIN/pulumi") && [[ $v == "$PULUMI_VERSION" ]]; then
    note pulumi "$v" cached "$(cat "$STAMPS/pulumi.src" 2>/dev/null)"; return 0
  fi
  # A pulumi on PATH is used only together with the language host installed next to it.
  if p=$(onpath pulumi) && v=$(ver_pulumi "$p") && [[ -n $v ]]; then
    local real; real=$(readlink -f "$p")
    if [[ $(printf '%s\n' "$PULUMI_VERSION" "$v" | sort -V | head -n1) == "$PULUMI_VERSION" \
          && -x "$(dirname "$real")/pulumi-language-nodejs" ]]; then
      link_into_bin "$real" pulumi; echo "$recipe" >"$STAMPS/pulumi"; echo "PATH $real" >"$STAMPS/pulumi.src"
      note pulumi "$v" PATH "$real (with its bundled pulumi-language-nodejs)"
      PULUMI_FROM_PATH=1; return 0
    fi
    say "pulumi on PATH ($p) is $v or lacks pulumi-language-nodejs next to it: not used"
  fi
  build_stamped pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
    "$PULUMI_VERSION" ver_pulumi "$recipe" "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION ./cmd/pulumi"
}

ensure_nodejs_host() {
  local tool=pulumi-language-nodejs
  if [[ ${PULUMI_FROM_PATH:-0} == 1 ]]; then
    local real; real="$(dirname "$(readlink -f "$BIN/pulumi")")/$tool"
    link_into_bin "$real" "$tool"; note "$tool" "?" PATH "$real"; return 0
  fi
  # Default: toolchain/nodejs-host, a minimal host for the engine's current protocol, built against
  # the CLI's sdk/v3 release. TOOLCHAIN_NODEJS_HOST=upstream: the upstream host from sdk/v3 v3.68.0
  # (toolchain/pulumi-language-nodejs; no policy packs, no plugin discovery with `main: <file>`).
  local dir pkg ver src
  if [[ ${TOOLCHAIN_NODEJS_HOST:-local} == upstream ]]; then
    dir=pulumi-language-nodejs; ver=$NODEJS_HOST_VERSION
    pkg=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
    src="github.com/pulumi/pulumi/sdk/v3@$ver ./nodejs/cmd/$tool"
  else
    dir=nodejs-host; ver=$LOCAL_HOST_SDK_VERSION; pkg=.
    src="toolchain/nodejs-host (own code) on github.com/pulumi/pulumi/sdk/v3@$ver"
  fi
  local recipe="nodejs-host $dir $ver $(recipe_hash "$dir")"
  if stamp_ok "$tool" "" "$recipe" && [[ -x "$BIN/$tool" ]]; then
    note "$tool" "$ver" cached "$(cat "$STAMPS/$tool.src" 2>/dev/null)"; return 0
  fi
  BUILD_SECS=0
  if gobuild "$tool" "$dir" "$pkg" "$BIN/$tool" "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ver"; then
    echo "$recipe" >"$STAMPS/$tool"; echo "$src" >"$STAMPS/$tool.src"
    note "$tool" "$ver" built "$src (${BUILD_SECS}s)"
    return 0
  fi
  FAILED+=("$tool"); note "$tool" "-" MISSING "see .toolchain/logs/build-$tool.log"
}

# --- helm (renders the charts for `npm run verify`) ------------------------------------------------
# Helm's release build stamps its version and the Kubernetes version it assumes when no cluster is
# asked (Makefile: internal/version.version, chartutil/lint k8sVersionMajor/Minor). Without them it
# assumes Kubernetes 1.20 and refuses charts with a kubeVersion; verify passes --kube-version anyway.
ver_helm() { "$1" version --template '{{.Version}}' 2>/dev/null; }
ensure_helm() {
  local recipe="helm $HELM_VERSION $(recipe_hash helm)" v
  if stamp_ok helm "" "$recipe" && v=$(ver_helm "$BIN/helm") && [[ $v == "$HELM_VERSION" ]]; then
    note helm "$v" cached "$(cat "$STAMPS/helm.src" 2>/dev/null)"; return 0
  fi
  local kminor=${K8S_VERSION#v1.}; kminor=${kminor%%.*}
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" p
  for p in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ld+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$kminor"
  done
  build_stamped helm helm helm.sh/helm/v3/cmd/helm "$ld" "$HELM_VERSION" ver_helm "$recipe" "helm.sh/helm/v3@$HELM_VERSION ./cmd/helm"
}

# --- actionlint (checks .github/workflows in the real-engine suite) --------------------------------
# Built as a dependency of toolchain/actionlint, so the build info names the module's main package, not
# actionlint: its version is stamped the way its release build does (command.go, `version`).
ver_actionlint() { "$1" -version 2>/dev/null | head -n1; }
ensure_actionlint() {
  local recipe="actionlint $ACTIONLINT_VERSION $(recipe_hash actionlint)" v
  if stamp_ok actionlint "" "$recipe" && v=$(ver_actionlint "$BIN/actionlint") && [[ $v == "$ACTIONLINT_VERSION" ]]; then
    note actionlint "$v" cached "$(cat "$STAMPS/actionlint.src" 2>/dev/null)"; return 0
  fi
  build_stamped actionlint actionlint github.com/rhysd/actionlint/cmd/actionlint \
    "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" "$ACTIONLINT_VERSION" ver_actionlint "$recipe" \
    "github.com/rhysd/actionlint@$ACTIONLINT_VERSION ./cmd/actionlint"
}

# --- Pulumi kubernetes resource provider plugin -----------------------------------------------
ensure_k8s_plugin() {
  local name=pulumi-resource-kubernetes ver=$K8S_PLUGIN_VERSION
  local dir="$PLUGINS/$name-v$ver" out="$PLUGINS/$name-v$ver/$name"
  local recipe="k8s-plugin $ver $K8S_PROVIDER_SRC $(recipe_hash pulumi-kubernetes "$ver")"
  local cached="$PULUMI_HOME/plugins/resource-kubernetes-v$ver/$name"
  mkdir -p "$dir"
  if stamp_ok "$name" "$out" "$recipe" && [[ -x "$out" ]]; then
    :
  else
    need_go "$name" || { FAILED+=("$name"); note "$name" "-" MISSING "go not found"; return 0; }
    # The upstream main package embeds schema files produced by `go generate`, which the published
    # module does not contain: generate them (schema.json with the plugin version stamped in, as the
    # upstream generate step does) and hand them to toolchain/pulumi-kubernetes/main.go via -overlay.
    local src gen="$BUILD/pulumi-kubernetes"
    mkdir -p "$gen"
    src=$(cd "$TCSRC/pulumi-kubernetes" && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 \
            | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    src="$src/cmd/pulumi-resource-kubernetes"
    [[ -f "$src/schema.json" ]] || { say "provider schema.json not found in module ($src)"; FAILED+=("$name"); note "$name" "-" MISSING "no schema.json"; return 0; }
    node -e '
      const fs = require("fs");
      const [src, gen, ver] = process.argv.slice(1);
      const schema = JSON.parse(fs.readFileSync(src + "/schema.json", "utf8"));
      schema.version = ver;
      fs.writeFileSync(gen + "/schema-embed.json", JSON.stringify(schema));
      const tf = JSON.parse(fs.readFileSync(src + "/terraform-mapping.json", "utf8"));
      fs.writeFileSync(gen + "/terraform-mapping-embed.json", JSON.stringify(tf));
      const d = process.argv[4];
      fs.writeFileSync(gen + "/overlay.json", JSON.stringify({Replace: {
        [d + "/schema-embed.json"]: gen + "/schema-embed.json",
        [d + "/terraform-mapping-embed.json"]: gen + "/terraform-mapping-embed.json"}}));
    ' "$src" "$gen" "$ver" "$TCSRC/pulumi-kubernetes"
    BUILD_SECS=0
    if gobuild "$name" pulumi-kubernetes . "$out" \
        "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$ver" \
        -overlay "$gen/overlay.json"; then
      echo "$recipe" >"$STAMPS/$name"
      echo "go build github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_SRC (${BUILD_SECS}s)" >"$STAMPS/$name.src"
    else
      FAILED+=("$name"); note "$name" "-" MISSING "see .toolchain/logs/build-$name.log"; return 0
    fi
  fi
  # Install into the Pulumi plugin cache (PULUMI_HOME/plugins) unless the identical binary is there.
  if [[ -x "$cached" ]] && cmp -s "$cached" "$out" && [[ ! -e "$PULUMI_HOME/plugins/resource-kubernetes-v$ver.partial" ]]; then
    note "kubernetes plugin" "$ver" cached "$(cat "$STAMPS/$name.src") -> plugin cache"
    return 0
  fi
  if [[ ! -x "$BIN/pulumi" ]]; then
    FAILED+=("kubernetes plugin"); note "kubernetes plugin" "-" MISSING "no pulumi CLI to install it"; return 0
  fi
  "$BIN/pulumi" plugin install resource kubernetes "$ver" --file "$out" --reinstall \
    >"$LOGS/plugin-install.log" 2>&1 || { cat "$LOGS/plugin-install.log" >&2; }
  if "$BIN/pulumi" plugin ls --json 2>/dev/null | tr -d ' \n' | grep -q "\"name\":\"kubernetes\",\"kind\":\"resource\",\"version\":\"$ver\""; then
    note "kubernetes plugin" "$ver" installed "$(cat "$STAMPS/$name.src") -> plugin cache"
  else
    FAILED+=("kubernetes plugin"); note "kubernetes plugin" "-" MISSING "pulumi plugin ls does not list kubernetes $ver"
  fi
}

# --- env file -----------------------------------------------------------------------------------
write_env() {
  cat >"$TC/env.sh.tmp" <<EOF
# Generated by scripts/toolchain.sh — source it: \`source .toolchain/env.sh\`
export PATH="$BIN:\$PATH"
export PULUMI_HOME="$PULUMI_HOME"
# No network from the Pulumi engine: no update check, no plugin downloads (a missing plugin is an
# error, not a download), no plugins picked up from PATH instead of the plugin cache.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
# The CLI is $PULUMI_VERSION; do not let the Automation API refuse it for being older than the npm SDK.
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
export PULUMI_TOOLCHAIN_DIR="$TC"
export PULUMI_KUBERNETES_PLUGIN_VERSION="$K8S_PLUGIN_VERSION"
export KUBERNETES_VERSION="$K8S_VERSION"
export KUBERNETES_NEXT_VERSION="$K8S_NEXT_VERSION"
export HELM_VERSION="$HELM_VERSION"
export ACTIONLINT_VERSION="$ACTIONLINT_VERSION"
EOF
  mv -f "$TC/env.sh.tmp" "$TC/env.sh"
}

# A default login to a local file backend in the toolchain's PULUMI_HOME, so that a forgotten
# `pulumi login` never reaches for the Pulumi Cloud. `pulumi login file://...` or
# PULUMI_BACKEND_URL override it.
default_login() {
  [[ -x "$BIN/pulumi" ]] || return 0
  [[ -f "$PULUMI_HOME/credentials.json" ]] && return 0
  mkdir -p "$TC/pulumi-state"
  "$BIN/pulumi" login "file://$TC/pulumi-state" >/dev/null 2>&1 || say "default 'pulumi login file://' failed"
}

# --- main ---------------------------------------------------------------------------------------
say "pinned: kubernetes $K8S_VERSION, etcd $ETCD_VERSION, pulumi $PULUMI_VERSION," \
    "kubernetes plugin $K8S_PLUGIN_VERSION (source $K8S_PROVIDER_SRC)"
# TOOLCHAIN_TOOLS="etcd kube-apiserver ..." limits the run to those tools (the pull-request workflow's verify job
# builds only what `npm run verify` needs).
wanted() { [[ -z ${TOOLCHAIN_TOOLS:-} || " $TOOLCHAIN_TOOLS " == *" $1 "* ]]; }
wanted etcd && ensure_etcd
wanted kube-apiserver && ensure_kube kube-apiserver
wanted kube-controller-manager && ensure_kube kube-controller-manager
wanted kubectl && ensure_kube kubectl
wanted kube-apiserver-next && ensure_apiserver_next
wanted helm && ensure_helm
wanted actionlint && ensure_actionlint
wanted pulumi && ensure_pulumi
wanted pulumi-language-nodejs && ensure_nodejs_host
wanted pulumi-resource-kubernetes && ensure_k8s_plugin
write_env
default_login

echo
printf '%-26s %-10s %-9s %s\n' TOOL VERSION FROM DETAIL
printf '%s\n' "${SUMMARY[@]}"
echo "env file: .toolchain/env.sh   (took $(( $(date +%s) - T0 ))s)"
if (( ${#FAILED[@]} )); then
  echo "MISSING: ${FAILED[*]}" >&2
  exit 1
fi
