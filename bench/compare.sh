#!/usr/bin/env bash
# compare.sh - side-by-side NFSv3 benchmark: DittoFS (persistent defaults: LMDB metadata, local
# files, mmap WAL) vs NFS-Ganesha (FSAL VFS on a directory of the same file system, and FSAL MEM),
# both on loopback, one after the other, driven by the same bench/nfsload client settings.
#
#   bench/compare.sh [--seconds 10] [--connections 2] [--depth 4] [--workloads all] [--files 50000]
#                    [--warmup 1] [--prewarm 5] [--no-mem] [--no-ganesha] [--no-smb | --smb-only] [--profile]
#                    [--out bench/results/DATE]
#                    [--nfs-version 3|4.1]  (4.1: nfsload's own NFSv4.1 client, paths from each server's v4 pseudo root)
#
# Warm-up, the same for every server: a pre-pass of every selected workload (--prewarm seconds
# each, in a scratch directory, 1,000 listing entries, not measured) right after the server
# starts, then --warmup seconds before each measured workload. The pre-pass lets the JVM's JIT
# compile DittoFS' hot paths before anything is measured (without it the C2 compiler took about
# a third of DittoFS' CPU during 5 s runs); Ganesha, native code, runs the same calls. --prewarm 0
# skips it.
#
# Server RSS (VmRSS sampled every 50 ms: peak during each workload, after it, VmHWM) is recorded
# next to server CPU/op for every server. --profile: after DittoFS' measured run, one more
# unmeasured pass per workload under JFR (settings=profile, started and stopped with jcmd), summed
# up in --out/profile-WORKLOAD.txt (jfr view cpu-time-hot-methods with JDK 25's CPU-time sampler on,
# hot-methods, allocation-by-site, allocation-by-class, gc).
#
# Needs: JDK 25, libnfs13, nfs-ganesha nfs-ganesha-vfs nfs-ganesha-mem rpcbind (apt). Prints one
# Markdown table (DittoFS/peer ratios) and writes JSON, the table and PNG charts to --out.
# SMB section (unless --no-smb): DittoFS's SMB adapter vs Samba's smbd, both serving a directory of
# the same file system, driven by smbclient (SMB3): put/get of a 256 MiB file unsigned and signed,
# and a small-file workload (mput/mget/del of 1000 files of 4 KiB); table in --out/smb.md. It
# installs samba, samba-vfs-modules and smbclient with apt-get when smbd or smbclient is missing.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SECONDS_PER=10; CONNS=2; DEPTH=4; WORKLOADS=all; FILES=50000; MEM=1; GANESHA=1; WARMUP=1; PREWARM=5; SMB=1; NFS=1; NFSVER=3
PROFILE=0
OUT="$HERE/results/$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --prewarm) PREWARM=$2; shift 2;;
    --connections) CONNS=$2; shift 2;;
    --depth) DEPTH=$2; shift 2;;
    --workloads) WORKLOADS=$2; shift 2;;
    --files) FILES=$2; shift 2;;
    --no-mem) MEM=0; shift;;
    --no-ganesha) GANESHA=0; MEM=0; shift;;
    --no-smb) SMB=0; shift;;
    --smb-only) NFS=0; GANESHA=0; MEM=0; shift;;
    --profile) PROFILE=1; shift;;
    --out) OUT=$2; shift 2;;
    --nfs-version) NFSVER=$2; shift 2; [ "$NFSVER" = 3 ] || [ "$NFSVER" = 4.1 ] || { echo "compare.sh: --nfs-version 3 or 4.1" >&2; exit 2; };;
    -h|--help) sed -n '2,28p' "$0"; exit 0;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2;;
  esac
done

[ -f "$ROOT/controlplane/target/dittofs.jar" ] && [ -f "$HERE/target/benchmarks.jar" ] || \
  (cd "$ROOT" && ./mvnw -q -DskipTests package -pl bench,controlplane -am)
if [ $GANESHA = 1 ]; then
  for b in ganesha.nfsd rpcbind; do
    command -v $b >/dev/null || { echo "compare.sh: $b missing: apt-get install nfs-ganesha nfs-ganesha-vfs nfs-ganesha-mem rpcbind" >&2; exit 1; }
  done
fi

