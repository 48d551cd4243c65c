# Kernel NFS client, run 1 of 2 (KernelClientIT): what users do on a mount.
# Leaves /kc for the host to check through libnfs. Env (KC_ENV): PAYLOAD = directory holding
# src.tar and src.sha256 (made on the host), HOST_TEXT = content the host wrote to /from-host/hello.txt.
M=${1:-/mnt}
cd "$M" || exit 1
set -e
step() { echo "STEP $*"; }
fail() { echo "FAIL: $*"; exit 1; }

step "see what the host wrote through libnfs"
[ "$(cat from-host/hello.txt)" = "$HOST_TEXT" ] || fail "from-host/hello.txt: '$(cat from-host/hello.txt)'"

step "cp"
mkdir kc
cd kc
echo "hello kernel" > hello.txt
cp hello.txt copy.txt
cmp hello.txt copy.txt
dd if=/dev/urandom of=rand.bin bs=64k count=32 2>/dev/null
cp rand.bin rand2.bin
cmp rand.bin rand2.bin
sha256sum rand.bin | cut -d' ' -f1 > rand.sha256

step "32 MiB written by the kernel client (parallel unstable WRITEs + COMMIT)"
dd if=/dev/urandom of=big.bin bs=1M count=32 2>/dev/null
sha256sum big.bin | cut -d' ' -f1 > big.sha256
sync
[ "$(stat -c %s big.bin)" = 33554432 ] || fail "big.bin size $(stat -c %s big.bin)"

step "ls -l"
ls -l
[ "$(ls | wc -l)" = 7 ] || fail "ls shows $(ls | wc -l) entries, not 7"
ls -l copy.txt | grep -q '^-rw-r--r--' || fail "copy.txt mode: $(ls -l copy.txt)"
[ "$(stat -c %s rand.bin)" = 2097152 ] || fail "rand.bin size $(stat -c %s rand.bin)"

step "mv"
mv copy.txt moved.txt
[ ! -e copy.txt ] && [ -f moved.txt ] || fail "mv within a directory"
mkdir dir1
mv moved.txt dir1/
[ ! -e moved.txt ] && [ "$(cat dir1/moved.txt)" = "hello kernel" ] || fail "mv across directories"
mv dir1 dir2
[ -f dir2/moved.txt ] || fail "mv of a directory"

step "ln (hard link)"
ln hello.txt hard.txt
[ "$(stat -c %h hello.txt)" = 2 ] || fail "nlink of hello.txt: $(stat -c %h hello.txt)"
[ "$(stat -c %h hard.txt)" = 2 ] || fail "nlink of hard.txt: $(stat -c %h hard.txt)"
[ "$(stat -c %i hello.txt)" = "$(stat -c %i hard.txt)" ] || fail "inode numbers differ"

step "ln -s + readlink"
ln -s hello.txt sym.txt
[ "$(readlink sym.txt)" = hello.txt ] || fail "readlink sym.txt: $(readlink sym.txt)"
[ "$(cat sym.txt)" = "hello kernel" ] || fail "reading through the symlink"
[ -L sym.txt ] || fail "sym.txt is not a symlink"

step "chmod"
chmod 640 hello.txt
[ "$(stat -c %a hello.txt)" = 640 ] || fail "mode $(stat -c %a hello.txt)"
chmod 700 dir2
[ "$(stat -c %a dir2)" = 700 ] || fail "dir mode $(stat -c %a dir2)"

step "chown"
chown 1234:5678 hard.txt
[ "$(stat -c %u:%g hello.txt)" = 1234:5678 ] || fail "owner $(stat -c %u:%g hello.txt)"

step "touch"
touch empty.txt
[ -f empty.txt ] && [ ! -s empty.txt ] || fail "touch did not create an empty file"
touch -d '2020-01-02 03:04:05' empty.txt
stat -c %y empty.txt | grep -q '^2020-01-02 03:04:05' || fail "mtime after touch -d: $(stat -c %y empty.txt)"
before=$(stat -c %Y hello.txt)
sleep 1
touch hello.txt
[ "$(stat -c %Y hello.txt)" -gt "$before" ] || fail "touch did not advance mtime"

step "directory tree 5 levels deep"
mkdir -p deep/l1/l2/l3/l4/l5
for d in deep/l1 deep/l1/l2 deep/l1/l2/l3 deep/l1/l2/l3/l4 deep/l1/l2/l3/l4/l5; do echo "$d" > "$d/marker"; done
[ "$(find deep -type d | wc -l)" = 6 ] || fail "find deep -type d: $(find deep -type d | wc -l)"
[ "$(find deep -type f | wc -l)" = 5 ] || fail "find deep -type f: $(find deep -type f | wc -l)"
[ "$(cat deep/l1/l2/l3/l4/l5/marker)" = deep/l1/l2/l3/l4/l5 ] || fail "deepest marker"

step "rm -r"
mkdir -p gone/a/b; touch gone/a/b/f gone/a/g
rm -r gone
[ ! -e gone ] || fail "rm -r left gone/"
rm -r dir2
[ ! -e dir2 ] || fail "rm -r left dir2/"

step "untar a source tree onto the mount"
mkdir src
tar -xf "$PAYLOAD/src.tar" -C src
( cd src && sha256sum -c "$PAYLOAD/src.sha256" > /tmp/sha.out ) || { cat /tmp/sha.out; fail "sha256sum -c after untar"; }
mkdir /tmp/ref
tar -xf "$PAYLOAD/src.tar" -C /tmp/ref
diff -r /tmp/ref src || fail "diff -r against a tmpfs copy"
echo "$(wc -l < "$PAYLOAD/src.sha256") files unpacked"

step "re-read everything from the server after dropping the page cache"
sync
echo 3 > /proc/sys/vm/drop_caches
( cd src && sha256sum -c "$PAYLOAD/src.sha256" > /tmp/sha2.out ) || { cat /tmp/sha2.out; fail "sha256sum -c after drop_caches"; }
[ "$(sha256sum rand.bin | cut -d' ' -f1)" = "$(cat rand.sha256)" ] || fail "rand.bin changed"
[ "$(sha256sum big.bin | cut -d' ' -f1)" = "$(cat big.sha256)" ] || fail "big.bin read back differs"

cd "$M"
ls -la kc
echo POSIX-COMMANDS-OK
