# Linux kernel CIFS workout (KernelCifsIT): a 24 MiB file written and read back with 8 MiB I/O and
# checksums (reads through dd bs=8M: without an oplock the client does not cache, so each read(2)
# is its own READ), cp, copy_file_range (server-side copy), mv, tar, truncate, chmod, ln -s, ln; prints
# what the client negotiated (rsize/wsize in /proc/mounts) and its per-command counters.
M=${1:-/mnt}; cd "$M" || exit 1
set -e
grep " $M " /proc/mounts
sum() { dd if="$1" bs=8388608 2>/dev/null | sha256sum | cut -d' ' -f1; }
ioctls() { grep -i "ioctl" /proc/fs/cifs/Stats | head -1; }
D=kc-cifs; rm -rf $D; mkdir $D; cd $D
dd if=/dev/urandom of=/tmp/src.bin bs=1048576 count=24 2>/dev/null
S=$(sha256sum /tmp/src.bin | cut -d' ' -f1)
dd if=/tmp/src.bin of=big.bin bs=8388608 2>/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
[ "$(stat -c %s big.bin)" = 25165824 ]
[ "$(sum big.bin)" = "$S" ] || { echo "big.bin checksum mismatch"; exit 1; }
echo "dd 24 MiB ok"
cp big.bin copy.bin
sync; echo 3 > /proc/sys/vm/drop_caches
[ "$(sum copy.bin)" = "$S" ]
echo "cp ok"
echo "before copy_file_range: $(ioctls)"
/test/cfr big.bin cfr.bin
echo "after copy_file_range: $(ioctls)"
sync; echo 3 > /proc/sys/vm/drop_caches
[ "$(sum cfr.bin)" = "$S" ]
echo "copy_file_range ok"
mv copy.bin moved.bin; [ ! -e copy.bin ]; [ -f moved.bin ]
echo "mv ok"
mkdir -p tree/a/b; echo hello > tree/a/b/f.txt
dd if=/dev/urandom of=tree/a/r.bin bs=4096 count=33 2>/dev/null
tar cf tree.tar tree; mkdir un; (cd un && tar xf ../tree.tar)
cmp tree/a/r.bin un/tree/a/r.bin; cmp tree/a/b/f.txt un/tree/a/b/f.txt
echo "tar ok"
truncate -s 1000 moved.bin; [ "$(stat -c %s moved.bin)" = 1000 ]
head -c 1000 /tmp/src.bin > /tmp/head.bin; cmp moved.bin /tmp/head.bin
truncate -s 20000000 moved.bin; [ "$(stat -c %s moved.bin)" = 20000000 ]
[ "$(tail -c 4096 moved.bin | tr -d '\000' | wc -c)" = 0 ]
echo "truncate ok"
chmod 600 moved.bin; echo "chmod 600: rc 0, mode now $(stat -c %a moved.bin)"
chmod 444 moved.bin; echo "chmod 444: mode now $(stat -c %a moved.bin)"; chmod 644 moved.bin
if ln -s moved.bin sym 2>/tmp/err; then echo "ln -s ok: $(readlink sym)"; else echo "ln -s unsupported: $(cat /tmp/err)"; fi
if ln moved.bin hard 2>/tmp/err; then echo "ln ok: links $(stat -c %h moved.bin)"; else echo "ln unsupported: $(cat /tmp/err)"; fi
cd ..; rm -rf $D; [ ! -e $D ]
grep -i "read\|write" /proc/fs/cifs/Stats | head -4
echo WORKOUT-OK
