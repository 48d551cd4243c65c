/* copy_file_range(2) of a whole file, as cp --reflink=never in coreutils 9 does: on a cifs mount
 * the kernel turns it into FSCTL_SRV_REQUEST_RESUME_KEY + FSCTL_SRV_COPYCHUNK_WRITE (server-side copy).
 * Built static at test time by KernelCifsIT. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: cfr SRC DST\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct stat st;
    if (in < 0 || out < 0 || fstat(in, &st) != 0) {
        perror("open");
        return 1;
    }
    off_t left = st.st_size;
    long calls = 0;
    while (left > 0) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t) left, 0);
        if (n < 0) {
            perror("copy_file_range");
            return 1;
        }
        if (n == 0) {
            break;
        }
        left -= n;
        calls++;
    }
    printf("copy_file_range: %lld bytes in %ld calls\n", (long long) st.st_size, calls);
    return close(out) == 0 && left == 0 ? 0 : 1;
}
