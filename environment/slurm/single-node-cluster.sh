#!/usr/bin/env bash
# A throw-away single-node Slurm cluster for tests (Debian packages slurmctld, slurmd, slurm-client, munge; installed by
# environment/install.sh). No systemd, no cgroups, no accounting: every file the cluster writes (munge key and socket,
# slurm.conf, controller state, spool, pid files, logs) lives in one state folder, and /etc/slurm, /etc/munge and any
# system munged or Slurm are left alone. Needs root (slurmd starts jobs as the submitting user).
#
#   environment/slurm/single-node-cluster.sh up STATE_DIR     start; writes STATE_DIR/env (export SLURM_CONF=…)
#   environment/slurm/single-node-cluster.sh down STATE_DIR   cancel jobs, stop every daemon this cluster started
#   environment/slurm/single-node-cluster.sh status STATE_DIR
#
# Environment: SNC_CPUS (CPUs the node declares; more than the machine has is allowed, default 4),
# SNC_TIMEOUT (seconds to wait for each daemon, default 30). Ports are chosen free at `up`.
#
# Traps this script handles (see tests/P2PFlex.Tests/MonteCarlo/SlurmClusterTests.cs, which uses it):
# - munged refuses a socket folder that it or any parent is not world-searchable (o+x): the socket then goes to a
#   mktemp folder under /tmp;
# - every Slurm command must see this cluster's config: SLURM_CONF (written to STATE_DIR/env);
# - slurmctld only runs where SlurmctldHost names this host: "localhost" with address 127.0.0.1;
# - afterok dependants of a failed array would wait forever (DependencyNeverSatisfied) without
#   DependencyParameters=kill_invalid_depend (sbatch --kill-on-invalid-dep=yes asks for the same per job);
# - in a container whose PID 1 does not reap, dead daemons linger as zombies and `kill -0` says they live: liveness is
#   read from /proc/PID/stat;
# - job processes outlive `scontrol shutdown` when slurmd dies first: leftover slurmstepd processes holding files of
#   this state folder, and their children, are killed at `down`.
set -euo pipefail
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac

