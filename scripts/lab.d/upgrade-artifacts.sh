# The artifacts an upgrade moves to (issue 15): the same Kubernetes source as $LAB_ARTIFACTS
# stamped $KUBE_UPGRADE_VERSION, and etcd $ETCD_UPGRADE_VERSION from Debian trixie's packages.
# The Kubernetes set is the v1.20.2 tree relinked with a newer version stamp (Go's build cache
# makes it a link step): the same code under a newer version, which proves the rolling mechanics
# (staging, order, drains, skew checks, rollback) but no change in Kubernetes itself. The etcd set
# is a real minor upgrade (3.4 -> 3.5). Each set has a SHA256SUMS; both are cached.
# Sourced by scripts/lab after artifacts.sh.

# The Kubernetes set carries copies of $LAB_ARTIFACTS' image archives: it is rebuilt when their recipe changes too.
_kube_upgrade_mark() { printf '%s\n' ".complete-r$LAB_UPGRADE_RECIPE-images-r$LAB_IMAGES_RECIPE"; }

_upgrade_ready() {
  [[ -f "$LAB_UPGRADE_ARTIFACTS/$(_kube_upgrade_mark)" && -f "$LAB_ETCD_UPGRADE_ARTIFACTS/.complete-r$LAB_UPGRADE_RECIPE" ]]
}

build_upgrade_artifacts() {
  if _upgrade_ready; then log "upgrade artifacts: cached in $LAB_UPGRADE_ARTIFACTS and $LAB_ETCD_UPGRADE_ARTIFACTS"; return 0; fi
  build_artifacts
  local started=$SECONDS
  [[ -f "$LAB_UPGRADE_ARTIFACTS/$(_kube_upgrade_mark)" ]] || _build_kubernetes_upgrade
  [[ -f "$LAB_ETCD_UPGRADE_ARTIFACTS/.complete-r$LAB_UPGRADE_RECIPE" ]] || _collect_etcd_upgrade
  log "upgrade artifacts: ready ($((SECONDS - started)) s)"
}

