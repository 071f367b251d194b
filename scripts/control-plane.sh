#!/usr/bin/env bash
# scripts/control-plane.sh — a throwaway Kubernetes control plane on loopback, no kubelet/nodes:
# etcd + kube-apiserver + kube-controller-manager, with openssl-generated certificates.
#
#   scripts/control-plane.sh start  <dir>   # start (idempotent); waits until usable; prints the kubeconfig path
#   scripts/control-plane.sh stop   <dir>   # stop all processes (pid files); safe to call twice
#   scripts/control-plane.sh status <dir>   # exit 0 if all three processes run and /readyz is ok
#   scripts/control-plane.sh kubeconfig <dir>  # print the admin kubeconfig path (<dir>/kubeconfig)
#
# Everything lives in <dir>: pki/ (CA, apiserver serving cert, admin + controller-manager client
# certs, service-account key pair), etcd/ (data), *.log, *.pid, ports.env, kubeconfig
# (admin, O=system:masters) and controller-manager.kubeconfig.
#
# Ports are free loopback ports picked at first start and kept in <dir>/ports.env; set any of
# CP_APISERVER_PORT, CP_ETCD_PORT, CP_ETCD_PEER_PORT, CP_KCM_PORT to choose them instead.
# CP_KUBERNETES_MINOR=<minor> (e.g. 1.34) runs the kube-apiserver of that minor (`kube-apiserver-<minor>`,
# built by scripts/toolchain.sh for the next minor) with the current minor's controller-manager, one minor
# older, as Kubernetes' version skew policy allows.
# CP_TIMEOUT (seconds, default 90) bounds each wait; CP_CONTROLLERS overrides the
# kube-controller-manager --controllers list (see below). Binaries are taken from $TOOLCHAIN_BIN if set,
# else .toolchain/bin (scripts/toolchain.sh), else PATH. Works as root without systemd; binds 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n ${TOOLCHAIN_BIN:-} ]]; then PATH="$TOOLCHAIN_BIN:$PATH"
elif [[ -d "$ROOT/.toolchain/bin" ]]; then PATH="$ROOT/.toolchain/bin:$PATH"; fi
CP_TIMEOUT=${CP_TIMEOUT:-90}
# Controllers that are useful without nodes. root-ca-certificate-publisher-controller writes the
# kube-root-ca.crt ConfigMap into every namespace as on a real cluster (it counts against
# count/configmaps quotas); drop it with CP_CONTROLLERS=... to get namespaces without it.
CP_CONTROLLERS=${CP_CONTROLLERS:-namespace-controller,resourcequota-controller,serviceaccount-controller,serviceaccount-token-controller,garbage-collector-controller,clusterrole-aggregation-controller,root-ca-certificate-publisher-controller}
APISERVER_BINARY=kube-apiserver${CP_KUBERNETES_MINOR:+-$CP_KUBERNETES_MINOR}
SERVICE_CIDR=10.0.0.0/24 # virtual ClusterIP range (no traffic); first IP 10.0.0.1 is in the cert
PROCS=(etcd kube-apiserver kube-controller-manager)

