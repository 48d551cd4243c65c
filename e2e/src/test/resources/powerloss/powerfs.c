/*
 * powerfs: a FUSE 3 passthrough for power-loss tests. Written for the DittoFS e2e tests
 * (PowerLossIT); compiled by the test itself:
 *   gcc -O2 -Wall -o powerfs powerfs.c $(pkg-config --cflags --libs fuse3)
 * Usage: powerfs BACKING LIMBO MOUNTPOINT     (runs in the foreground, single-threaded)
 *
 * BACKING is "the disk": it only ever holds what a real disk would hold after a power loss.
 * What it models:
 *  - File data (write, truncate, O_TRUNC, and MAP_SHARED pages written back by the kernel)
 *    is kept in memory per inode (4 KiB pages, the live size, the smallest size since the last
 *    sync) and reaches BACKING only on fsync/fdatasync of that file (msync of a mapping arrives
 *    as writes + fsync; the mount has no direct_io, so shared writable mmap works). Reads see
 *    the live view.
 *  - Namespace changes (create, mknod, mkdir, symlink, link, unlink, rmdir, rename) are applied
 *    to BACKING at once, with an undo record; removed or replaced entries are parked in LIMBO (a
 *    directory on the same file system). A record becomes durable when every directory it
 *    changed (both parents for a rename) has been fsync'ed after it. fsync of a file does not
 *    make its directory entry durable (POSIX; stricter than ext4's practice).
 *  - Attributes (chmod, chown, utimens) are applied at once and never rolled back.
 *  - "Cut the power" = SIGUSR1: every non-durable namespace record is undone, newest first;
 *    unsynced data is dropped; the daemon unmounts and exits. BACKING then holds exactly the
 *    synced state. A clean unmount (umount/fusermount3 -u, SIGTERM) instead writes everything,
 *    like a clean shutdown of a real file system.
 * Not modelled: reordering of unsynced writes (none of them survive), torn sectors,
 * partial durability of a rename whose two directories were fsync'ed separately (it is rolled
 * back whole), xattrs, fallocate (EOPNOTSUPP), special files other than regular/dir/symlink.
 * Lines on stderr start with "powerfs:"; the test reads them for its figures.
 */
#define FUSE_USE_VERSION 35
#define _GNU_SOURCE
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#define PAGE 4096
#define LEAF 256

struct node {
    ino_t ino;
    int fd;              /* own O_RDWR descriptor of the backing file */
    int open;            /* open handles */
    off_t size;          /* live size */
    off_t mintrunc;      /* backing bytes at or past this offset read as zeros (truncated since sync) */
    int dirty;
    size_t nleaves;
    char ***leaves;      /* leaves[i][j] = page i*LEAF+j or NULL */
    struct node *next;
};

enum { R_CREATE, R_UNLINK, R_RENAME };
struct rec {
    int type;
    char *a, *b, *limbo;   /* paths relative to BACKING; limbo name relative to LIMBO */
    ino_t d1, d2;          /* directories changed */
    int s1, s2;            /* fsync'ed since */
    struct rec *prev, *next;
};

static int bfd = -1, lfd = -1;
static char *backing_path, *limbo_path;
static struct node *nodes[4096];
static struct rec *rhead, *rtail;
static unsigned long limbo_seq;
static volatile sig_atomic_t cut;
static struct fuse_session *session;
static unsigned long st_fsyncs, st_dirsyncs, st_applied_bytes, st_records, st_durable;

static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "powerfs: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static const char *rel(const char *path) {
    while (*path == '/') path++;
    return *path ? path : ".";
}

/* ---------- data overlay ---------- */

static struct node *node_find(ino_t ino) {
    for (struct node *n = nodes[ino % 4096]; n; n = n->next)
        if (n->ino == ino) return n;
    return NULL;
}

/* The node of the backing file open as fd (created on first use with a dup of fd). */
static struct node *node_get(int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0) return NULL;
    struct node *n = node_find(st.st_ino);
    if (n) return n;
    n = calloc(1, sizeof *n);
    n->ino = st.st_ino;
    n->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    n->size = n->mintrunc = st.st_size;
    n->next = nodes[n->ino % 4096];
    nodes[n->ino % 4096] = n;
    return n;
}

