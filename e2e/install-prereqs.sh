#!/usr/bin/env bash
# Installs what the e2e tests need on a Debian machine (run as root), once:
#   libnfs (client library + tools), FUSE 3 + gcc for the power-loss rig, libc6-dev for the
#   static posixop of PosixDifferentialIT, and the kernel-client rig (qemu, Debian kernel, busybox).
# Without root it only reports what is missing. Idempotent and quick when all is present.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PKGS="smbclient samba-testsuite libnfs13 libnfs-utils libnfs-dev fuse3 libfuse3-dev pkg-config gcc libc6-dev qemu-system-x86 linux-image-amd64 busybox-static cpio kmod socat xz-utils procps rpcbind nfs-common util-linux"
missing=""
PKGS="$PKGS attr"  # setfattr/getfattr for the kernel-client xattr workout (KernelXattrIT)
PKGS="$PKGS iproute2"  # ip(8): the kernel-client guest's tap device (KernelNlmReclaimIT)
PKGS="$PKGS winbind"  # ntlm_auth: Samba NTLMSSP client for NtlmSambaInteropTest (protocols)
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
KC=${KCLIENT_DIR:-/var/tmp/kclient}
if [ -n "$missing" ] || [ ! -r "$KC/base.cpio" ] || [ ! -r "$KC/vmlinux" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "e2e prerequisites missing:${missing:- (none)}; kernel-client rig in $KC: $( [ -r "$KC/base.cpio" ] && echo ok || echo missing)" >&2
    echo "run as root: $HERE/install-prereqs.sh" >&2
    exit 1
  fi
  if [ -n "$missing" ]; then
    echo "installing:$missing"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
  fi
  bash "$HERE/kclient/setup.sh"
fi
echo "e2e prerequisites present"
