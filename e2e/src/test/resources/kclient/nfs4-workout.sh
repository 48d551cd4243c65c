# NFSv4 workout (KernelNfs4IT): files, cp, mv, ln, chmod, tar, flock(2) and fcntl(2) locks from two processes
M=${1:-/mnt}; cd "$M" || exit 1
FST=$(awk -v m="$M" '$2==m{print $3}' /proc/mounts); echo "fstype=$FST"; grep " $M " /proc/mounts
step() { echo "== $*"; }
fail=0; chk() { if "$@"; then echo "ok: $*"; else echo "FAIL: $*"; fail=1; fi; }
D=kc-v4; rm -rf $D; mkdir $D; cd $D
step write; echo hello > a.txt; chk [ "$(cat a.txt)" = hello ]
step cp; dd if=/dev/urandom of=r.bin bs=64k count=32 2>/dev/null; cp r.bin r2.bin; chk cmp r.bin r2.bin
step mv; mv r2.bin r3.bin; chk [ -f r3.bin ]
step ln; ln a.txt hard.txt; ln -s a.txt sym.txt; chk [ "$(cat sym.txt)" = hello ]
step chmod; chmod 600 a.txt; chk [ "$(stat -c %a a.txt)" = 600 ]
step tar; mkdir -p t/sub; echo x > t/sub/f; tar cf t.tar t; rm -rf t; tar xf t.tar; chk [ "$(cat t/sub/f)" = x ]
step append; echo more >> a.txt; chk [ "$(wc -l < a.txt)" = 2 ]
step flock-two-processes; /test/flock2 lockfile; rc=$?; chk [ $rc = 0 ]
step fcntl; /test/fcntl2 lockfile; rc=$?; chk [ $rc = 0 ]
step rm; cd ..; rm -rf $D; chk [ ! -e $D ]
[ $fail = 0 ] && echo WORKOUT-OK
exit $fail