static char **slot(struct node *n, off_t pg, int create) {
    size_t li = (size_t)(pg / LEAF);
    if (li >= n->nleaves) {
        if (!create) return NULL;
        size_t nl = li + 1 > n->nleaves * 2 ? li + 1 : n->nleaves * 2;
        n->leaves = realloc(n->leaves, nl * sizeof *n->leaves);
        memset(n->leaves + n->nleaves, 0, (nl - n->nleaves) * sizeof *n->leaves);
        n->nleaves = nl;
    }
    if (!n->leaves[li]) {
        if (!create) return NULL;
        n->leaves[li] = calloc(LEAF, sizeof(char *));
    }
    return &n->leaves[li][pg % LEAF];
}

static void free_pages(struct node *n) {
    for (size_t i = 0; i < n->nleaves; i++) {
        if (!n->leaves[i]) continue;
        for (int j = 0; j < LEAF; j++) free(n->leaves[i][j]);
        free(n->leaves[i]);
    }
    free(n->leaves);
    n->leaves = NULL;
    n->nleaves = 0;
}

/* Backing content as it looks live where no dirty page covers it: zeros past mintrunc. */
static void read_backing(struct node *n, char *buf, size_t len, off_t off) {
    memset(buf, 0, len);
    if (off >= n->mintrunc) return;
    size_t want = (size_t)(n->mintrunc - off) < len ? (size_t)(n->mintrunc - off) : len;
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(n->fd, buf + got, want - got, off + got);
        if (r <= 0) break;
        got += r;
    }
}

static size_t live_read(struct node *n, char *buf, size_t size, off_t off) {
    if (off >= n->size) return 0;
    if ((off_t)size > n->size - off) size = n->size - off;
    size_t done = 0;
    while (done < size) {
        off_t pos = off + done;
        off_t pg = pos / PAGE;
        size_t in = pos % PAGE, k = PAGE - in < size - done ? PAGE - in : size - done;
        char **s = slot(n, pg, 0);
        if (s && *s) memcpy(buf + done, *s + in, k);
        else read_backing(n, buf + done, k, pos);
        done += k;
    }
    return size;
}

static void live_write(struct node *n, const char *buf, size_t size, off_t off) {
    size_t done = 0;
    while (done < size) {
        off_t pos = off + done;
        off_t pg = pos / PAGE;
        size_t in = pos % PAGE, k = PAGE - in < size - done ? PAGE - in : size - done;
        char **s = slot(n, pg, 1);
        if (!*s) {
            *s = malloc(PAGE);
            if (pg * PAGE < n->size) read_backing(n, *s, PAGE, pg * PAGE);
            else memset(*s, 0, PAGE);
            if (pg * PAGE < n->size && n->size < (pg + 1) * PAGE)
                memset(*s + (n->size - pg * PAGE), 0, (pg + 1) * PAGE - n->size);
        }
        memcpy(*s + in, buf + done, k);
        done += k;
    }
    if (off + (off_t)size > n->size) n->size = off + size;
    n->dirty = 1;
}

static void live_truncate(struct node *n, off_t size) {
    if (size < n->size) {
        for (size_t i = 0; i < n->nleaves; i++) {
            if (!n->leaves[i]) continue;
            for (int j = 0; j < LEAF; j++) {
                off_t start = ((off_t)i * LEAF + j) * PAGE;
                char *p = n->leaves[i][j];
                if (!p) continue;
                if (start >= size) { free(p); n->leaves[i][j] = NULL; }
                else if (start + PAGE > size) memset(p + (size - start), 0, start + PAGE - size);
            }
        }
        if (size < n->mintrunc) n->mintrunc = size;
    }
    n->size = size;
    n->dirty = 1;
}

