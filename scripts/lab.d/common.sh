# Shared settings for scripts/lab. Sourced, never run.
# Everything heavy lives outside the clone, under LAB_CACHE; runtime state under LAB_RUN.

LAB_CACHE=${BOOTSTRAP_LAB_CACHE:-/var/cache/bootstrap-lab}
LAB_RUN=${BOOTSTRAP_LAB_RUN:-/var/lib/bootstrap-lab}
LAB_BRIDGE=labbr0
LAB_BRIDGE_ADDR=192.168.56.1
LAB_PREFIX=24
LAB_VIP=192.168.56.10
KUBE_VERSION=v1.20.2
# What the upgrade tests move to (scripts/lab.d/upgrade-artifacts.sh).
KUBE_UPGRADE_VERSION=v1.20.3-lab.0
ETCD_UPGRADE_VERSION=3.5.16
# Bump when the image or artifact recipe changes, so caches are rebuilt.
LAB_IMAGE_RECIPE=4
LAB_ARTIFACTS_RECIPE=1
LAB_UPGRADE_RECIPE=1
LAB_IMAGES_RECIPE=1

LAB_IMAGE="$LAB_CACHE/image-r$LAB_IMAGE_RECIPE"
LAB_ARTIFACTS="$LAB_CACHE/artifacts/$KUBE_VERSION"
LAB_UPGRADE_ARTIFACTS="$LAB_CACHE/artifacts/$KUBE_UPGRADE_VERSION"
LAB_ETCD_UPGRADE_ARTIFACTS="$LAB_CACHE/artifacts/etcd-$ETCD_UPGRADE_VERSION"
LAB_KEY="$LAB_CACHE/ssh/id_ed25519"
# The images the lab builds (scripts/lab.d/artifacts.sh): the sandbox image as kubeadm v1.20 names it,
# and a busybox for test pods, named in a domain no registry serves, so nothing pretends to pull it.
LAB_PAUSE_IMAGE=k8s.gcr.io/pause:3.2
LAB_BUSYBOX_IMAGE=lab.bootstrap.invalid/busybox:1.35

# name:last-octet, in boot order.
LAB_MACHINES=(lb1:11 lb2:12 cp1:21 cp2:22 cp3:23 w1:31 w2:32 spare:41)

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# The Debian mirror the host itself uses (deb822 or one-line sources).
host_mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [[ -z "$uri" ]]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

machine_addr() { # NAME -> 192.168.56.X
  local m
  for m in "${LAB_MACHINES[@]}"; do
    [[ "${m%%:*}" == "$1" ]] && { printf '192.168.56.%s\n' "${m##*:}"; return 0; }
  done
  return 1
}

machine_names() { local m; for m in "${LAB_MACHINES[@]}"; do printf '%s\n' "${m%%:*}"; done; }

require_root() { [[ $(id -u) -eq 0 ]] || die "scripts/lab needs root (network namespaces, mounts, nspawn)"; }
