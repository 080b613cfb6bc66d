# Builds the Kubernetes v1.20.2 server binaries from Debian's source package, collects
# etcd/etcdctl from Debian's binary packages, and builds the two container images the lab's pods
# run (no registry is reachable): pause, compiled from the same source tree, and busybox, from
# Debian's busybox-static; all into $LAB_ARTIFACTS, with SHA256SUMS.
# Sourced by scripts/lab; cached: a second call returns at once. The binaries and the images are
# cached apart (each with its own recipe number), so a new image recipe does not rebuild Kubernetes.

_binaries_ready() { [[ -f "$LAB_ARTIFACTS/.complete-r$LAB_ARTIFACTS_RECIPE" ]]; }
_images_ready() { [[ -f "$LAB_ARTIFACTS/.images-r$LAB_IMAGES_RECIPE" ]]; }
artifacts_ready() { _binaries_ready && _images_ready; }

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
    && command -v gcc >/dev/null && command -v python3 >/dev/null \
    || die "artifacts need golang-go, rsync, dpkg-dev, gcc, libc6-dev and python3 (scripts/setup-host installs them)"
  _private_apt
  _binaries_ready || _build_binaries
  _images_ready || _build_images
}

# The unpacked Kubernetes source tree (fetched with apt-get source on first use); prints its path.
_kubernetes_tree() {
  local src="$LAB_CACHE/kubernetes-src" tree
  mkdir -p "$src"
  tree=$(find "$src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)
  if [[ -z "$tree" ]]; then
    log "artifacts: fetching Debian's kubernetes source package"
    (cd "$src" && apt-get "${APT_PRIVATE[@]}" -qq source --download-only kubernetes) >&2 \
      || die "artifacts: apt-get source kubernetes failed"
    (cd "$src" && dpkg-source --no-check -x ./kubernetes_*.dsc >/dev/null) \
      || die "artifacts: unpacking the kubernetes source failed"
    tree=$(find "$src" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n1)
  fi
  [[ -d "$tree/vendor" ]] || die "artifacts: $tree has no vendor/ directory"
  printf '%s\n' "$tree"
}

_build_binaries() {
  local debs="$LAB_CACHE/debs" started=$SECONDS tree
  mkdir -p "$debs"
  tree=$(_kubernetes_tree)

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
  log "artifacts: binaries ready in $LAB_ARTIFACTS ($((SECONDS - started)) s)"
}

# The images as OCI archives (scripts/lab.d/oci-archive.py), added to the binaries' SHA256SUMS:
# - k8s.gcr.io/pause:3.2, the sandbox image kubeadm v1.20 names: build/pause/linux/pause.c of the
#   same v1.20.2 tree, compiled statically as its Makefile does (that tree's pause is 3.4; the image
#   carries the tag the kubelet and containerd ask for). orphan.c there is a test helper, not in the image.
# - $LAB_BUSYBOX_IMAGE: Debian's static busybox with a link per applet, for the workload tests.
_build_images() {
  local debs="$LAB_CACHE/debs" work="$LAB_CACHE/images.tmp" started=$SECONDS tree
  tree=$(_kubernetes_tree)
  rm -rf "$work"; mkdir -p "$work/pause/rootfs" "$work/busybox/rootfs/bin" "$work/busybox/rootfs/tmp" "$debs"
  log "artifacts: building the pause and busybox images"
  gcc -Os -Wall -Werror -static "-DVERSION=v3.4-from-kubernetes-$KUBE_VERSION" \
    -o "$work/pause/rootfs/pause" "$tree/build/pause/linux/pause.c" \
    || die "artifacts: compiling $tree/build/pause/linux/pause.c failed"
  strip "$work/pause/rootfs/pause"
  "$work/pause/rootfs/pause" -v | grep -q '^pause.c ' || die "artifacts: the pause binary does not run"

  rm -f "$debs"/busybox-static_*.deb
  (cd "$debs" && apt-get "${APT_PRIVATE[@]}" -qq download busybox-static) \
    || die "artifacts: downloading busybox-static failed"
  dpkg-deb -x "$debs"/busybox-static_*.deb "$work/busybox/deb"
  install -m 0755 "$work/busybox/deb/bin/busybox" "$work/busybox/rootfs/bin/busybox"
  chmod 1777 "$work/busybox/rootfs/tmp"
  local applet
  for applet in $("$work/busybox/rootfs/bin/busybox" --list); do
    [[ "$applet" == busybox ]] || ln -s busybox "$work/busybox/rootfs/bin/$applet"
  done

  python3 "$here/lab.d/oci-archive.py" --name "$LAB_PAUSE_IMAGE" --rootfs "$work/pause/rootfs" \
    --entrypoint /pause --out "$work/pause-3.2.oci.tar" >&2 || die "artifacts: writing the pause image failed"
  python3 "$here/lab.d/oci-archive.py" --name "$LAB_BUSYBOX_IMAGE" --rootfs "$work/busybox/rootfs" \
    --cmd sh --env PATH=/bin --out "$work/busybox.oci.tar" >&2 || die "artifacts: writing the busybox image failed"
  install -m 0644 "$work/pause-3.2.oci.tar" "$work/busybox.oci.tar" "$LAB_ARTIFACTS/"
  (cd "$LAB_ARTIFACTS" && find . -maxdepth 1 -type f ! -name 'SHA256SUMS*' ! -name '.*' -printf '%f\n' | LC_ALL=C sort \
    | xargs sha256sum -- > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
  rm -f "$LAB_ARTIFACTS"/.images-r*
  touch "$LAB_ARTIFACTS/.images-r$LAB_IMAGES_RECIPE"
  rm -rf "$work"
  log "artifacts: images ready in $LAB_ARTIFACTS ($((SECONDS - started)) s)"
}