usage() {
  sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
log() { printf '[control-plane] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $# -ge 2 ]] || usage
CMD=$1
if [[ $CMD == start ]]; then mkdir -p "$2"; fi
if [[ ! -d $2 ]]; then
  [[ $CMD == stop ]] && { log "nothing running in $2"; exit 0; }
  die "$2: no such directory"
fi
DIR="$(cd "$2" && pwd)"
PKI="$DIR/pki"

# --- ports -----------------------------------------------------------------------------------
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}
load_ports() {
  if [[ -f "$DIR/ports.env" ]]; then
    # shellcheck disable=SC1091
    source "$DIR/ports.env"
  fi
  APISERVER_PORT=${CP_APISERVER_PORT:-${APISERVER_PORT:-}}
  ETCD_PORT=${CP_ETCD_PORT:-${ETCD_PORT:-}}
  ETCD_PEER_PORT=${CP_ETCD_PEER_PORT:-${ETCD_PEER_PORT:-}}
  KCM_PORT=${CP_KCM_PORT:-${KCM_PORT:-}}
}
pick_ports() {
  load_ports
  local taken=" "
  for v in APISERVER_PORT ETCD_PORT ETCD_PEER_PORT KCM_PORT; do
    if [[ -z "${!v}" ]]; then
      local p
      while p=$(free_port); [[ $taken == *" $p "* ]]; do :; done
      printf -v "$v" '%s' "$p"
    fi
    taken+="${!v} "
  done
  cat >"$DIR/ports.env" <<EOF
APISERVER_PORT=$APISERVER_PORT
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
KCM_PORT=$KCM_PORT
EOF
}

# --- certificates ----------------------------------------------------------------------------
gen_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  if [[ -f "$PKI/ca.crt" && -f "$PKI/sa.key" && -f "$PKI/admin.crt" && -f "$PKI/kcm.crt" && -f "$PKI/apiserver.crt" ]]; then
    return 0
  fi
  log "generating certificates in $PKI"
  (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=control-plane-ca" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
    leaf() { # <name> <subject> <extendedKeyUsage> [subjectAltName]
      openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
      {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=$3"
        [[ -n ${4:-} ]] && echo "subjectAltName=$4"
      } >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
      rm -f "$1.csr" "$1.ext"
    }
    leaf apiserver "/CN=kube-apiserver" serverAuth \
      "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    leaf admin "/O=system:masters/CN=admin" clientAuth
    leaf kcm "/CN=system:kube-controller-manager" clientAuth
    # Service-account token signing key pair.
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
}

write_kubeconfig() { # <file> <user> <cert> <key>
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $3
    client-key: $4
contexts:
- name: local
  context:
    cluster: local
    user: $2
current-context: local
EOF
  mv -f "$1.tmp" "$1"
}

# --- processes -------------------------------------------------------------------------------
# pid_of <name>: the pid recorded for <name> if that process is still the one we started.
pid_of() {
  local f="$DIR/$1.pid" pid
  [[ -f $f ]] || return 1
  pid=$(cat "$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  # guard against pid reuse: the command line must be our binary with our directory in it
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$1" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$DIR" || return 1
  echo "$pid"
}
running() { pid_of "$1" >/dev/null; }

launch() { # <name> <args...>; LAUNCH_BINARY overrides the binary run under that name
  local name=$1; shift
  local bin; bin=$(command -v "${LAUNCH_BINARY:-$name}") || die "${LAUNCH_BINARY:-$name} not found (run scripts/toolchain.sh and source .toolchain/env.sh)"
  log "starting $name ($bin), log: $DIR/$name.log"
  setsid "$bin" "$@" >>"$DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

wait_for() { # <description> <command...>
  local what=$1; shift
  local deadline=$(( $(date +%s) + CP_TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= deadline )); then
      log "timed out after ${CP_TIMEOUT}s waiting for $what"
      return 1
    fi
    for p in "${PROCS[@]}"; do
      if [[ -f "$DIR/$p.pid" ]] && ! running "$p"; then
        log "$p exited; last lines of $DIR/$p.log:"; tail -n 25 "$DIR/$p.log" >&2; return 1
      fi
    done
    sleep 0.5
  done
}

api_get() { # <path>: GET on the apiserver as admin
  curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT$1"
}
readyz() { [[ "$(api_get /readyz)" == ok ]]; }
etcd_healthy() { curl -fsS --max-time 3 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
kcm_healthy() { curl -fsSk --max-time 3 "https://127.0.0.1:$KCM_PORT/healthz" | grep -qx ok; }

start() {
  for b in "${PROCS[@]}" "$APISERVER_BINARY" openssl curl; do
    command -v "$b" >/dev/null || die "$b not found (run scripts/toolchain.sh and source .toolchain/env.sh)"
  done
  pick_ports
  gen_pki
  write_kubeconfig "$DIR/kubeconfig" admin "$PKI/admin.crt" "$PKI/admin.key"
  write_kubeconfig "$DIR/controller-manager.kubeconfig" system:kube-controller-manager "$PKI/kcm.crt" "$PKI/kcm.key"

  if running etcd; then
    log "etcd already running (pid $(pid_of etcd))"
  else
    mkdir -p "$DIR/etcd"
    launch etcd --name control-plane --data-dir "$DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "control-plane=http://127.0.0.1:$ETCD_PEER_PORT" \
      --unsafe-no-fsync --log-level warn
  fi
  wait_for "etcd health on 127.0.0.1:$ETCD_PORT" etcd_healthy || { stop; exit 1; }

  if running kube-apiserver; then
    log "kube-apiserver already running (pid $(pid_of kube-apiserver))"
  else
    LAUNCH_BINARY=$APISERVER_BINARY launch kube-apiserver \
      --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
      --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
      --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
      --client-ca-file "$PKI/ca.crt" \
      --authorization-mode RBAC \
      --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota \
      --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
      --service-account-issuer https://kubernetes.default.svc.cluster.local \
      --service-cluster-ip-range "$SERVICE_CIDR" \
      --endpoint-reconciler-type none \
      --allow-privileged=true --profiling=false \
      --cert-dir "$PKI/apiserver-generated" --v 1
  fi
  wait_for "kube-apiserver /readyz on https://127.0.0.1:$APISERVER_PORT" readyz || { stop; exit 1; }

  if running kube-controller-manager; then
    log "kube-controller-manager already running (pid $(pid_of kube-controller-manager))"
  else
    launch kube-controller-manager \
      --kubeconfig "$DIR/controller-manager.kubeconfig" \
      --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" \
      --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
      --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
      --cert-dir "$PKI/kcm-generated" \
      --controllers "$CP_CONTROLLERS" \
      --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
      --use-service-account-credentials=true \
      --leader-elect=false --profiling=false --v 1
  fi
  wait_for "kube-controller-manager /healthz on 127.0.0.1:$KCM_PORT" kcm_healthy || { stop; exit 1; }
  wait_for "namespace 'default'" api_get /api/v1/namespaces/default || { stop; exit 1; }
  wait_for "ServiceAccount default/default" api_get /api/v1/namespaces/default/serviceaccounts/default || { stop; exit 1; }
  log "ready: https://127.0.0.1:$APISERVER_PORT (etcd 127.0.0.1:$ETCD_PORT, controller-manager 127.0.0.1:$KCM_PORT)"
  echo "$DIR/kubeconfig"
}

stop() {
  local any=0 p pid
  # reverse order: controller-manager, apiserver, etcd
  for (( i=${#PROCS[@]}-1; i>=0; i-- )); do
    p=${PROCS[$i]}
    if pid=$(pid_of "$p"); then
      any=1
      log "stopping $p (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
      if [[ -d /proc/$pid ]]; then log "$p did not exit after 10s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$DIR/$p.pid"
  done
  [[ $any == 1 ]] || log "nothing running in $DIR"
}

status() {
  load_ports
  local ok=0
  for p in "${PROCS[@]}"; do
    if running "$p"; then log "$p: running (pid $(pid_of "$p"))"; else log "$p: not running"; ok=1; fi
  done
  if [[ -n ${APISERVER_PORT:-} ]] && readyz 2>/dev/null; then log "readyz: ok"; else log "readyz: not ok"; ok=1; fi
  return $ok
}

case $CMD in
  # Free ports are picked, then bound by the processes: another process can take one in between (two suites
  # starting control planes at once). A start that fails for that is retried once, on new ports and fresh etcd data.
  start) ( start ) || { log "start failed; retrying once on new ports"; rm -rf "$DIR/ports.env" "$DIR/etcd"; start; } ;;
  stop) stop ;;
  status) status ;;
  kubeconfig) [[ -f "$DIR/kubeconfig" ]] || die "no kubeconfig in $DIR (not started?)"; echo "$DIR/kubeconfig" ;;
  *) usage ;;
esac