/* fsync: the node's live state becomes the backing file's state. */
static int apply(struct node *n) {
    st_fsyncs++;
    if (!n->dirty) return 0;
    struct stat st;
    if (fstat(n->fd, &st) < 0) return -errno;
    if (n->mintrunc < st.st_size && ftruncate(n->fd, n->mintrunc) < 0) return -errno;
    for (size_t i = 0; i < n->nleaves; i++) {
        if (!n->leaves[i]) continue;
        for (int j = 0; j < LEAF; j++) {
            off_t start = ((off_t)i * LEAF + j) * PAGE;
            char *p = n->leaves[i][j];
            if (!p || start >= n->size) continue;
            size_t k = n->size - start < PAGE ? n->size - start : PAGE;
            if (pwrite(n->fd, p, k, start) != (ssize_t)k) return -EIO;
            st_applied_bytes += k;
        }
    }
    if (ftruncate(n->fd, n->size) < 0) return -errno;
    free_pages(n);
    n->mintrunc = n->size;
    n->dirty = 0;
    return 0;
}

static void node_drop(struct node *n) {
    struct node **pp = &nodes[n->ino % 4096];
    while (*pp != n) pp = &(*pp)->next;
    *pp = n->next;
    free_pages(n);
    close(n->fd);
    free(n);
}

/* ---------- namespace records ---------- */

static ino_t parent_ino(const char *r) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", r);
    char *slash = strrchr(buf, '/');
    struct stat st;
    if (!slash) return fstatat(bfd, ".", &st, 0) == 0 ? st.st_ino : 0;
    *slash = 0;
    return fstatat(bfd, buf, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_ino : 0;
}

static struct rec *record(int type, const char *a, const char *b, const char *limbo) {
    struct rec *r = calloc(1, sizeof *r);
    r->type = type;
    r->a = strdup(a);
    r->b = b ? strdup(b) : NULL;
    r->limbo = limbo ? strdup(limbo) : NULL;
    r->d1 = parent_ino(a);
    r->d2 = b ? parent_ino(b) : r->d1;
    r->prev = rtail;
    if (rtail) rtail->next = r; else rhead = r;
    rtail = r;
    st_records++;
    return r;
}

static void rm_tree_at(int dfd, const char *name) {
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd >= 0) {
        DIR *d = fdopendir(fd);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rm_tree_at(fd, e->d_name);
        }
        if (d) closedir(d); else close(fd);
        unlinkat(dfd, name, AT_REMOVEDIR);
    } else {
        unlinkat(dfd, name, 0);
    }
}

static void rec_free(struct rec *r) {
    if (r->prev) r->prev->next = r->next; else rhead = r->next;
    if (r->next) r->next->prev = r->prev; else rtail = r->prev;
    free(r->a); free(r->b); free(r->limbo); free(r);
}

static char *park(const char *r, char *name, size_t len) {
    snprintf(name, len, "p%lu", ++limbo_seq);
    if (renameat(bfd, r, lfd, name) < 0) return NULL;
    return name;
}

/* fsync of a directory: records that changed it are durable once all their directories are. */
static void dir_synced(ino_t ino) {
    st_dirsyncs++;
    for (struct rec *r = rhead, *nx; r; r = nx) {
        nx = r->next;
        if (r->d1 == ino) r->s1 = 1;
        if (r->d2 == ino) r->s2 = 1;
        if (r->s1 && r->s2) {
            if (r->limbo) rm_tree_at(lfd, r->limbo);
            st_durable++;
            rec_free(r);
        }
    }
}

/* Power cut: undo every non-durable record, newest first. */
static void roll_back(void) {
    int undone = 0, failed = 0;
    char gone[64];
    while (rtail) {
        struct rec *r = rtail;
        int ok = 1;
        switch (r->type) {
        case R_CREATE:
            ok = park(r->a, gone, sizeof gone) != NULL;
            break;
        case R_UNLINK:
            ok = renameat(lfd, r->limbo, bfd, r->a) == 0;
            free(r->limbo); r->limbo = NULL;
            break;
        case R_RENAME:
            ok = renameat(bfd, r->b, bfd, r->a) == 0;
            if (ok && r->limbo) { ok = renameat(lfd, r->limbo, bfd, r->b) == 0; free(r->limbo); r->limbo = NULL; }
            break;
        }
        if (ok) { undone++; say("undo %s %s%s%s", r->type == R_CREATE ? "create" : r->type == R_UNLINK ? "unlink" : "rename", r->a, r->b ? " -> " : "", r->b ? r->b : ""); }
        else { failed++; say("cannot undo %s %s %s: %s", r->type == R_CREATE ? "create" : r->type == R_UNLINK ? "unlink" : "rename", r->a, r->b ? r->b : "", strerror(errno)); }
        rec_free(r);
    }
    say("cut: undid %d namespace changes (%d could not be undone)", undone, failed);
}

