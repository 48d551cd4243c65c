# NFSv4 workout (KernelNfs4IT): files, cp, mv, ln, chmod, tar, flock(2) and fcntl(2) locks from two processes;
# on 4.2 also fallocate (ALLOCATE) and space42.c: a punched hole (DEALLOCATE), SEEK_HOLE/SEEK_DATA (SEEK),
# copy_file_range (COPY); the kernel's per-op counts in mountstats show each reached the server
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
if grep " $M " /proc/mounts | grep -q 'vers=4.2'; then # NFSv4.2 space operations (RFC 7862)
  opn() { awk -v o="$1:" '$1==o{print $2; exit}' /proc/self/mountstats; }
  step fallocate; fallocate -l 1M fa.bin; chk [ "$(stat -c %s fa.bin)" = 1048576 ]
  step punch-seek-copy; /test/space42 p.bin p2.bin; rc=$?; chk [ $rc = 0 ]; chk cmp p.bin p2.bin
  echo "v4.2 ops: ALLOCATE=$(opn ALLOCATE) DEALLOCATE=$(opn DEALLOCATE) SEEK=$(opn SEEK) COPY=$(opn COPY)"
  for op in ALLOCATE DEALLOCATE SEEK COPY; do chk [ "$(opn $op)" -ge 1 ]; done
fi
step rm; cd ..; rm -rf $D; chk [ ! -e $D ]
[ $fail = 0 ] && echo WORKOUT-OK
exit $fail
