# samba-lib.sh - Samba's smbd as a peer for the bench scripts (sourced by compare-smb.sh and
# smbtorture-samba.sh): standalone, its own config, private dirs and passdb under a scratch
# directory, one share [export], SMB2.02 and up, user root, loopback only.
#
#   start_samba DIR EXPORT PORT PASSWORD SIGNING LOG [LOG_LEVEL]
#
# DIR holds smb.conf and smbd's state; EXPORT is the shared directory; SIGNING is the value of
# "server signing" (auto, mandatory); LOG is smbd's log file, its stdout goes beside it
# (LOG with .stdout for .log). Sets SAMBA_PID and returns once smbd listens on PORT (1 if it
# exits, or does not listen within 30 s: then it is stopped). The caller stops it.
start_samba() {
  local dir=$1 export=$2 port=$3 pass=$4 signing=$5 log=$6 level=${7:-}
  mkdir -p "$dir"/{run,lock,state,cache,private} "$export"
  cat > "$dir/smb.conf" <<CONF
[global]
  server role = standalone server
  smb ports = $port
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  pid directory = $dir/run
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  private dir = $dir/private
  passdb backend = tdbsam:$dir/private/passdb.tdb
  log file = $log${level:+
  log level = $level}
  load printers = no
  disable spoolss = yes
  server min protocol = SMB2_02
  server signing = $signing
  map to guest = never
[export]
  path = $export
  read only = no
CONF
  printf '%s\n%s\n' "$pass" "$pass" | smbpasswd -c "$dir/smb.conf" -s -a root > /dev/null
  # own session: smbd signals its whole process group when it stops, which would take the caller along
  setsid smbd --foreground --no-process-group -s "$dir/smb.conf" > "${log%.log}.stdout" 2>&1 &
  SAMBA_PID=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$SAMBA_PID" 2>/dev/null || { echo "start_samba: smbd exited (see $log)" >&2; return 1; }
    sleep 0.1
  done
  kill "$SAMBA_PID" 2>/dev/null || true
  echo "start_samba: smbd did not listen on $port in 30 s" >&2; return 1
}