static void empty_limbo(void) {
    DIR *d = fdopendir(dup(lfd));
    struct dirent *e;
    rewinddir(d);
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) rm_tree_at(lfd, e->d_name);
    }
    if (d) closedir(d);
}

/* ---------- FUSE operations ---------- */

static void on_cut(int sig) {
    (void) sig;
    cut = 1;
    if (session) fuse_session_exit(session);
}

static void *pf_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void) conn;
    cfg->use_ino = 1;
    cfg->hard_remove = 1;
    cfg->nullpath_ok = 1;
    cfg->direct_io = 0;
    cfg->kernel_cache = 0;
    session = fuse_get_session(fuse_get_context()->fuse);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_cut;  /* no SA_RESTART: the read of /dev/fuse is interrupted */
    sigaction(SIGUSR1, &sa, NULL);
    say("mounted, backing %s", backing_path);
    return NULL;
}

static void pf_destroy(void *data) {
    (void) data;
    int files = 0;
    unsigned long lost = 0;
    if (cut) {
        for (int i = 0; i < 4096; i++)
            for (struct node *n = nodes[i]; n; n = n->next)
                if (n->dirty) { files++; for (size_t a = 0; a < n->nleaves; a++) if (n->leaves[a]) for (int b = 0; b < LEAF; b++) if (n->leaves[a][b]) lost += PAGE; }
        roll_back();
        say("cut: dropped %lu dirty bytes (page granularity) of %d files; %lu fsyncs, %lu dir fsyncs, %lu bytes applied, %lu/%lu namespace changes made durable",
            lost, files, st_fsyncs, st_dirsyncs, st_applied_bytes, st_durable, st_records);
    } else {
        for (int i = 0; i < 4096; i++)
            for (struct node *n = nodes[i]; n; n = n->next) apply(n);
        while (rhead) rec_free(rhead);
        say("clean unmount: everything written");
    }
    empty_limbo();
}

static int pf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    int rc = fi ? fstat((int) fi->fh, st) : fstatat(bfd, rel(path), st, AT_SYMLINK_NOFOLLOW);
    if (rc < 0) return -errno;
    if (S_ISREG(st->st_mode)) {
        struct node *n = node_find(st->st_ino);
        if (n) { st->st_size = n->size; st->st_blocks = (n->size + 511) / 512; }
    }
    return 0;
}

static int pf_access(const char *path, int mask) {
    return faccessat(bfd, rel(path), mask, 0) < 0 ? -errno : 0;
}

static int pf_readlink(const char *path, char *buf, size_t size) {
    ssize_t n = readlinkat(bfd, rel(path), buf, size - 1);
    if (n < 0) return -errno;
    buf[n] = 0;
    return 0;
}

static int pf_opendir(const char *path, struct fuse_file_info *fi) {
    int fd = openat(bfd, rel(path), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -errno;
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return -errno; }
    fi->fh = (uint64_t) (uintptr_t) d;
    return 0;
}

static int pf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
    (void) path; (void) off; (void) flags;
    DIR *d = (DIR *) (uintptr_t) fi->fh;
    rewinddir(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_ino = e->d_ino;
        st.st_mode = e->d_type << 12;
        if (fill(buf, e->d_name, &st, 0, 0)) break;
    }
    return 0;
}

static int pf_releasedir(const char *path, struct fuse_file_info *fi) {
    (void) path;
    closedir((DIR *) (uintptr_t) fi->fh);
    return 0;
}

static int pf_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path; (void) datasync;
    struct stat st;
    if (fstat(dirfd((DIR *) (uintptr_t) fi->fh), &st) < 0) return -errno;
    dir_synced(st.st_ino);
    return 0;
}

