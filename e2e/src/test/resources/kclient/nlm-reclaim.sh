# NFSv3 (NLM) lock reclaim after a server restart, driven by the server's SM_NOTIFY (KernelNlmReclaimIT).
# The host watches guest-state (through NFSv3), SIGKILLs and restarts the server when it says "held",
# waits for the reclaim in the server log and writes host-state; after the grace period it checks the lock
# with NLM TEST and writes 20+ bytes to host-state.
M=${1:-/mnt}; cd "$M" || exit 1
grep " $M " /proc/mounts
D=kc-nlm; rm -rf $D; mkdir $D; cd $D
: > host-state
echo data > locked
/test/lockhold locked > hold.out 2>&1 &
HOLDER=$!
# the first lock of a boot starts lockd and has statd monitor the server: slow in an emulated guest
i=0; while [ $i -lt 1800 ] && ! grep -q held hold.out; do usleep 100000; i=$((i+1)); done
cat hold.out
if ! grep -q held hold.out; then
  echo "lockhold did not get its lock in $((i / 10)) s"; dmesg | grep -i -E 'lockd|statd|nlm|rpc' | tail -10
  echo not-held > guest-state; exit 1
fi
echo "lockhold got its lock after $((i / 10)) s"
echo held > guest-state
echo "waiting for the host to restart the server"
# drop_caches: the attribute cache of an unchanged file may be trusted for up to a minute
size() { echo 2 > /proc/sys/vm/drop_caches; stat -c %s host-state; }
i=0; while [ $i -lt 1200 ]; do s=$(size 2>/dev/null); case "$s" in ''|0) ;; *[!0-9]*) ;; *) break;; esac; usleep 250000; i=$((i+1)); done
echo "host-state has $s bytes after $((i / 4)) s"
/test/locktry locked; rc=$?
echo "locktry exit $rc (another process of this client, while the reclaimed lock is held)"
echo "waiting for the host's NLM TEST after the grace period"
i=0; while [ $i -lt 480 ]; do s=$(size 2>/dev/null); case "$s" in ''|*[!0-9]*) ;; *) [ "$s" -ge 20 ] && break;; esac; usleep 250000; i=$((i+1)); done
echo "host-state has $s bytes"
kill $HOLDER; wait $HOLDER 2>/dev/null
/test/locktry locked; rc2=$?
echo "locktry after the holder quit: exit $rc2"
dmesg | grep -i -E 'lockd|statd' | tail -5
[ $rc = 1 ] && [ $rc2 = 0 ] && echo NLM-RECLAIM-OK
