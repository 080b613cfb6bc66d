#!/bin/sh
# Prepares one Vagrant machine the way an admin prepares bare metal for Bootstrap:
# packages, swap off, kernel modules, sysctls, /etc/hosts. It installs no Kubernetes component:
# that is `bootstrap init`'s job. Idempotent.
set -eu
name=$1
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  containerd runc containernetworking-plugins iptables conntrack socat ethtool ebtables kmod \
  etcd-server etcd-client haproxy keepalived curl ca-certificates openssl sudo >/dev/null
# Bootstrap owns these services and their configuration; Debian enables them on install.
systemctl disable --now etcd haproxy keepalived containerd >/dev/null 2>&1 || true

# The kubelet refuses to run with swap on.
swapoff -a
sed -i -E 's@^([^#].*[[:space:]]swap[[:space:]].*)$@# \1  # disabled for Kubernetes@' /etc/fstab

printf 'overlay\nbr_netfilter\n' > /etc/modules-load.d/bootstrap.conf
modprobe overlay
modprobe br_netfilter
cat > /etc/sysctl.d/90-bootstrap.conf <<'SYSCTL'
net.ipv4.ip_forward = 1
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
SYSCTL
sysctl -q --system

# Every lab machine by name, as scripts/lab does; the host name must not resolve to loopback
# (the kubelet would pick the wrong node address).
sed -i -e '/# bootstrap-lab$/d' -e '/^127\.0\.1\.1[[:space:]]/d' /etc/hosts
for entry in lb1:11 lb2:12 cp1:21 cp2:22 cp3:23 w1:31 w2:32 w3:33 w4:34 w5:35 w6:36 w7:37 w8:38 w9:39 spare:41; do
  printf '192.168.56.%s\t%s # bootstrap-lab\n' "${entry#*:}" "${entry%%:*}" >> /etc/hosts
done
echo "$name: prepared for bootstrap"
