# Machine lifecycle for scripts/lab: overlay roots, network namespaces, nspawn processes.
# Sourced by scripts/lab. Every step is recorded under $LAB_RUN so `down` removes exactly it.

# kernel.* and vm.* are not per network namespace: the machines share the host's kernel. The kubelet
# runs with protectKernelDefaults and refuses to start unless these hold (Bootstrap's sysctl.d drop-in
# sets them from inside a machine, which reaches the host), so `up` sets them and `down` restores them.
HOST_SYSCTLS=(vm.overcommit_memory=1 vm.panic_on_oom=0 kernel.panic=10 kernel.panic_on_oops=1
  kernel.keys.root_maxkeys=1000000 kernel.keys.root_maxbytes=25000000)
# Every cgroup hierarchy a machine gets a tree of its own in (bootstrap-lab/NAME): the v1 controllers, the
# name=systemd hierarchy and the v2 one (unified) that a hybrid-mode systemd tracks its units' processes in.
# nspawn puts the machine's payload below its own cgroup in both of the latter, so a machine booted
# from the host's root cgroup there would share /payload with every other machine: each machine's
# systemd and kubelet would see, prune and kill in the others' units, scopes and pod cgroups.
CGROUP_CONTROLLERS=(cpu cpuacct cpuset memory devices freezer blkio pids systemd unified)
WAIT_TIMEOUT=${BOOTSTRAP_LAB_WAIT_TIMEOUT:-180}
# Fault injection for the lab's own tests: NAME:no-ssh boots NAME without an SSH server.
LAB_FAULT=${BOOTSTRAP_LAB_FAULT:-}

mdir() { printf '%s/machines/%s\n' "$LAB_RUN" "$1"; }
netns_of() { printf 'lab-%s\n' "$1"; }
veth_of() { printf 'vlab-%s\n' "$1"; }
known_hosts() { printf '%s/known_hosts\n' "$LAB_RUN"; }

ssh_opts() {
  printf '%s\n' -i "$LAB_KEY" -o IdentitiesOnly=yes -o "UserKnownHostsFile=$(known_hosts)" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR
}

# PID of NAME's nspawn process if it is alive and really is that machine's nspawn.
machine_pid() {
  local f pid
  f="$(mdir "$1")/pid"
  [[ -f "$f" ]] || return 1
  pid=$(<"$f")
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "systemd-nspawn .*-M $1 " || return 1
  printf '%s\n' "$pid"
}

_save_host_sysctls() {
  local saved="$LAB_RUN/sysctl.saved" kv key
  # Keep the first, original values across repeated ups; a key added to HOST_SYSCTLS since is saved now.
  [[ -f "$saved" ]] && cp "$saved" "$saved.tmp" || : > "$saved.tmp"
  for kv in "${HOST_SYSCTLS[@]}"; do
    key=${kv%%=*}
    grep -q "^$key=" "$saved.tmp" || printf '%s=%s\n' "$key" "$(sysctl -n "$key")" >> "$saved.tmp"
  done
  mv "$saved.tmp" "$saved"
  for kv in "${HOST_SYSCTLS[@]}"; do sysctl -q -w "$kv" >/dev/null; done
}

_restore_host_sysctls() {
  local saved="$LAB_RUN/sysctl.saved" kv
  [[ -f "$saved" ]] || return 0
  while IFS= read -r kv; do [[ -n "$kv" ]] && sysctl -q -w "$kv" >/dev/null; done < "$saved"
  rm -f "$saved"
}

_ensure_bridge() {
  if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
    ip link add "$LAB_BRIDGE" type bridge
    ip addr add "$LAB_BRIDGE_ADDR/$LAB_PREFIX" dev "$LAB_BRIDGE"
    touch "$LAB_RUN/bridge.created"
  fi
  ip link set "$LAB_BRIDGE" up
}

# Per-machine identity written into the overlay's upper layer before first boot: hostname,
# machine-id, /etc/hosts, and SSH host keys whose public halves go to the lab known_hosts,
# so even the first connection is verified.
_seed_machine() {
  local name=$1 addr=$2 dir upper t
  dir=$(mdir "$name"); upper="$dir/upper"
  mkdir -p "$upper/etc/ssh" "$dir/work" "$dir/root"
  printf '%s\n' "$name" > "$upper/etc/hostname"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$upper/etc/machine-id"; echo >> "$upper/etc/machine-id"
  {
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
    local m; for m in "${LAB_MACHINES[@]}"; do printf '192.168.56.%s\t%s\n' "${m##*:}" "${m%%:*}"; done
  } > "$upper/etc/hosts"
  for t in ed25519 ecdsa rsa; do
    ssh-keygen -q -t "$t" -N '' -C "root@$name" -f "$upper/etc/ssh/ssh_host_${t}_key"
    printf '%s,%s %s\n' "$addr" "$name" "$(cut -d' ' -f1,2 "$upper/etc/ssh/ssh_host_${t}_key.pub")" >> "$(known_hosts)"
  done
  if [[ "$LAB_FAULT" == "$name:no-ssh" ]]; then
    mkdir -p "$upper/etc/systemd/system"
    ln -sfn /dev/null "$upper/etc/systemd/system/ssh.service"
  fi
}