TIMEOUT=${SNC_TIMEOUT:-30}
log() { printf '[slurm-test %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

alive() { # a pid is alive unless gone or a zombie
  local pid=${1:-} st
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ $st != Z && $st != X ]]
}
pid_of() { [[ -s $1 ]] && tr -dc '0-9' <"$1" || true; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { # a port nothing listens on, from a range away from Slurm's defaults
  local p tries=0
  while (( tries++ < 200 )); do
    p=$(( 20000 + RANDOM % 30000 ))
    port_busy "$p" || port_busy "$((p + 1))" || { echo "$p"; return 0; }
  done
  die "no free port found"
}
wait_until() { # wait_until SECONDS WHAT PIDFILE CMD...: until CMD succeeds; fail fast if the daemon died
  local secs=$1 what=$2 pidfile=$3; shift 3
  local start=$SECONDS pid
  until "$@" >/dev/null 2>&1; do
    pid=$(pid_of "$pidfile")
    if [[ -n $pid ]] && ! alive "$pid"; then log "$what exited"; return 1; fi
    (( SECONDS - start < secs )) || { log "timed out after ${secs}s waiting for $what"; return 1; }
    sleep 0.2
  done
}
world_searchable() {
  local d=$1
  while [[ -n $d && $d != / ]]; do
    (( 0$(stat -c %a "$d") & 1 )) || return 1
    d=${d%/*}
  done
}

paths() { # STATE → every path
  STATE=$(cd "$1" && pwd -P)
  CONF=$STATE/slurm.conf
  MUNGE_DIR=$(cat "$STATE/munge-dir" 2>/dev/null || echo "$STATE/munge")
  MUNGE_SOCK=$MUNGE_DIR/munge.socket
  export SLURM_CONF=$CONF
}
dump_logs() {
  local f
  for f in "$STATE"/log/*.log; do [[ -f $f ]] && { log "---- $f"; tail -n 20 "$f" >&2; }; done
  return 0
}
node_idle() { [[ $(sinfo -h -N -o '%T' 2>/dev/null | head -n1) == idle ]]; }

cmd_up() {
  [[ $(id -u) == 0 ]] || die "must run as root (slurmd starts jobs as the submitting user)"
  local b
  for b in slurmctld slurmd slurmstepd sbatch squeue scontrol sinfo munged munge unmunge; do
    command -v "$b" >/dev/null || die "$b not found: run environment/install.sh (Debian packages slurmctld slurmd slurm-client munge)"
  done
  mkdir -p "$1"
  paths "$1"
  [[ -f $STATE/env ]] && die "$STATE already holds a cluster; 'down' it first"
  # From here on, a failure must not leave half a cluster running.
  trap 'dump_logs; cmd_down "$STATE" >/dev/null 2>&1 || true' ERR
  chmod 755 "$STATE"
  if world_searchable "$STATE"; then MUNGE_DIR=$STATE/munge
  else MUNGE_DIR=$(mktemp -d /tmp/slurm-test-munge.XXXXXX); echo "$MUNGE_DIR" >"$STATE/munge-dir"; fi
  MUNGE_SOCK=$MUNGE_DIR/munge.socket
  mkdir -p "$STATE/ctld" "$STATE/spool" "$STATE/run" "$STATE/log" "$STATE/key" "$MUNGE_DIR"
  chmod 755 "$MUNGE_DIR"; chmod 700 "$STATE/key"
  mungekey --create --keyfile="$STATE/key/munge.key" >/dev/null 2>&1 || dd if=/dev/urandom of="$STATE/key/munge.key" bs=1024 count=1 status=none
  chmod 600 "$STATE/key/munge.key"

  local ctld_port slurmd_port node mem
  ctld_port=$(free_port); slurmd_port=$((ctld_port + 1))
  node=$(hostname -s)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
  cat >"$CONF" <<EOF
# written by environment/slurm/single-node-cluster.sh: one node, no systemd, no cgroups, no accounting
ClusterName=p2pflextest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
DependencyParameters=kill_invalid_depend
ReturnToService=2
KillWait=2
MinJobAge=600
SlurmdParameters=config_overrides
NodeName=$node NodeHostname=$node NodeAddr=127.0.0.1 CPUs=${SNC_CPUS:-4} RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

  env -u SLURM_CONF munged --socket="$MUNGE_SOCK" --key-file="$STATE/key/munge.key" --pid-file="$MUNGE_DIR/munged.pid" \
    --seed-file="$MUNGE_DIR/munged.seed" --log-file="$STATE/log/munged.log" --num-threads=2
  wait_until "$TIMEOUT" munged "$MUNGE_DIR/munged.pid" bash -c "munge -n -S '$MUNGE_SOCK' | unmunge -S '$MUNGE_SOCK'"
  slurmctld -c -f "$CONF"
  wait_until "$TIMEOUT" slurmctld "$STATE/run/slurmctld.pid" bash -c "scontrol ping | grep -q 'is UP'"
  slurmd -f "$CONF" -N "$node"
  if ! wait_until "$TIMEOUT" slurmd "$STATE/run/slurmd.pid" node_idle; then
    scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
    wait_until 10 "node $node idle" "$STATE/run/slurmd.pid" node_idle
  fi
  printf 'export SLURM_CONF=%q\n' "$CONF" >"$STATE/env"
  trap - ERR
  log "up: $(sinfo -h -o '%P %a %D %T %C') (ports $ctld_port/$slurmd_port, state $STATE)"
}

leftovers() { # slurmstepd processes holding a file of this state folder open, and all their descendants
  local d f exe roots=()
  for d in /proc/[0-9]*; do
    exe=$(readlink "$d/exe" 2>/dev/null) || continue
    [[ $exe == */slurmstepd* ]] || continue
    for f in "$d"/fd/*; do
      [[ $(readlink "$f" 2>/dev/null) == "$STATE"/* ]] && { roots+=("${d#/proc/}"); break; }
    done
  done
  (( ${#roots[@]} )) || return 0
  local -A keep=() parent=()
  local p changed=1
  for p in "${roots[@]}"; do keep[$p]=1; done
  for d in /proc/[0-9]*; do p=${d#/proc/}; parent[$p]=$(sed 's/.*) //' "$d/stat" 2>/dev/null | cut -d' ' -f2); done
  while (( changed )); do
    changed=0
    for p in "${!parent[@]}"; do
      if [[ -z ${keep[$p]:-} && -n ${parent[$p]} && -n ${keep[${parent[$p]}]:-} ]]; then keep[$p]=1; changed=1; fi
    done
  done
  for p in "${!keep[@]}"; do alive "$p" && echo "$p"; done
  return 0
}

cmd_down() {
  [[ -d $1 ]] || die "no state folder $1"
  paths "$1"
  local ctld slurmd munged p
  ctld=$(pid_of "$STATE/run/slurmctld.pid"); slurmd=$(pid_of "$STATE/run/slurmd.pid"); munged=$(pid_of "$MUNGE_DIR/munged.pid")
  if alive "$ctld"; then
    scancel --quiet --full -u "$(id -un)" 2>/dev/null || true
    local until=$((SECONDS + 10))
    while [[ -n $(squeue -h -o %A 2>/dev/null) ]] && (( SECONDS < until )); do sleep 0.2; done
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  for p in $slurmd $ctld; do alive "$p" && kill -TERM "$p" 2>/dev/null || true; done
  local until=$((SECONDS + 15))
  while { alive "$ctld" || alive "$slurmd"; } && (( SECONDS < until )); do sleep 0.1; done
  for p in $slurmd $ctld; do alive "$p" && kill -KILL "$p" 2>/dev/null || true; done
  local left; left=$(leftovers)
  [[ -z $left ]] || { log "killing leftover job processes: $(echo $left)"; kill -KILL $left 2>/dev/null || true; }
  if alive "$munged"; then
    kill -TERM "$munged" 2>/dev/null || true
    until=$((SECONDS + 10))
    while alive "$munged" && (( SECONDS < until )); do sleep 0.1; done
    alive "$munged" && kill -KILL "$munged" 2>/dev/null || true
  fi
  [[ $MUNGE_DIR == "$STATE"/* ]] || rm -rf "$MUNGE_DIR"
  rm -f "$STATE/env" "$STATE/run/"*.pid
  log "down (logs kept in $STATE/log)"
}

cmd_status() {
  paths "$1"
  if alive "$(pid_of "$STATE/run/slurmctld.pid")" && scontrol ping 2>/dev/null | grep -q 'is UP'; then sinfo; squeue; else echo "down"; return 1; fi
}

[[ $# -eq 2 ]] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
case $1 in
  up) cmd_up "$2" ;;
  down) cmd_down "$2" ;;
  status) cmd_status "$2" ;;
  *) die "unknown command '$1' (up, down, status)" ;;
esac
