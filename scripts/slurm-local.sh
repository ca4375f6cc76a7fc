#!/usr/bin/env bash
# A single-node Slurm cluster on localhost (slurmctld + slurmd + munged), for trying the cluster
# commands and for the integration test (electron/cluster/slurm.integration.test.ts). Debian's
# slurm-wlm and munge packages provide the daemons (.ci/run installs them).
#
#   scripts/slurm-local.sh start   configure and start; prints `export SLURM_CONF=...`
#   scripts/slurm-local.sh stop    stop the daemons started here
#   scripts/slurm-local.sh env     print the export line only
#
# Everything lives under $FFN_SLURM_DIR (default /tmp/ffn-slurm): its own munge key and socket, its
# own slurm.conf (pointed at by SLURM_CONF, so /etc/slurm is never touched), state and logs. No
# cgroups: processes are tracked by parent pid (proctrack/linuxproc), tasks are not bound
# (task/none), so it runs in containers too. Run it as root (slurmd starts job steps as their user).
set -euo pipefail

DIR="${FFN_SLURM_DIR:-/tmp/ffn-slurm}"
CONF="$DIR/slurm.conf"
SOCK="$DIR/munge/munge.socket"

die() { echo "slurm-local: $*" >&2; exit 1; }

need() {
  for b in munged slurmctld slurmd sinfo; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || die "$b not found: install Slurm first (apt-get install -y slurm-wlm munge)"
  done
  [ "$(id -u)" = 0 ] || die "run as root: slurmd starts job steps as the submitting user"
}

bin() { command -v "$1" 2>/dev/null || echo "/usr/sbin/$1"; }

stop_pidfile() {
  local f="$1"
  [ -f "$f" ] || return 0
  local pid
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

stop() {
  # cancel what still runs on this cluster first, so no job step outlives its daemons
  if [ -f "$CONF" ] && [ -f "$DIR/run/slurmctld.pid" ] && kill -0 "$(cat "$DIR/run/slurmctld.pid")" 2>/dev/null; then
    local ids
    ids="$(SLURM_CONF="$CONF" squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ' || true)"
    if [ -n "${ids// /}" ]; then
      # shellcheck disable=SC2086
      SLURM_CONF="$CONF" scancel $ids 2>/dev/null || true
      for _ in $(seq 1 40); do [ -z "$(SLURM_CONF="$CONF" squeue -h -o '%A' 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  stop_pidfile "$DIR/run/slurmd.pid"
  stop_pidfile "$DIR/run/slurmctld.pid"
  stop_pidfile "$DIR/run/munged.pid"
  echo "slurm-local: stopped"
}

start() {
  need
  stop >/dev/null 2>&1 || true
  mkdir -p "$DIR"/{munge,run,log,ctld,spool}
  # the key is root's alone; the socket beside it must be reachable by the submitting user
  chmod 755 "$DIR" "$DIR/munge"
  [ -f "$DIR/munge/munge.key" ] || head -c 1024 /dev/urandom > "$DIR/munge/munge.key"
  chmod 400 "$DIR/munge/munge.key"
  local cpus mem
  cpus="$(nproc)"
  mem="$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)"
  cat > "$CONF" <<EOF
ClusterName=ffnlocal
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
SlurmctldPort=${FFN_SLURM_CTLD_PORT:-16817}
SlurmdPort=${FFN_SLURM_D_PORT:-16818}
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
SwitchType=switch/none
KillWait=5
InactiveLimit=0
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
  # munged refuses to run as root without --force; its key and socket are ours alone
  "$(bin munged)" --force --key-file="$DIR/munge/munge.key" --socket="$SOCK" --pid-file="$DIR/run/munged.pid" \
    --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munge.seed" || die "munged did not start: see $DIR/log/munged.log"
  export SLURM_CONF="$CONF"
  "$(bin slurmctld)" -f "$CONF" || die "slurmctld did not start: see $DIR/log/slurmctld.log"
  "$(bin slurmd)" -f "$CONF" -N localhost || die "slurmd did not start: see $DIR/log/slurmd.log"
  # wait until the node takes jobs
  for _ in $(seq 1 60); do
    state="$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)"
    case "$state" in idle|mix|alloc) echo "slurm-local: started (node localhost, $cpus CPUs)"; echo "export SLURM_CONF=$CONF"; return 0 ;; esac
    sleep 0.5
  done
  die "the node did not come up (state '${state:-none}'): see $DIR/log/slurmctld.log and $DIR/log/slurmd.log"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