_mount_root() {
  local dir; dir=$(mdir "$1")
  mountpoint -q "$dir/root" && return 0
  mount -t overlay overlay -o "lowerdir=$LAB_IMAGE,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
}

_ensure_netns() {
  local name=$1 addr=$2 ns veth
  ns=$(netns_of "$name"); veth=$(veth_of "$name")
  if ! ip netns list | grep -qx "$ns\( (id: [0-9]*)\)\?"; then
    ip netns add "$ns"
  fi
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip -n "$ns" addr add "$addr/$LAB_PREFIX" dev eth0
  fi
  ip link set "$veth" master "$LAB_BRIDGE" up
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route replace default via "$LAB_BRIDGE_ADDR"
  # A new network namespace starts with forwarding off. The machines are prepared as an admin prepares
  # bare metal for Kubernetes (vagrant/provision.sh does the same): forwarding on, which preflight checks.
  ip netns exec "$ns" sysctl -q -w net.ipv4.ip_forward=1
}

# A new v1 cpuset cgroup has no CPUs and no memory nodes, and takes no process until it has both:
# give bootstrap-lab and bootstrap-lab/NAME their parent's.
_inherit_cpuset() {
  local parent=/sys/fs/cgroup/cpuset dir f
  for dir in "$parent/bootstrap-lab" "$parent/bootstrap-lab/$1"; do
    for f in cpuset.cpus cpuset.mems; do
      [[ -n $(cat "$dir/$f") ]] || cat "$parent/$f" > "$dir/$f"
    done
    parent=$dir
  done
}

# Boots NAME's nspawn from its own cgroup in every v1 hierarchy, so machines do not share
# the host's root cgroups; records its PID. containerd's state (/var/lib/containerd) is a directory of
# the host's disk, kept with the machine's: its overlayfs snapshotter cannot put layers on an overlayfs
# (the machine's root), while a real machine's disk is ext4 or xfs.
_boot() {
  local name=$1 dir ns
  dir=$(mdir "$name"); ns=$(netns_of "$name")
  machine_pid "$name" >/dev/null && return 0
  mkdir -p "$dir/containerd"
  # A tree left by a run that never powered the machine off (a killed host, an older scripts/lab) would
  # make nspawn find its payload cgroup made already, and fail.
  _rm_machine_cgroups "$name"
  (
    exec 9>&-   # never hold the scripts/lab lock for the machine's lifetime
    local c
    for c in "${CGROUP_CONTROLLERS[@]}"; do
      if [[ -d "/sys/fs/cgroup/$c" ]]; then
        mkdir -p "/sys/fs/cgroup/$c/bootstrap-lab/$name" 2>/dev/null || continue
        [[ $c == cpuset ]] && _inherit_cpuset "$name"
        echo "$BASHPID" > "/sys/fs/cgroup/$c/bootstrap-lab/$name/cgroup.procs" 2>/dev/null || true
      fi
    done
    # @keyring: nspawn's default seccomp filter refuses the kernel keyring (EPERM), which runc needs for
    # each container's session keyring; a real host allows it.
    exec setsid systemd-nspawn -D "$dir/root" -b --register=no --keep-unit --capability=all \
      --system-call-filter=@keyring --bind="$dir/containerd:/var/lib/containerd" \
      --network-namespace-path="/run/netns/$ns" -M "$name" > "$dir/console.log" 2>&1 < /dev/null
  ) &
  local pid=$! i
  echo "$pid" > "$dir/pid"
  # Until the subshell has moved itself into the cgroups and exec'd, the PID is not nspawn yet.
  for ((i = 0; i < 100; i++)); do
    machine_pid "$name" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  machine_pid "$name" >/dev/null || {
    printf '%s: systemd-nspawn did not start; console:\n%s\n' "$name" "$(tail -n 15 "$dir/console.log" 2>/dev/null)" >&2
    return 1
  }
}

# Every process still in NAME's cgroup (the pids hierarchy holds exactly that machine's processes).
_machine_procs() {
  local dir="/sys/fs/cgroup/pids/bootstrap-lab/$1"
  [[ -d "$dir" ]] || return 0
  find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
}