if [ $SMB = 1 ] && ! { command -v smbd >/dev/null && command -v smbclient >/dev/null \
    && dpkg -s samba-vfs-modules >/dev/null 2>&1; }; then
  echo "compare.sh: installing samba samba-vfs-modules smbclient (apt-get)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q samba samba-vfs-modules smbclient >/dev/null
  # the package starts its own daemons on 445/139; this benchmark runs smbd itself on a free port
  systemctl disable --now smbd nmbd samba-ad-dc >/dev/null 2>&1 || true
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# data on the same (disk-backed) file system for both servers; /var/tmp is not a tmpfs here
WORK=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/dittofs-compare.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$(( (RANDOM % 20000) + 30000 ))
    ss -Htln "sport = :$p" | grep -q . || { echo $p; return; }
  done
}
wait_port() { # port pid what
  for _ in $(seq 1 300); do
    ss -Htln "sport = :$1" | grep -q . && return 0
    kill -0 "$2" 2>/dev/null || { echo "compare.sh: $3 exited" >&2; return 1; }
    sleep 0.1
  done
  echo "compare.sh: $3 did not listen on $1 in 30 s" >&2; return 1
}
stop() { # pid
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
nfs_url() { # export-or-pseudo-path nfsport mountport
  if [ "$NFSVER" = 4.1 ]; then echo "nfs://127.0.0.1$1?version=4.1&nfsport=$2"; else echo "nfs://127.0.0.1$1?nfsport=$2&mountport=$3"; fi
}
load() { # label url pid
  if [ "$PREWARM" != 0 ]; then
    echo "== $1: pre-pass, $PREWARM s per workload (not measured)" >&2
    "$HERE/nfsload" --url "$2" --workload "$WORKLOADS" --connections "$CONNS" --depth "$DEPTH" \
      --seconds "$PREWARM" --warmup 0 --files 1000 --dir /prewarm --label "$1-prewarm" > "$OUT/$1-prewarm.txt" 2>&1 || \
      echo "compare.sh: nfsload reported failures in the pre-pass for $1" >&2
  fi
  echo "== $1: $2" >&2
  "$HERE/nfsload" --url "$2" --workload "$WORKLOADS" --connections "$CONNS" --depth "$DEPTH" \
    --seconds "$SECONDS_PER" --warmup "$WARMUP" --files "$FILES" --server-pid "$3" --label "$1" \
    --json "$OUT/$1.json" | tee "$OUT/$1.txt" || echo "compare.sh: nfsload reported failures for $1" >&2
}

profile() { # label url pid: one JFR recording per workload, summarised with jfr view
  local bin w list=$WORKLOADS
  bin=$(dirname "$(readlink "/proc/$3/exe")")
  [ "$list" = all ] && list=$("$HERE/nfsload" --help | sed -n "s/.*'all': \[\(.*\)\]/\1/p" | tr -d ' ')
  for w in ${list//,/ }; do
    echo "== $1: JFR profile of $w (not measured)" >&2
    "$bin/jcmd" "$3" JFR.start name="nfsload-$w" settings=profile 'jdk.CPUTimeSample#enabled=true' >/dev/null
    "$HERE/nfsload" --url "$2" --workload "$w" --connections "$CONNS" --depth "$DEPTH" --seconds "$SECONDS_PER" \
      --warmup 0 --files 1000 --dir /profile --label "$1-profile" --server-pid "$3" > "$OUT/profile-$w.load.txt" 2>&1 || true
    "$bin/jcmd" "$3" JFR.stop name="nfsload-$w" filename="$OUT/profile-$w.jfr" >/dev/null
    { cat "$OUT/profile-$w.load.txt"
      for v in cpu-time-hot-methods hot-methods allocation-by-site allocation-by-class gc; do "$bin/jfr" view --width 160 $v "$OUT/profile-$w.jfr"; done
    } > "$OUT/profile-$w.txt" 2>&1
    rm -f "$OUT/profile-$w.load.txt"
  done
}

RESULTS=()
if [ $NFS = 1 ]; then
# ---- DittoFS, persistent defaults (fresh data dir, HOME in the work dir) ----
P=$(free_port)
mkdir -p "$WORK/dfs-home" "$WORK/dfs-data"
HOME="$WORK/dfs-home" "$ROOT/dfs" start --foreground --bind 127.0.0.1 --nfs-port "$P" --api-port 0 \
  --data-dir "$WORK/dfs-data" > "$OUT/dittofs.log" 2>&1 &
DPID=$!; PIDS+=("$DPID")
for _ in $(seq 1 300); do grep -aq READY "$OUT/dittofs.log" && break; kill -0 $DPID 2>/dev/null || break; sleep 0.1; done
grep -aq READY "$OUT/dittofs.log" || { echo "compare.sh: DittoFS did not start:" >&2; tail -20 "$OUT/dittofs.log" >&2; exit 1; }
sed -i 's/with password [^ ]*/with password (removed)/' "$OUT/dittofs.log"   # throwaway admin; keep it out of results
load dittofs "$(nfs_url /export "$P" "$P")" "$DPID"
[ $PROFILE = 0 ] || profile dittofs "$(nfs_url /export "$P" "$P")" "$DPID"
stop "$DPID"
RESULTS=("$OUT/dittofs.json")
fi

# ---- NFS-Ganesha: VFS export on a directory of the same file system, MEM export ----
if [ $GANESHA = 1 ]; then
  if ! pgrep -x rpcbind >/dev/null; then
    rpcbind -f > "$OUT/rpcbind.log" 2>&1 &   # Ganesha exits at start without rpcbind
    PIDS+=("$!"); sleep 0.5
  fi
  GP=$(free_port); GM=$(free_port)
  mkdir -p "$WORK/ganesha-vfs" "$WORK/ganesha-run"
  cat > "$WORK/ganesha.conf" <<CONF
NFS_CORE_PARAM {
  Bind_addr = 127.0.0.1; NFS_Port = $GP; MNT_Port = $GM;
  Enable_NLM = false; Enable_RQUOTA = false; Enable_UDP = false;
  Protocols = 3, 4; Mount_Path_Pseudo = true;
}
NFSV4 { Graceless = true; Minor_Versions = 0, 1, 2; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
  Export_Id = 1; Path = $WORK/ganesha-vfs; Pseudo = /export;
  Access_Type = RW; Squash = No_Root_Squash; Protocols = 3, 4; Transports = TCP;
  FSAL { Name = VFS; }
  CLIENT { Clients = 127.0.0.1; Access_Type = RW; }
}
EXPORT {
  Export_Id = 2; Path = /mem; Pseudo = /mem;
  Access_Type = RW; Squash = No_Root_Squash; Protocols = 3, 4; Transports = TCP;
  FSAL { Name = MEM; }
  CLIENT { Clients = 127.0.0.1; Access_Type = RW; }
}
CONF
  cp "$WORK/ganesha.conf" "$OUT/ganesha.conf"
  ganesha.nfsd -F -f "$WORK/ganesha.conf" -L "$OUT/ganesha.log" -p "$WORK/ganesha-run/ganesha.pid" -N NIV_EVENT \
    > "$OUT/ganesha.stdout" 2>&1 &
  GPID=$!; PIDS+=("$GPID")
  wait_port "$GP" "$GPID" ganesha.nfsd
  wait_port "$GM" "$GPID" ganesha.nfsd
  load ganesha-vfs "$(nfs_url /export "$GP" "$GM")" "$GPID"
  RESULTS+=("$OUT/ganesha-vfs.json")
  if [ $MEM = 1 ]; then
    load ganesha-mem "$(nfs_url /mem "$GP" "$GM")" "$GPID"
    RESULTS+=("$OUT/ganesha-mem.json")
  fi
  stop "$GPID"
fi

if [ $SMB = 1 ]; then
  . "$HERE/compare-smb.sh"
fi
[ ${#RESULTS[@]} -gt 0 ] || { echo "results: $OUT"; exit 0; }

echo
echo "client: bench/nfsload over NFSv$NFSVER --connections $CONNS --depth $DEPTH --seconds $SECONDS_PER --warmup $WARMUP --files $FILES, pre-pass ${PREWARM} s per workload ($(nproc) CPUs, client and server on one host)"
echo
"$HERE/nfsload" compare --out "$OUT" "${RESULTS[@]}"
echo "results: $OUT"
