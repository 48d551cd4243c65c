# Kernel NFS client, run 2 of 2 (KernelClientIT): remove everything and see the share empty.
M=${1:-/mnt}
cd "$M" || exit 1
echo "before:"; ls -la
rm -r kc || { echo "FAIL: rm -r kc"; exit 1; }
for e in * .[!.]* ..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  rm -r "$e" || { echo "FAIL: rm -r $e"; exit 1; }
done
left=$(ls -A)
[ -z "$left" ] || { echo "FAIL: share not empty: $left"; exit 1; }
cd /
echo 3 > /proc/sys/vm/drop_caches
left=$(ls -A "$M")
[ -z "$left" ] || { echo "FAIL: share not empty after dropping caches: $left"; exit 1; }
echo REMOVE-ALL-OK
