#!/usr/bin/env bash
# smbtorture-samba.sh - runs the smbtorture suites SmbTortureIT runs against DittoFS (same command
# line: --target=samba3, share //127.0.0.1/export, signing required) against Samba's own smbd
# (standalone, its own config and state under a scratch directory), and prints pass/fail/skip per
# suite, for the table in docs/smb.md. Needs apt samba and samba-testsuite (installed if missing).
#
#   bench/smbtorture-samba.sh [--out DIR] [--timeout 600] [suite ...]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/samba-lib.sh"
OUT=${TMPDIR:-/tmp}/smbtorture-samba-$(date +%Y%m%d-%H%M%S); TIMEOUT=600
SUITES=(connect read rw create getinfo setinfo dir lock rename delete-on-close-perms compound session)
ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    -h|--help) sed -n '2,7p' "$0"; exit 0;;
    *) ARGS+=("$1"); shift;;
  esac
done
[ ${#ARGS[@]} -gt 0 ] && SUITES=("${ARGS[@]}")
if ! command -v smbd > /dev/null || ! command -v smbtorture > /dev/null; then
  apt-get install -y samba samba-testsuite > /dev/null
fi
mkdir -p "$OUT"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PASS=Torture-$RANDOM$RANDOM
start_samba "$OUT/samba" "$OUT/export" "$PORT" "$PASS" mandatory "$OUT/samba.log" || exit 1
SPID=$SAMBA_PID
trap 'kill $SPID 2>/dev/null || true' EXIT
{
echo "| suite | pass | fail | skip |"; echo "|---|---|---|---|"
for s in "${SUITES[@]}"; do
  (cd "$OUT/export" && timeout "$TIMEOUT" smbtorture //127.0.0.1/export -p "$PORT" -U "root%$PASS" \
      --target=samba3 --format=subunit "smb2.$s" > "$OUT/$s.subunit" 2>&1) || true
  p=$(grep -c '^success' "$OUT/$s.subunit" || true); f=$(grep -cE '^(failure|error)' "$OUT/$s.subunit" || true)
  k=$(grep -c '^skip' "$OUT/$s.subunit" || true)
  echo "| smb2.$s | $p | $f | $k |"
done
} | tee "$OUT/summary.md"
echo "results: $OUT" >&2