# After nspawn is gone, a container whose nspawn was SIGKILLed keeps running orphaned (its systemd
# is reparented to the host's init). Kill what is left in the machine's cgroup and wait until it is empty.
_kill_leftovers() {
  local name=$1 pids i
  for ((i = 0; i < 40; i++)); do
    pids=$(_machine_procs "$name")
    [[ -z "$pids" ]] && return 0
    ((i == 0)) && log "$name: killing processes left in its cgroup: $(echo $pids)"
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  done
  log "warning: $name: processes survive in its cgroup: $(_machine_procs "$name" | tr '\n' ' ')"
}

_stop_pid() { # NAME: TERM (orderly poweroff), then KILL after 30 s, then anything left in its cgroup
  local name=$1 pid i
  if ! pid=$(machine_pid "$name"); then _kill_leftovers "$name"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: nspawn $pid ignored SIGTERM for 30 s, killing"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  _kill_leftovers "$name"
}

# Waits until NAME answers SSH with systemd `running`; on timeout says why.
_wait_ready() {
  local name=$1 addr=$2 deadline state="" opts
  mapfile -t opts < <(ssh_opts)
  deadline=$((SECONDS + WAIT_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! machine_pid "$name" >/dev/null; then
      printf '%s: its nspawn process exited; console:\n%s\n' "$name" "$(tail -n 15 "$(mdir "$name")/console.log" 2>/dev/null)" > "$(mdir "$name")/failure"
      return 1
    fi
    state=$(ssh "${opts[@]}" "root@$addr" systemctl is-system-running 2>&1) && [[ "$state" == running ]] && return 0
    [[ "$state" == degraded ]] && break
    sleep 1
  done
  local why
  if [[ "$state" == degraded ]]; then
    why="systemd is degraded; failed units: $(ssh "${opts[@]}" "root@$addr" systemctl --failed --no-legend --plain 2>&1 | awk '{print $1}' | tr '\n' ' ')"
  elif [[ "$state" == *"Connection refused"* || "$state" == *"timed out"* || "$state" == *"No route"* ]]; then
    why="no SSH answer at $addr:22 within ${WAIT_TIMEOUT}s (last: ${state##*: })"
  else
    why="systemd not running within ${WAIT_TIMEOUT}s (last state: ${state:-none})"
  fi
  printf '%s: %s\n' "$name" "$why" > "$(mdir "$name")/failure"
  return 1
}

lab_up() {
  local started=$SECONDS name addr m
  mkdir -p "$LAB_CACHE" "$LAB_RUN/machines"; chmod 0700 "$LAB_RUN"
  command -v systemd-nspawn >/dev/null || die "systemd-nspawn is missing (scripts/setup-host installs systemd-container)"
  build_image
  build_artifacts
  _UP_DONE=0
  trap '_on_up_exit' EXIT
  trap 'log "up interrupted"; exit 130' INT TERM
  _save_host_sysctls
  _ensure_bridge
  local fresh=()
  for m in "${LAB_MACHINES[@]}"; do
    name=${m%%:*}; addr=192.168.56.${m##*:}
    if machine_pid "$name" >/dev/null; then continue; fi
    [[ -d "$(mdir "$name")/upper/etc/ssh" ]] || _seed_machine "$name" "$addr"
    _mount_root "$name"
    _ensure_netns "$name" "$addr"
    _boot "$name"
    fresh+=("$name")
  done
  if ((${#fresh[@]})); then log "booting: ${fresh[*]}"; fi
  # Wait for every machine in parallel; collect all failures, not just the first.
  local pids=() failed=()
  for m in "${LAB_MACHINES[@]}"; do
    name=${m%%:*}; addr=192.168.56.${m##*:}
    rm -f "$(mdir "$name")/failure"
    _wait_ready "$name" "$addr" & pids+=("$!:$name")
  done
  local p
  for p in "${pids[@]}"; do wait "${p%%:*}" || failed+=("${p#*:}"); done
  if ((${#failed[@]})); then
    for name in "${failed[@]}"; do cat "$(mdir "$name")/failure" >&2 2>/dev/null || printf '%s: failed\n' "$name" >&2; done
    log "up failed on: ${failed[*]}"
    exit 1
  fi
  _UP_DONE=1
  trap - EXIT INT TERM
  log "up: ${#LAB_MACHINES[@]} machines ready in $((SECONDS - started)) s (artifacts: $LAB_ARTIFACTS)"
  lab_status
}

# Any exit from `up` before every machine is ready (a failed step, a machine that never
# answers, Ctrl-C) tears the whole lab down, so nothing half-made is left behind.
_on_up_exit() {
  local rc=$?
  trap - EXIT INT TERM
  ((_UP_DONE)) && return 0
  ((rc)) || rc=1
  log "up did not complete (exit $rc); tearing everything down"
  lab_down || true
  exit "$rc"
}

lab_down() {
  local name dir ns veth c mp
  for name in $(machine_names); do _stop_pid "$name" & done
  wait
  # Anything mounted below the run directory (overlays; nspawn's leftovers after a kill).
  if [[ -d "$LAB_RUN" ]]; then
    while read -r mp; do
      umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
    done < <(awk -v run="$LAB_RUN/" 'index($2, run) == 1 {print $2}' /proc/self/mounts | sort -r)
  fi
  for name in $(machine_names); do
    ns=$(netns_of "$name"); veth=$(veth_of "$name")
    if ip link show "$veth" >/dev/null 2>&1; then ip link del "$veth" 2>/dev/null || true; fi
    if ip netns list | grep -q "^$ns\b"; then ip netns del "$ns" 2>/dev/null || true; fi
    _rm_machine_cgroups "$name"
    dir=$(mdir "$name")
    if [[ -d "$dir" ]] && ! mountpoint -q "$dir/root"; then rm -rf "$dir"; fi
  done
  for c in "${CGROUP_CONTROLLERS[@]}"; do
    if [[ -d "/sys/fs/cgroup/$c/bootstrap-lab" ]]; then _rm_cgroup "/sys/fs/cgroup/$c/bootstrap-lab"; fi
  done
  if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then ip link del "$LAB_BRIDGE"; fi
  _restore_host_sysctls
  rm -f "$LAB_RUN/bridge.created" "$(known_hosts)"
  rmdir "$LAB_RUN/machines" 2>/dev/null || true
  log "down: nothing of the lab is left"
}

# Removes NAME's cgroup trees, as a power-off leaves none: the next boot starts without the last one's
# service, scope and pod cgroups.
_rm_machine_cgroups() {
  local c
  for c in "${CGROUP_CONTROLLERS[@]}"; do
    if [[ -d "/sys/fs/cgroup/$c/bootstrap-lab/$1" ]]; then _rm_cgroup "/sys/fs/cgroup/$c/bootstrap-lab/$1"; fi
  done
}

# Removes a cgroup directory and the children systemd/kubelet made inside it (deepest first).
# A killed machine's last processes can take a moment to leave their cgroups, and rmdir fails
# while any remain, so retry until the subtree is gone (up to 20 s), then say what is left.
_rm_cgroup() {
  local dir=$1 i
  for ((i = 0; i < 40; i++)); do
    find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [[ -d "$dir" ]] || return 0
    sleep 0.5
  done
  log "warning: cannot remove cgroup $dir; processes still in it: $(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' ')"
}

lab_stop_machine() {
  local name=$1
  machine_addr "$name" >/dev/null || die "no lab machine named '$name' (machines: $(machine_names | tr '\n' ' '))"
  machine_pid "$name" >/dev/null || { log "$name is not running"; return 0; }
  _stop_pid "$name"
  _rm_machine_cgroups "$name"
  local dir; dir=$(mdir "$name")
  if mountpoint -q "$dir/root"; then umount "$dir/root"; fi
  rm -f "$dir/pid"
  log "$name: powered off (disk kept in $dir/upper)"
}

# NAME FROZEN|THAWED: the v1 freezer of the machine's own cgroup (its descendants follow). A frozen
# machine keeps its network namespace: the kernel still answers TCP, no process does.
lab_freeze_machine() {
  local name=$1 state=$2 dir
  machine_addr "$name" >/dev/null || die "no lab machine named '$name' (machines: $(machine_names | tr '\n' ' '))"
  dir="/sys/fs/cgroup/freezer/bootstrap-lab/$name"
  [[ -f "$dir/freezer.state" ]] || die "$name has no freezer cgroup ($dir): is it running?"
  echo "$state" > "$dir/freezer.state"
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(cat "$dir/freezer.state") == "$state" ]] && { log "$name: ${state,,}"; return 0; }
    sleep 0.1
  done
  die "$name: the freezer did not reach $state (now $(cat "$dir/freezer.state"))"
}

# What a machine is doing, seen from the host without logging in (for a machine whose SSH takes the login but runs
# no session): its cgroup's freezer state and memory, every process with its state, kernel wait channel and age,
# the kernel stack and open files of each one running (state R: a daemon spinning keeps nothing else of it going),
# blocked in the kernel (state D) or belonging to sshd, and the tail of its journal
# (read in its own mount namespace, so both the runtime and the persistent journal are seen).
lab_inspect_machine() {
  local name=$1 pid init p state
  machine_addr "$name" >/dev/null || die "no lab machine named '$name' (machines: $(machine_names | tr '\n' ' '))"
  pid=$(machine_pid "$name") || die "$name is not running"
  printf '%s: nspawn %s; freezer %s; memory %s bytes; load (host) %s\n' "$name" "$pid" \
    "$(cat "/sys/fs/cgroup/freezer/bootstrap-lab/$name/freezer.state" 2>/dev/null || echo '?')" \
    "$(cat "/sys/fs/cgroup/memory/bootstrap-lab/$name/memory.usage_in_bytes" 2>/dev/null || echo '?')" "$(cat /proc/loadavg)"
  printf '%-8s %-5s %-24s %-9s %-9s %s\n' PID STATE WCHAN AGE CPU COMMAND
  for p in $(_machine_procs "$name" | sort -n); do
    [[ -r "/proc/$p/stat" ]] || continue
    state=$(awk '/^State:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    printf '%-8s %-5s %-24s %-9s %-9s %s\n' "$p" "$state" "$(cat "/proc/$p/wchan" 2>/dev/null)" \
      "$(ps -o etime= -p "$p" 2>/dev/null | tr -d ' ')" "$(ps -o time= -p "$p" 2>/dev/null | tr -d ' ')" \
      "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-120)"
  done
  for p in $(_machine_procs "$name" | sort -n); do
    state=$(awk '/^State:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    if [[ $state == [DR] ]] || tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q '^sshd'; then
      printf -- '--- kernel stack of %s (%s)\n' "$p" "$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-80)"
      cat "/proc/$p/stack" 2>/dev/null || echo '(unreadable)'
      if [[ $state == R ]]; then
        printf -- '--- open files of %s\n' "$p"
        ls -l "/proc/$p/fd" 2>/dev/null | awk 'NR > 1 {print $(NF-2), $(NF-1), $NF}'
      fi
    fi
  done
  init=$(pgrep -P "$pid" | head -n 1)
  if [[ -n $init ]]; then
    printf -- '--- journal (last 60 lines)\n'
    timeout 20 nsenter -t "$init" -m -- journalctl -b -n 60 --no-pager -o short-monotonic 2>&1 || echo "(journalctl: exit $?)"
  fi
}

lab_start_machine() {
  local name=$1 addr
  addr=$(machine_addr "$name") || die "no lab machine named '$name' (machines: $(machine_names | tr '\n' ' '))"
  [[ -d "$(mdir "$name")/upper" ]] || die "$name has no disk: run scripts/lab up first"
  ip link show "$LAB_BRIDGE" >/dev/null 2>&1 || die "the lab bridge is missing: run scripts/lab up first"
  if ! machine_pid "$name" >/dev/null; then
    _mount_root "$name"
    _ensure_netns "$name" "$addr"
    _boot "$name"
  fi
  _wait_ready "$name" "$addr" || { cat "$(mdir "$name")/failure" >&2; exit 1; }
  log "$name: running"
}

lab_status() {
  local m name addr pid state
  printf '%-6s %-15s %-9s %s\n' MACHINE ADDRESS STATE PID
  for m in "${LAB_MACHINES[@]}"; do
    name=${m%%:*}; addr=192.168.56.${m##*:}
    if pid=$(machine_pid "$name"); then state=running
    elif [[ -d "$(mdir "$name")/upper" ]]; then state=stopped; pid=-
    else state=absent; pid=-; fi
    printf '%-6s %-15s %-9s %s\n' "$name" "$addr" "$state" "$pid"
  done
  printf '%-6s %-15s %s\n' vip "$LAB_VIP" "(reserved for the load balancer)"
  printf 'image:     %s\n' "$(image_ready && echo "$LAB_IMAGE" || echo 'not built')"
  printf 'artifacts: %s\n' "$(artifacts_ready && echo "$LAB_ARTIFACTS" || echo 'not built')"
  printf 'ssh key:   %s   known_hosts: %s\n' "$LAB_KEY" "$(known_hosts)"
}

lab_ssh() {
  [[ $# -ge 1 ]] || die "usage: scripts/lab ssh NAME [COMMAND...]"
  local name=$1 addr opts; shift
  addr=$(machine_addr "$name") || die "no lab machine named '$name' (machines: $(machine_names | tr '\n' ' '))"
  mapfile -t opts < <(ssh_opts)
  exec ssh "${opts[@]}" "root@$addr" "$@"
}
