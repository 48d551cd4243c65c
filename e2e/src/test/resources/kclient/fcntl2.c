#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
/* parent takes a write lock on bytes 0-99; a child must be refused (F_SETLK EAGAIN) and see it with F_GETLK,
   may lock 100-199; after the parent unlocks the child gets 0-99. */
int main(int c, char **v) {
    int fd = open(v[1], O_RDWR | O_CREAT, 0644);
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    if (fcntl(fd, F_SETLK, &l)) { perror("parent lock"); return 1; }
    pid_t p = fork();
    if (p == 0) {
        int f2 = open(v[1], O_RDWR);
        struct flock m = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 10};
        if (fcntl(f2, F_SETLK, &m) == 0) { printf("child got a conflicting lock\n"); _exit(2); }
        struct flock g = m; if (fcntl(f2, F_GETLK, &g) || g.l_type != F_WRLCK) { printf("F_GETLK did not see it\n"); _exit(3); }
        struct flock n = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 100};
        if (fcntl(f2, F_SETLK, &n)) { perror("child non-overlapping"); _exit(4); }
        sleep(2);
        if (fcntl(f2, F_SETLKW, &m)) { perror("child after unlock"); _exit(5); }
        printf("fcntl child ok\n"); _exit(0);
    }
    sleep(1);
    l.l_type = F_UNLCK; fcntl(fd, F_SETLK, &l);
    int st; waitpid(p, &st, 0);
    printf("fcntl child exit %d\n", WEXITSTATUS(st));
    return WEXITSTATUS(st);
}