# Every file of $LAB_ARTIFACTS (binaries, the pause and busybox image archives, anything else the lab's
# cluster file takes from it), with the Kubernetes binaries relinked under $KUBE_UPGRADE_VERSION; its
# SHA256SUMS lists them all.
_build_kubernetes_upgrade() {
  local tree out="$LAB_UPGRADE_ARTIFACTS.tmp" started=$SECONDS
  tree=$(find "$LAB_CACHE/kubernetes-src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)
  [[ -n "$tree" && -d "$tree/.go/src/k8s.io" ]] || die "upgrade artifacts: the Kubernetes tree of $LAB_ARTIFACTS is gone; remove $LAB_ARTIFACTS and run scripts/lab artifacts"
  log "upgrade artifacts: relinking Kubernetes as $KUBE_UPGRADE_VERSION (same source, cached build: a few minutes)"
  # The unpacked archive names its own tag (hack/lib/version.sh prefers it to KUBE_GIT_VERSION); a version
  # file is read instead of both. The commit stays the source's.
  local commit version_file="$LAB_CACHE/kubernetes-upgrade-version.env"
  commit=$(sed -n "s/^ *KUBE_GIT_COMMIT='\([0-9a-f]\{40\}\)'$/\1/p" "$tree/hack/lib/version.sh" | head -n1)
  [[ "$KUBE_UPGRADE_VERSION" =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "upgrade artifacts: $KUBE_UPGRADE_VERSION is not vMAJOR.MINOR.PATCH"
  printf "KUBE_GIT_COMMIT='%s'\nKUBE_GIT_TREE_STATE='clean'\nKUBE_GIT_VERSION='%s'\nKUBE_GIT_MAJOR='%s'\nKUBE_GIT_MINOR='%s'\n" \
    "$commit" "$KUBE_UPGRADE_VERSION" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" > "$version_file"
  (
    cd "$tree/.go/src/k8s.io/kubernetes" &&
    env HOME="$LAB_CACHE/gohome" GOPATH="$tree/.go" GOCACHE="$LAB_CACHE/gocache" \
        CGO_ENABLED=0 KUBE_GIT_VERSION_FILE="$version_file" \
        make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet cmd/kube-proxy cmd/kubectl"
  ) > "$LAB_CACHE/kubernetes-upgrade-build.log" 2>&1 \
    || { tail -n 30 "$LAB_CACHE/kubernetes-upgrade-build.log" >&2; die "upgrade artifacts: build failed (log: $LAB_CACHE/kubernetes-upgrade-build.log)"; }

  rm -rf "$out"; mkdir -p "$out"
  find "$LAB_ARTIFACTS" -maxdepth 1 -type f ! -name 'SHA256SUMS*' ! -name '.*' -exec cp -p {} "$out"/ \;
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    install -m 0755 "$tree/_output/bin/$b" "$out/$b"
    if [[ "$b" == kubectl ]]; then "$out/$b" version --client --short; else "$out/$b" --version; fi 2>/dev/null | grep -q "$KUBE_UPGRADE_VERSION" \
      || die "upgrade artifacts: $b --version does not report $KUBE_UPGRADE_VERSION"
  done
  (cd "$out" && find . -maxdepth 1 -type f ! -name 'SHA256SUMS*' ! -name '.*' -printf '%f\n' | LC_ALL=C sort | xargs sha256sum -- > SHA256SUMS)
  touch "$out/$(_kube_upgrade_mark)"
  rm -rf "$LAB_UPGRADE_ARTIFACTS"; mv "$out" "$LAB_UPGRADE_ARTIFACTS"
  log "upgrade artifacts: Kubernetes $KUBE_UPGRADE_VERSION in $LAB_UPGRADE_ARTIFACTS ($((SECONDS - started)) s)"
}

# etcd and etcdctl from trixie's etcd-server/etcd-client, through a private apt configuration.
_collect_etcd_upgrade() {
  local dir="$LAB_CACHE/apt-trixie" debs="$LAB_CACHE/debs-trixie" out="$LAB_ETCD_UPGRADE_ARTIFACTS.tmp" mirror
  mirror=$(host_mirror)
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$debs"
  printf 'deb %s trixie main\n' "$mirror" > "$dir/sources.list"
  local apt=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-"
             -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
             -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
  apt-get "${apt[@]}" -qq update || die "upgrade artifacts: apt-get update for trixie failed"
  log "upgrade artifacts: collecting etcd $ETCD_UPGRADE_VERSION from trixie"
  rm -f "$debs"/*.deb
  (cd "$debs" && apt-get "${apt[@]}" -qq download "etcd-server=$ETCD_UPGRADE_VERSION*" "etcd-client=$ETCD_UPGRADE_VERSION*") \
    || die "upgrade artifacts: downloading etcd-server/etcd-client $ETCD_UPGRADE_VERSION from trixie failed"
  local ex="$debs/x"; rm -rf "$ex"; mkdir -p "$ex"
  local d; for d in "$debs"/etcd-server_*.deb "$debs"/etcd-client_*.deb; do dpkg-deb -x "$d" "$ex"; done
  rm -rf "$out"; mkdir -p "$out"
  install -m 0755 "$ex/usr/bin/etcd" "$out/etcd"
  install -m 0755 "$ex/usr/bin/etcdctl" "$out/etcdctl"
  "$out/etcd" --version | grep -q "etcd Version: $ETCD_UPGRADE_VERSION" \
    || die "upgrade artifacts: etcd --version is not $ETCD_UPGRADE_VERSION"
  (cd "$out" && sha256sum -- etcd etcdctl > SHA256SUMS)
  touch "$out/.complete-r$LAB_UPGRADE_RECIPE"
  rm -rf "$LAB_ETCD_UPGRADE_ARTIFACTS"; mv "$out" "$LAB_ETCD_UPGRADE_ARTIFACTS"
}
