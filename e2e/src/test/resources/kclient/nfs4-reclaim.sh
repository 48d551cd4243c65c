# NFSv4.1 lock reclaim across a server restart (KernelReclaimIT). The host watches guest-state (through
# NFSv3), restarts the server when it says "held", then writes host-state; the guest waits for it with
# stat (GETATTR: not refused in grace, and its first call after the restart starts the kernel's recovery).
M=${1:-/mnt}; cd "$M" || exit 1
grep " $M " /proc/mounts
D=kc-reclaim; rm -rf $D; mkdir $D; cd $D
: > host-state
/test/lockhold locked > hold.out 2>&1 &
HOLDER=$!
i=0; while [ $i -lt 100 ] && ! grep -q held hold.out; do usleep 100000; i=$((i+1)); done
cat hold.out
echo held > guest-state
echo "waiting for the host to restart the server"
# drop_caches: the attribute cache of an unchanged file may be trusted for up to a minute
size() { echo 2 > /proc/sys/vm/drop_caches; stat -c %s host-state; }
i=0; while [ $i -lt 1200 ]; do s=$(size 2>/dev/null); case "$s" in ''|0) ;; *[!0-9]*) ;; *) break;; esac; usleep 250000; i=$((i+1)); done
echo "host-state has $s bytes after $((i / 4)) s"
/test/locktry locked; rc=$?
echo "locktry exit $rc (this client's own lock, refused locally)"
echo "waiting for the host's LOCKT after the grace period"
i=0; while [ $i -lt 480 ]; do s=$(size 2>/dev/null); case "$s" in ''|*[!0-9]*) ;; *) [ "$s" -ge 20 ] && break;; esac; usleep 250000; i=$((i+1)); done
echo "host-state has $s bytes"
kill $HOLDER; wait $HOLDER 2>/dev/null
/test/locktry locked; rc2=$?
echo "locktry after the holder quit: exit $rc2"
[ $rc = 1 ] && [ $rc2 = 0 ] && echo RECLAIM-OK
