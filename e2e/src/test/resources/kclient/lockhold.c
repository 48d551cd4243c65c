#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
/* lockhold FILE: write-locks bytes 0-99 of FILE (F_SETLKW), says "held", then keeps the lock (and the
   open) until it is killed. */
int main(int c, char **v) {
    int fd = open(v[1], O_RDWR | O_CREAT, 0644);
    if (fd < 0) { perror("open"); return 1; }
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    if (fcntl(fd, F_SETLKW, &l)) { perror("lock"); return 1; }
    printf("held\n"); fflush(stdout);
    for (;;) pause();
}
