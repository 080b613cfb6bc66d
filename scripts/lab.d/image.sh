# Builds the cached Debian bookworm base image every lab machine boots from (read-only lower
# layer of each machine's overlay). Sourced by scripts/lab.

image_ready() { [[ -f "$LAB_IMAGE/.complete" ]]; }

IMAGE_PACKAGES="etcd-server etcd-client containerd runc containernetworking-plugins iptables \
conntrack socat ethtool ebtables kmod procps curl ca-certificates openssl haproxy keepalived \
iputils-ping sudo"

ensure_lab_key() {
  if [[ ! -f "$LAB_KEY" ]]; then
    mkdir -p "$(dirname "$LAB_KEY")"; chmod 0700 "$(dirname "$LAB_KEY")"
    ssh-keygen -q -t ed25519 -N '' -C bootstrap-lab -f "$LAB_KEY"
  fi
}

build_image() {
  ensure_lab_key
  if image_ready && cmp -s "$LAB_KEY.pub" "$LAB_IMAGE/root/.ssh/authorized_keys"; then
    log "image: cached in $LAB_IMAGE"; return 0
  fi
  command -v debootstrap >/dev/null || die "image: debootstrap is missing (scripts/setup-host installs it)"
  local tmp="$LAB_IMAGE.tmp" started=$SECONDS
  _image_umount "$tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  log "image: debootstrap bookworm (~75 s)"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,openssh-server,iproute2,dbus \
    bookworm "$tmp" "$(host_mirror)" > "$LAB_CACHE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$LAB_CACHE/debootstrap.log" >&2; die "image: debootstrap failed (log: $LAB_CACHE/debootstrap.log)"; }

  log "image: installing lab packages (~30 s)"
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  mount --bind /proc "$tmp/proc"; mount --bind /sys "$tmp/sys"; mount --bind /dev "$tmp/dev"
  # Daemons must not start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"; chmod 0755 "$tmp/usr/sbin/policy-rc.d"
  local ok=0
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get -qq update && apt-get -y -qq install --no-install-recommends $IMAGE_PACKAGES" \
    > "$LAB_CACHE/image-packages.log" 2>&1 || ok=$?
  if [[ $ok -eq 0 ]]; then
    # The installer owns these services: Debian enables them on install.
    chroot "$tmp" systemctl disable etcd haproxy keepalived containerd >/dev/null 2>&1 || ok=$?
    chroot "$tmp" apt-get clean || true
  fi
  rm -f "$tmp/usr/sbin/policy-rc.d"
  _image_umount "$tmp"
  [[ $ok -eq 0 ]] || { tail -n 20 "$LAB_CACHE/image-packages.log" >&2; die "image: package install failed (log: $LAB_CACHE/image-packages.log)"; }

  _image_customise "$tmp"
  touch "$tmp/.complete"
  rm -rf "$LAB_IMAGE"; mv "$tmp" "$LAB_IMAGE"
  log "image: ready in $LAB_IMAGE ($((SECONDS - started)) s, $(du -sh "$LAB_IMAGE" | cut -f1))"
}

_image_umount() {
  local d
  for d in dev sys proc; do mountpoint -q "$1/$d" 2>/dev/null && umount -l "$1/$d"; done
  return 0
}

_image_customise() {
  local root=$1 here
  here=$(dirname "${BASH_SOURCE[0]}")
  install -d -m 0700 "$root/root/.ssh"
  install -m 0600 "$LAB_KEY.pub" "$root/root/.ssh/authorized_keys"
  # Each machine gets its own identity at first boot (hostname is set by nspawn -M).
  : > "$root/etc/machine-id"
  rm -f "$root"/etc/ssh/ssh_host_*
  install -m 0644 "$here/files/lab-ssh-hostkeys.service" "$root/etc/systemd/system/"
  install -m 0644 "$here/files/lab-kubelet-prep.service" "$root/etc/systemd/system/"
  install -m 0755 "$here/files/lab-kubelet-prep" "$root/usr/local/sbin/lab-kubelet-prep"
  chroot "$root" systemctl enable lab-ssh-hostkeys.service lab-kubelet-prep.service >/dev/null 2>&1
  install -d -m 0755 "$root/etc/systemd/journald.conf.d"
  install -m 0644 "$here/files/lab-journald.conf" "$root/etc/systemd/journald.conf.d/lab.conf"
  # Noise and slow units a container does not need.
  chroot "$root" systemctl mask systemd-networkd-wait-online.service apt-daily.timer \
    apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1 || true
  printf 'nameserver 192.168.56.1\n' > "$root/etc/resolv.conf"
  # A non-root lab user with passwordless sudo, for the transport's sudo path.
  chroot "$root" useradd -m -s /bin/bash -G sudo lab >/dev/null 2>&1 || true
  install -d -m 0700 -o 1000 -g 1000 "$root/home/lab/.ssh" 2>/dev/null || install -d -m 0700 "$root/home/lab/.ssh"
  install -m 0600 "$LAB_KEY.pub" "$root/home/lab/.ssh/authorized_keys"
  chroot "$root" chown -R lab:lab /home/lab/.ssh
  printf 'lab ALL=(ALL) NOPASSWD:ALL\n' > "$root/etc/sudoers.d/lab"; chmod 0440 "$root/etc/sudoers.d/lab"
}
