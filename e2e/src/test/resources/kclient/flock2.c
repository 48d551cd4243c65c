#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <errno.h>
#include <sys/file.h>
#include <sys/wait.h>
/* flock(2) from two processes: the second is refused while the first holds LOCK_EX, then gets it. */
int main(int c, char **v) {
    int fd = open(v[1], O_RDWR | O_CREAT, 0644);
    if (flock(fd, LOCK_EX)) { perror("parent flock"); return 1; }
    pid_t p = fork();
    if (p == 0) {
        int f2 = open(v[1], O_RDWR);
        if (flock(f2, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK) { printf("child got the flock while held\n"); _exit(2); }
        if (flock(f2, LOCK_SH | LOCK_NB) == 0) { printf("child got a shared flock while held\n"); _exit(3); }
        if (flock(f2, LOCK_EX)) { perror("child blocking flock"); _exit(4); }
        printf("flock child ok\n"); _exit(0);
    }
    sleep(2);
    flock(fd, LOCK_UN);
    int st; waitpid(p, &st, 0);
    printf("flock child exit %d\n", WEXITSTATUS(st));
    return WEXITSTATUS(st);
}
