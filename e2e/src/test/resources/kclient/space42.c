/* NFSv4.2 space operations from the guest (KernelNfs4IT): punch a hole (DEALLOCATE), find it with
 * SEEK_HOLE/SEEK_DATA (SEEK) and copy with copy_file_range (COPY). Usage: space42 FILE COPY */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: space42 FILE COPY\n"); return 2; }
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    static char buf[1 << 20];
    memset(buf, 'x', sizeof buf);
    if (write(fd, buf, sizeof buf) != (ssize_t) sizeof buf || fsync(fd) != 0) { perror("write"); return 1; }
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 262144, 262144) != 0) { perror("punch"); return 1; }
    char back[262144];
    if (pread(fd, back, sizeof back, 262144) != (ssize_t) sizeof back) { perror("pread"); return 1; }
    for (size_t i = 0; i < sizeof back; i++) if (back[i] != 0) { fprintf(stderr, "not zero at %zu\n", i); return 1; }
    off_t hole = lseek(fd, 0, SEEK_HOLE), data = lseek(fd, 262144, SEEK_DATA);
    printf("size=%lld hole=%lld data-after-hole=%lld\n", (long long) lseek(fd, 0, SEEK_END), (long long) hole, (long long) data);
    int out = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (out < 0) { perror("open copy"); return 1; }
    loff_t in_off = 0, out_off = 0;
    ssize_t n = copy_file_range(fd, &in_off, out, &out_off, sizeof buf, 0);
    printf("copied=%zd\n", n);
    if (n != (ssize_t) sizeof buf || fsync(out) != 0) { perror("copy_file_range"); return 1; }
    printf("space42 ok\n");
    return 0;
}
