# Builds the Kubernetes v1.20.2 server binaries from Debian's source package and collects
# etcd/etcdctl from Debian's binary packages into $LAB_ARTIFACTS, with SHA256SUMS.
# Sourced by scripts/lab; cached: a second call returns at once.

artifacts_ready() { [[ -f "$LAB_ARTIFACTS/.complete-r$LAB_ARTIFACTS_RECIPE" ]]; }

# A private apt configuration with a deb-src entry, so the host's sources stay untouched.
_private_apt() {
  local dir="$LAB_CACHE/apt" mirror
  mirror=$(host_mirror)
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  printf 'deb-src %s bookworm main\ndeb %s bookworm main\n' "$mirror" "$mirror" > "$dir/sources.list"
  APT_PRIVATE=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-"
               -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
               -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
  apt-get "${APT_PRIVATE[@]}" -qq update
}

build_artifacts() {
  if artifacts_ready; then log "artifacts: cached in $LAB_ARTIFACTS"; return 0; fi
  command -v go >/dev/null && command -v rsync >/dev/null && command -v dpkg-source >/dev/null \
    || die "artifacts need golang-go, rsync and dpkg-dev (scripts/setup-host installs them)"
  local src="$LAB_CACHE/kubernetes-src" debs="$LAB_CACHE/debs" started=$SECONDS
  _private_apt
  mkdir -p "$src" "$debs"

  local tree
  tree=$(find "$src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)
  if [[ -z "$tree" ]]; then
    log "artifacts: fetching Debian's kubernetes source package"
    (cd "$src" && apt-get "${APT_PRIVATE[@]}" -qq source --download-only kubernetes) \
      || die "artifacts: apt-get source kubernetes failed"
    (cd "$src" && dpkg-source --no-check -x ./kubernetes_*.dsc >/dev/null) \
      || die "artifacts: unpacking the kubernetes source failed"
    tree=$(find "$src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)
  fi
  [[ -d "$tree/vendor" ]] || die "artifacts: $tree has no vendor/ directory"

  # reflect2 1.0.1 (vendored) panics under Go 1.19 when encoding maps; 1.0.2 from Debian fixes it.
  if [[ ! -f "$tree/.reflect2-replaced" ]]; then
    log "artifacts: replacing vendored reflect2 with Debian's 1.0.2"
    (cd "$debs" && apt-get "${APT_PRIVATE[@]}" -qq download golang-github-modern-go-reflect2-dev) \
      || die "artifacts: downloading golang-github-modern-go-reflect2-dev failed"
    local x="$debs/reflect2-x"; rm -rf "$x"; mkdir -p "$x"
    dpkg-deb -x "$debs"/golang-github-modern-go-reflect2-dev_*.deb "$x"
    local from="$x/usr/share/gocode/src/github.com/modern-go/reflect2"
    [[ -d "$from" ]] || die "artifacts: reflect2 sources not found in the package"
    local to="$tree/vendor/github.com/modern-go/reflect2"
    rm -f "$to"/*.go "$to"/*.s
    find "$from" -maxdepth 1 \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' -exec cp {} "$to"/ \;
    touch "$tree/.reflect2-replaced"
  fi

  log "artifacts: building Kubernetes $KUBE_VERSION (fresh ~11 min on 2 cores, incremental ~4 min)"
  mkdir -p "$tree/.go/src/k8s.io" "$LAB_CACHE/gohome"
  ln -sfn "$tree" "$tree/.go/src/k8s.io/kubernetes"
  (
    cd "$tree/.go/src/k8s.io/kubernetes" &&
    env HOME="$LAB_CACHE/gohome" GOPATH="$tree/.go" GOCACHE="$LAB_CACHE/gocache" \
        CGO_ENABLED=0 KUBE_GIT_VERSION="$KUBE_VERSION" KUBE_GIT_TREE_STATE=clean \
        make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubelet cmd/kube-proxy cmd/kubeadm cmd/kubectl"
  ) > "$LAB_CACHE/kubernetes-build.log" 2>&1 \
    || { tail -n 30 "$LAB_CACHE/kubernetes-build.log" >&2; die "artifacts: Kubernetes build failed (log: $LAB_CACHE/kubernetes-build.log)"; }

  log "artifacts: collecting etcd/etcdctl from Debian's packages"
  (cd "$debs" && apt-get "${APT_PRIVATE[@]}" -qq download etcd-server etcd-client) \
    || die "artifacts: downloading etcd-server/etcd-client failed"
  local ex="$debs/etcd-x"; rm -rf "$ex"; mkdir -p "$ex"
  local d; for d in "$debs"/etcd-server_*.deb "$debs"/etcd-client_*.deb; do dpkg-deb -x "$d" "$ex"; done

  local out="$LAB_ARTIFACTS.tmp"; rm -rf "$out"; mkdir -p "$out"
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubeadm kubectl; do
    install -m 0755 "$tree/_output/bin/$b" "$out/$b"
  done
  install -m 0755 "$ex/usr/bin/etcd" "$out/etcd"
  install -m 0755 "$ex/usr/bin/etcdctl" "$out/etcdctl"
  (cd "$out" && sha256sum -- * > SHA256SUMS)
  "$out/kube-apiserver" --version | grep -qx "Kubernetes $KUBE_VERSION" \
    || die "artifacts: kube-apiserver --version is not $KUBE_VERSION"
  touch "$out/.complete-r$LAB_ARTIFACTS_RECIPE"
  rm -rf "$LAB_ARTIFACTS"; mv "$out" "$LAB_ARTIFACTS"
  log "artifacts: ready in $LAB_ARTIFACTS ($((SECONDS - started)) s)"
}