static int pf_mkdir(const char *path, mode_t mode) {
    if (mkdirat(bfd, rel(path), mode) < 0) return -errno;
    record(R_CREATE, rel(path), NULL, NULL);
    return 0;
}

static int pf_mknod(const char *path, mode_t mode, dev_t rdev) {
    if (!S_ISREG(mode)) return -EPERM;
    if (mknodat(bfd, rel(path), mode, rdev) < 0) return -errno;
    record(R_CREATE, rel(path), NULL, NULL);
    return 0;
}

static int pf_symlink(const char *target, const char *path) {
    if (symlinkat(target, bfd, rel(path)) < 0) return -errno;
    record(R_CREATE, rel(path), NULL, NULL);
    return 0;
}

static int pf_link(const char *from, const char *to) {
    if (linkat(bfd, rel(from), bfd, rel(to), 0) < 0) return -errno;
    record(R_CREATE, rel(to), NULL, NULL);
    return 0;
}

static int is_empty_dir(const char *r) {
    int fd = openat(bfd, r, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -errno;
    DIR *d = fdopendir(fd);
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) { empty = 0; break; }
    }
    closedir(d);
    return empty;
}

static int pf_unlink(const char *path) {
    struct stat st;
    char name[64];
    if (fstatat(bfd, rel(path), &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
    if (S_ISDIR(st.st_mode)) return -EISDIR;
    if (!park(rel(path), name, sizeof name)) return -errno;
    record(R_UNLINK, rel(path), NULL, name);
    return 0;
}

static int pf_rmdir(const char *path) {
    struct stat st;
    char name[64];
    if (fstatat(bfd, rel(path), &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
    if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
    int e = is_empty_dir(rel(path));
    if (e < 0) return e;
    if (!e) return -ENOTEMPTY;
    if (!park(rel(path), name, sizeof name)) return -errno;
    record(R_UNLINK, rel(path), NULL, name);
    return 0;
}

static int pf_rename(const char *from, const char *to, unsigned int flags) {
    if (flags) return -EINVAL;
    const char *f = rel(from), *t = rel(to);
    struct stat sf, stt;
    char name[64];
    char *parked = NULL;
    if (fstatat(bfd, f, &sf, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
    if (fstatat(bfd, t, &stt, AT_SYMLINK_NOFOLLOW) == 0) {
        if (sf.st_ino == stt.st_ino) return 0;
        if (S_ISDIR(stt.st_mode) && !S_ISDIR(sf.st_mode)) return -EISDIR;
        if (!S_ISDIR(stt.st_mode) && S_ISDIR(sf.st_mode)) return -ENOTDIR;
        if (S_ISDIR(stt.st_mode)) {
            int e = is_empty_dir(t);
            if (e < 0) return e;
            if (!e) return -ENOTEMPTY;
        }
        if (!(parked = park(t, name, sizeof name))) return -errno;
    } else if (errno != ENOENT) {
        return -errno;
    }
    if (renameat(bfd, f, bfd, t) < 0) {
        int err = errno;
        if (parked) renameat(lfd, parked, bfd, t);
        return -err;
    }
    record(R_RENAME, f, t, parked);
    return 0;
}

static int pf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    int rc = fi ? fchmod((int) fi->fh, mode) : fchmodat(bfd, rel(path), mode, 0);
    return rc < 0 ? -errno : 0;
}

static int pf_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    int rc = fi ? fchown((int) fi->fh, uid, gid) : fchownat(bfd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
    return rc < 0 ? -errno : 0;
}

static int pf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
    int rc = fi ? futimens((int) fi->fh, tv) : utimensat(bfd, rel(path), tv, AT_SYMLINK_NOFOLLOW);
    return rc < 0 ? -errno : 0;
}

static int pf_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    int fd = fi ? (int) fi->fh : openat(bfd, rel(path), O_RDWR);
    if (fd < 0) return -errno;
    struct node *n = node_get(fd);
    if (!fi) close(fd);
    if (!n) return -EIO;
    live_truncate(n, size);
    return 0;
}

static int open_backing(const char *path, int flags, mode_t mode, int *created) {
    int base = (flags & ~(O_TRUNC | O_APPEND | O_ACCMODE | O_CREAT | O_EXCL)) | O_CLOEXEC;
    int fd = -1;
    *created = 0;
    if (flags & O_CREAT) {
        fd = openat(bfd, rel(path), base | O_CREAT | O_EXCL | O_RDWR, mode);
        if (fd >= 0) *created = 1;
        else if (errno != EEXIST || (flags & O_EXCL)) return -errno;
    }
    if (fd < 0) fd = openat(bfd, rel(path), base | O_RDWR);
    if (fd < 0 && (errno == EACCES || errno == EISDIR || errno == EROFS)) fd = openat(bfd, rel(path), base | (flags & O_ACCMODE));
    return fd < 0 ? -errno : fd;
}

static int pf_open_common(const char *path, mode_t mode, struct fuse_file_info *fi) {
    int created;
    int fd = open_backing(path, fi->flags, mode, &created);
    if (fd < 0) return fd;
    if (created) record(R_CREATE, rel(path), NULL, NULL);
    struct node *n = node_get(fd);
    if (!n) { close(fd); return -EIO; }
    n->open++;
    if ((fi->flags & O_TRUNC) && n->size > 0) live_truncate(n, 0);
    fi->fh = (uint64_t) fd;
    fi->direct_io = 0;
    fi->keep_cache = 0;
    return 0;
}

static int pf_open(const char *path, struct fuse_file_info *fi) {
    return pf_open_common(path, 0, fi);
}

static int pf_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    return pf_open_common(path, mode, fi);
}

static int pf_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path;
    struct node *n = node_get((int) fi->fh);
    if (!n) return -EIO;
    return (int) live_read(n, buf, size, off);
}

static int pf_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path;
    struct node *n = node_get((int) fi->fh);
    if (!n) return -EIO;
    live_write(n, buf, size, off);
    return (int) size;
}

