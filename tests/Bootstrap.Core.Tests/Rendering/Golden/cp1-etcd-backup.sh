#!/bin/sh
# Rendered by Bootstrap for cp1; a later `bootstrap init` overwrites changes.
# Run by etcd-backup.service (started by etcd-backup.timer): saves a snapshot of etcd
# (cluster lab) from this member into /var/lib/etcd-backup and keeps the newest 12.
set -eu
umask 077
directory=/var/lib/etcd-backup
name=lab-cp1-$(date -u +%Y%m%dT%H%M%SZ).db
mkdir -p -- "$directory"
# etcdctl writes NAME.part and renames it once the whole snapshot is there.
/usr/local/bin/etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key \
  --dial-timeout=10s snapshot save "$directory/$name"
# Names sort by time: keep the newest 12 of this member's snapshots, remove the older ones.
ls -1 -- "$directory" | grep -E '^lab-cp1-[0-9]{8}T[0-9]{6}Z\.db$' | sort -r | tail -n +13 |
  while read -r old; do rm -f -- "$directory/$old"; done
echo "saved $directory/$name; keeping the newest 12"
