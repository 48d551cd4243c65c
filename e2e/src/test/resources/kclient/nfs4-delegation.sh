# NFSv4 read delegation recall (KernelNfs4IT): the guest holds deleg.txt open for reading (the server
# grants a read delegation, so the guest reads it without asking the server), the host rewrites it
# over NFSv3 (the server recalls the delegation first), and the guest must then read the new content.
M=${1:-/mnt}; cd "$M" || exit 1
grep " $M " /proc/mounts
exec 3< deleg.txt || exit 1
read first <&3
echo "guest first read: $first"
[ "$(cat deleg.txt)" = "$first" ] || { echo "second open differs"; exit 1; }
echo ready > guest-ready
i=0
while [ ! -e host-done ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
[ -e host-done ] || { echo "the host never finished its write"; exit 1; }
echo "guest second read: $(cat deleg.txt)"
exec 3<&-
awk '/^[ \t]*(OPEN|DELEGRETURN|SEQUENCE|BIND_CONN_TO_SESSION):/ {print "ops " $1 " " $2}' /proc/self/mountstats
echo DELEG-DONE