static int pf_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path; (void) datasync;
    struct node *n = node_get((int) fi->fh);
    return n ? apply(n) : -EIO;
}

static int pf_release(const char *path, struct fuse_file_info *fi) {
    (void) path;
    int fd = (int) fi->fh;
    struct node *n = node_get(fd);
    close(fd);
    if (n && --n->open <= 0 && !n->dirty) node_drop(n);
    return 0;
}

static int pf_statfs(const char *path, struct statvfs *st) {
    (void) path;
    return fstatvfs(bfd, st) < 0 ? -errno : 0;
}

static int pf_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
    (void) path; (void) mode; (void) off; (void) len; (void) fi;
    return -EOPNOTSUPP;
}

static const struct fuse_operations ops = {
    .init = pf_init, .destroy = pf_destroy, .getattr = pf_getattr, .access = pf_access,
    .readlink = pf_readlink, .opendir = pf_opendir, .readdir = pf_readdir,
    .releasedir = pf_releasedir, .fsyncdir = pf_fsyncdir, .mkdir = pf_mkdir, .mknod = pf_mknod,
    .symlink = pf_symlink, .link = pf_link, .unlink = pf_unlink, .rmdir = pf_rmdir,
    .rename = pf_rename, .chmod = pf_chmod, .chown = pf_chown, .utimens = pf_utimens,
    .truncate = pf_truncate, .open = pf_open, .create = pf_create, .read = pf_read,
    .write = pf_write, .fsync = pf_fsync, .release = pf_release, .statfs = pf_statfs,
    .fallocate = pf_fallocate,
};

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s BACKING LIMBO MOUNTPOINT\n", argv[0]);
        return 2;
    }
    backing_path = argv[1];
    limbo_path = argv[2];
    bfd = open(backing_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    lfd = open(limbo_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0 || lfd < 0) {
        perror("powerfs: cannot open the backing or limbo directory");
        return 2;
    }
    empty_limbo();
    umask(0);
    char *fargv[] = {argv[0], argv[3], "-f", "-s", "-o", "fsname=powerfs,subtype=powerfs", NULL};
    int rc = fuse_main(6, fargv, &ops, NULL);
    say("exit %d (%s)", rc, cut ? "power cut" : "unmounted");
    return rc;
}
