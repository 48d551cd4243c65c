/*
 * posixop: runs a script of file-system calls, each as a given user, and prints one result line per
 * call: the errno (0 on success) and the lstat mode/uid/gid of every path the call names.
 *
 * Usage: posixop DIR < SCRIPT   (must run as root; it switches users itself)
 *
 * Script lines: UID GID GROUPS OP ARGS...   GROUPS is a comma list of supplementary gids or "-".
 * OPs: mknod P reg|dir|fifo|sock|blk|chr MODE, symlink TARGET P, lchown P UID GID, chmod P MODE,
 *      truncate P LEN, write P, utimes P, utimesnow P, link A B, rename A B, unlink P, rmdir P.
 * Output lines: ERRNO P=MODE:UID:GID [B=...]  (MODE is st_mode in octal; "-" when P is absent).
 * Every call runs in a forked child that sets its groups, gid and uid first (setgroups,
 * setresgid, setresuid), so the parent stays root. Used by the e2e PosixDifferentialIT, statically
 * linked so the same binary runs in the kernel-client guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXARGS 8

static int make(const char *p, const char *type, mode_t mode) {
    if (!strcmp(type, "reg")) {
        int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, mode);
        if (fd < 0) return -1;
        return close(fd);
    }
    if (!strcmp(type, "dir")) return mkdir(p, mode);
    if (!strcmp(type, "fifo")) return mknod(p, S_IFIFO | mode, 0);
    if (!strcmp(type, "blk")) return mknod(p, S_IFBLK | mode, makedev(7, 0));
    if (!strcmp(type, "chr")) return mknod(p, S_IFCHR | mode, makedev(1, 3));
    if (!strcmp(type, "sock")) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        if (strlen(p) >= sizeof(a.sun_path)) { errno = ENAMETOOLONG; return -1; }
        strcpy(a.sun_path, p);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s < 0) return -1;
        int rc = bind(s, (struct sockaddr *) &a, sizeof(a));
        if (rc == 0) rc = chmod(p, mode); /* bind ignores the mode */
        int e = errno;
        close(s);
        errno = e;
        return rc;
    }
    errno = EINVAL;
    return -1;
}

static int op(char **a, int n) {
    const char *o = a[0];
    if (!strcmp(o, "mknod") && n == 4) return make(a[1], a[2], (mode_t) strtol(a[3], NULL, 8));
    if (!strcmp(o, "symlink") && n == 3) return symlink(a[1], a[2]);
    if (!strcmp(o, "lchown") && n == 4) return lchown(a[1], (uid_t) atoi(a[2]), (gid_t) atoi(a[3]));
    if (!strcmp(o, "chmod") && n == 3) return chmod(a[1], (mode_t) strtol(a[2], NULL, 8));
    if (!strcmp(o, "truncate") && n == 3) return truncate(a[1], atol(a[2]));
    if (!strcmp(o, "write") && n == 2) {
        int fd = open(a[1], O_WRONLY | O_NONBLOCK);
        if (fd < 0) return -1;
        ssize_t w = write(fd, "x", 1);
        int e = errno;
        close(fd);
        errno = e;
        return w == 1 ? 0 : -1;
    }
    if (!strcmp(o, "utimes") && n == 2) {
        struct timespec t[2] = {{1000000000, 0}, {1000000000, 0}};
        return utimensat(AT_FDCWD, a[1], t, 0);
    }
    if (!strcmp(o, "utimesnow") && n == 2) return utimensat(AT_FDCWD, a[1], NULL, 0);
    if (!strcmp(o, "link") && n == 3) return link(a[1], a[2]);
    if (!strcmp(o, "rename") && n == 3) return rename(a[1], a[2]);
    if (!strcmp(o, "unlink") && n == 2) return unlink(a[1]);
    if (!strcmp(o, "rmdir") && n == 2) return rmdir(a[1]);
    fprintf(stderr, "posixop: bad op: %s (%d args)\n", o, n);
    exit(2);
}

/* Paths the op names, whose state is printed after it. */
static int paths(char **a, int n, const char **out) {
    const char *o = a[0];
    if (!strcmp(o, "symlink")) { out[0] = a[2]; return 1; }
    if (!strcmp(o, "link") || !strcmp(o, "rename")) { out[0] = a[1]; out[1] = a[2]; return 2; }
    out[0] = a[1];
    return n > 1 ? 1 : 0;
}

static int setids(uid_t uid, gid_t gid, char *groups) {
    gid_t list[16];
    size_t ng = 0;
    if (strcmp(groups, "-")) {
        for (char *g = strtok(groups, ","); g && ng < 16; g = strtok(NULL, ",")) list[ng++] = (gid_t) atoi(g);
    }
    if (setgroups(ng, list) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) return -1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: posixop DIR < SCRIPT\n"); return 2; }
    if (geteuid() != 0) { fprintf(stderr, "posixop: must run as root (it switches users itself)\n"); return 2; }
    if (chdir(argv[1])) { perror(argv[1]); return 2; }
    umask(0);
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *f[MAXARGS + 3];
        int nf = 0;
        for (char *t = strtok(line, " "); t && nf < MAXARGS + 3; t = strtok(NULL, " ")) f[nf++] = t;
        if (nf < 4) continue;
        uid_t uid = (uid_t) atoi(f[0]);
        gid_t gid = (gid_t) atoi(f[1]);
        char groups[256];
        snprintf(groups, sizeof groups, "%s", f[2]);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) { perror("fork"); return 2; }
        if (pid == 0) {
            if (setids(uid, gid, groups)) { perror("posixop: set ids"); _exit(254); }
            _exit(op(f + 3, nf - 3) == 0 ? 0 : errno);
        }
        int st;
        if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) >= 254) {
            fprintf(stderr, "posixop: child failed for: %s\n", f[3]);
            return 2;
        }
        printf("%d", WEXITSTATUS(st));
        const char *ps[2];
        int np = paths(f + 3, nf - 3, ps);
        for (int i = 0; i < np; i++) {
            struct stat s;
            if (lstat(ps[i], &s)) printf(" %s=-", ps[i]);
            else printf(" %s=%o:%u:%u", ps[i], (unsigned) s.st_mode, (unsigned) s.st_uid, (unsigned) s.st_gid);
        }
        printf("\n");
    }
    return 0;
}
