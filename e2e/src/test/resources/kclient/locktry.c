#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
/* locktry FILE: one non-blocking write lock (F_SETLK) on bytes 50-59; prints "granted" or "denied" and
   how many seconds the call took (the kernel retries a LOCK answered NFS4ERR_GRACE until the grace
   period is over). Exit 0 granted, 1 denied, 2 other error. */
int main(int c, char **v) {
    int fd = open(v[1], O_RDWR);
    if (fd < 0) { perror("open"); return 2; }
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = fcntl(fd, F_SETLK, &l);
    int err = errno;
    clock_gettime(CLOCK_MONOTONIC, &b);
    long secs = (long) (b.tv_sec - a.tv_sec);
    if (rc == 0) { printf("locktry granted after %ld s\n", secs); return 0; }
    if (err == EAGAIN || err == EACCES) { printf("locktry denied after %ld s\n", secs); return 1; }
    errno = err; perror("locktry"); return 2;
}
