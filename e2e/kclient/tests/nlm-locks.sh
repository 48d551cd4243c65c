#!/bin/sh
# NFSv3 locking through NLM from two processes of one guest (run by e2e KernelLockingIT):
# flock(2) on an NFS mount with local_lock=none becomes an NLM lock of the whole file.
set -u
echo "mount: $(grep " /mnt " /proc/mounts)"
grep " /mnt " /proc/mounts | grep -q local_lock=none || { echo "FAIL: locks would stay local to the client"; exit 1; }
echo data > lockfile || exit 1
flock -x lockfile -c 'echo holder: locked; sleep 5; echo holder: releasing' &
sleep 2
if flock -n -x lockfile -c true; then echo "FAIL: a second process got the exclusive lock"; exit 1; fi
echo "second process refused while the holder has it"
t0=$(date +%s)
flock -x lockfile -c 'echo waiter: locked' || { echo "FAIL: blocking flock"; exit 1; }
t1=$(date +%s)
echo "waiter waited $((t1 - t0)) s"
wait
flock -s lockfile -c 'flock -n -s lockfile -c "echo two shared locks coexist"' || exit 1
echo LOCKS-OK
