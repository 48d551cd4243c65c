#!/bin/sh
# NFSv4.2 extended attributes with setfattr/getfattr (Debian's attr, copied into the guest's /sbin).
# Prints XATTR-OK when every step behaved; any failure prints what and exits non-zero.
cd "$1" || exit 1
fail() { echo "XATTR-FAIL: $*"; exit 1; }
grep " $1 " /proc/mounts
echo data > xf || fail "create"
setfattr -n user.foo -v bar xf || fail "setfattr user.foo"
v=$(getfattr --only-values -n user.foo xf) || fail "getfattr user.foo"
[ "$v" = "bar" ] || fail "user.foo is '$v', not bar"
setfattr -n user.hex -v 0x00ff10 xf || fail "setfattr binary"
getfattr -e hex -n user.hex xf | grep -q 'user.hex=0x00ff10' || fail "binary value"
big=$(head -c 60000 /dev/zero | tr '\0' 'x')
setfattr -n user.big -v "$big" xf || fail "setfattr 60000-byte value"
[ "$(getfattr --only-values -n user.big xf | wc -c)" = "60000" ] || fail "60000-byte value read back"
getfattr -d xf > /tmp/all || fail "getfattr -d"
for n in foo hex big; do grep -q "^user.$n=" /tmp/all || fail "user.$n not listed"; done
mkdir xd && setfattr -n user.dir -v yes xd || fail "xattr on a directory"
[ "$(getfattr --only-values -n user.dir xd)" = "yes" ] || fail "directory value"
setfattr -x user.foo xf || fail "setfattr -x"
getfattr -n user.foo xf 2>/tmp/err && fail "user.foo still there"
grep -qi "no such attribute\|no data" /tmp/err || { cat /tmp/err; fail "removed attribute error"; }
setfattr -x user.foo xf 2>/dev/null && fail "removing a missing attribute succeeded"
cp xf copy-no-xattr
getfattr -d xf | grep -q user.hex || fail "user.hex lost"
rm -f xf copy-no-xattr && rmdir xd || fail "cleanup"
echo XATTR-OK
