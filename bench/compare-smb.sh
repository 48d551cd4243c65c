# compare-smb.sh - the SMB section of compare.sh (sourced by it: uses WORK, OUT, ROOT, HERE, PIDS,
# free_port, stop; Samba starts through samba-lib.sh). DittoFS's SMB adapter (persistent defaults, signing enabled but not
# required) vs Samba's smbd (standalone, its own config, private dirs and passdb in WORK), each
# serving a directory of the same file system on a free loopback port, one after the other. The
# client is smbclient -m SMB3; every figure is the wall time of one smbclient run (connect,
# session, transfer), so small files include smbclient's own per-file round trips.
. "$HERE/samba-lib.sh"
SMB_MB=256; SMB_FILES=1000; SMB_USER=bench; SMB_PASS=bench-smb-password
mkdir -p "$WORK/smb-src/small"
dd if=/dev/urandom of="$WORK/smb-src/big.bin" bs=1M count=$SMB_MB status=none
for i in $(seq 1 $SMB_FILES); do head -c 4096 /dev/urandom > "$WORK/smb-src/small/f$i.bin"; done
SMB_SUM=$(sha256sum "$WORK/smb-src/big.bin" | cut -d' ' -f1)

smbrun() { # port user%pass protection commands -> seconds (smbclient's wall time)
  local t0 t1
  t0=$(date +%s.%N)
  smbclient //127.0.0.1/export -p "$1" -U "$2" -m SMB3 --client-protection="$3" -c "$4" \
    >> "$OUT/smbclient.log" 2>&1 || { echo "compare.sh: smbclient -c '$4' failed on port $1" >&2; tail -5 "$OUT/smbclient.log" >&2; return 1; }
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}
smbbench() { # label port user%pass -> appends "label put get sput sget mput mget" to smb.tsv
  local row=("$1") sec prot
  for prot in off sign; do
    rm -f "$WORK/smb-get.bin"
    sec=$(smbrun "$2" "$3" $prot "put $WORK/smb-src/big.bin big.bin"); row+=("$(awk -v s="$sec" -v m=$SMB_MB 'BEGIN{printf "%.0f", m/s}')")
    sec=$(smbrun "$2" "$3" $prot "get big.bin $WORK/smb-get.bin"); row+=("$(awk -v s="$sec" -v m=$SMB_MB 'BEGIN{printf "%.0f", m/s}')")
    [ "$(sha256sum "$WORK/smb-get.bin" | cut -d' ' -f1)" = "$SMB_SUM" ] || { echo "compare.sh: $1 returned other bytes" >&2; return 1; }
    smbrun "$2" "$3" $prot "del big.bin" > /dev/null
  done
  rm -f "$WORK/smb-get.bin"
  mkdir -p "$WORK/smb-mget"
  sec=$(smbrun "$2" "$3" off "mkdir small; cd small; lcd $WORK/smb-src/small; prompt off; mput *"); row+=("$(awk -v s="$sec" -v n=$SMB_FILES 'BEGIN{printf "%.0f", n/s}')")
  sec=$(smbrun "$2" "$3" off "cd small; lcd $WORK/smb-mget; prompt off; mget *"); row+=("$(awk -v s="$sec" -v n=$SMB_FILES 'BEGIN{printf "%.0f", n/s}')")
  sec=$(smbrun "$2" "$3" off "cd small; del *"); row+=("$(awk -v s="$sec" -v n=$SMB_FILES 'BEGIN{printf "%.0f", n/s}')")
  [ "$(ls "$WORK/smb-mget" | wc -l)" = $SMB_FILES ] || { echo "compare.sh: $1 mget fetched $(ls "$WORK/smb-mget" | wc -l) files" >&2; return 1; }
  rm -rf "$WORK/smb-mget"
  (IFS=$'\t'; echo "${row[*]}") >> "$OUT/smb.tsv"
}
: > "$OUT/smb.tsv"; : > "$OUT/smbclient.log"

# ---- DittoFS SMB adapter: a user made through the API, signing enabled (not required) ----
SP=$(free_port); AP=$(free_port); NP=$(free_port)
mkdir -p "$WORK/dfs-smb-home" "$WORK/dfs-smb-data"
HOME="$WORK/dfs-smb-home" "$ROOT/dfs" start --foreground --bind 127.0.0.1 --nfs-port "$NP" --smb-port "$SP" \
  --api-bind 127.0.0.1 --api-port "$AP" --data-dir "$WORK/dfs-smb-data" > "$OUT/dittofs-smb.log" 2>&1 &
DSPID=$!; PIDS+=("$DSPID")
for _ in $(seq 1 300); do grep -aq READY "$OUT/dittofs-smb.log" && break; kill -0 $DSPID 2>/dev/null || break; sleep 0.1; done
grep -aq READY "$OUT/dittofs-smb.log" || { echo "compare.sh: DittoFS (SMB) did not start:" >&2; tail -20 "$OUT/dittofs-smb.log" >&2; exit 1; }
ADMIN=$(grep -ao "created user 'admin' with password [^ ]*" "$OUT/dittofs-smb.log" | awk '{print $NF}')
sed -i 's/with password [^ ]*/with password (removed)/' "$OUT/dittofs-smb.log"
dfsctl_() { HOME="$WORK/dfs-smb-home" "$ROOT/dfsctl" "$@" > /dev/null; }
dfsctl_ login --server "http://127.0.0.1:$AP" -u admin -p "$ADMIN"
dfsctl_ user passwd --current "$ADMIN" --new "bench-admin-$RANDOM$RANDOM"
dfsctl_ user create "$SMB_USER" -p "$SMB_PASS" --uid 4400 --gid 4400
dfsctl_ share permission grant /export --user "$SMB_USER" --permission read-write 2>/dev/null || true
dfsctl_ adapter set smb --set signing=enabled
sleep 1
echo "== dittofs SMB on $SP" >&2
smbbench dittofs "$SP" "$SMB_USER%$SMB_PASS"
stop "$DSPID"

# ---- Samba smbd: standalone, its own config and state under WORK, share on the same file system ----
SS=$(free_port)
start_samba "$WORK/samba" "$WORK/samba-export" "$SS" "$SMB_PASS" auto "$OUT/samba.log" 1 || exit 1
SPID=$SAMBA_PID; PIDS+=("$SPID")
cp "$WORK/samba/smb.conf" "$OUT/samba.conf"
echo "== samba smbd $(smbd -V) on $SS" >&2
smbbench samba "$SS" "root%$SMB_PASS"
stop "$SPID"

{
  echo "| server | put MB/s | get MB/s | signed put MB/s | signed get MB/s | small mput files/s | small mget files/s | small del files/s |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  while IFS=$'\t' read -r l a b c d e f g; do echo "| $l | $a | $b | $c | $d | $e | $f | $g |"; done < "$OUT/smb.tsv"
  echo
  echo "smbclient $(smbclient -V) -m SMB3, ${SMB_MB} MiB file, $SMB_FILES files of 4 KiB; $(nproc) CPUs, client and servers on one host"
} > "$OUT/smb.md"
cat "$OUT/smb.md"
