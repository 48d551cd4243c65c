/* nfsperf: quick libnfs (sync API) throughput probe against an NFSv3 server.
 *   cc -O2 -o nfsperf nfsperf.c -lnfs
 *   ./nfsperf HOST PORT EXPORT SIZE_MIB RANDOM_READS
 * Writes SIZE_MIB MiB sequentially in 1 MiB pwrites (UNSTABLE + final fsync/COMMIT), reads it back
 * in 1 MiB preads, then does RANDOM_READS 4 KiB preads at random aligned offsets. Prints MB/s and IOPS.
 * (The full async load generator is issue 5's; this is a one-connection, one-call-at-a-time probe.) */
#include <fcntl.h>
#include <sys/time.h>
#include <nfsc/libnfs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
#define CHECK(x, what) do { if ((x) < 0) { fprintf(stderr, "%s: %s\n", what, nfs_get_error(nfs)); return 1; } } while (0)

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: %s HOST PORT EXPORT SIZE_MIB RANDOM_READS\n", argv[0]); return 2; }
    int port = atoi(argv[2]); long mib = atol(argv[4]); long nrand = atol(argv[5]);
    struct nfs_context *nfs = nfs_init_context();
    char url[512];
    snprintf(url, sizeof url, "nfs://%s%s?nfsport=%d&mountport=%d", argv[1], argv[3], port, port);
    struct nfs_url *u = nfs_parse_url_dir(nfs, url);
    if (!u) { fprintf(stderr, "url: %s\n", nfs_get_error(nfs)); return 1; }
    CHECK(nfs_mount(nfs, u->server, u->path), "mount");
    struct nfsfh *fh;
    nfs_unlink(nfs, "/nfsperf.bin");
    CHECK(nfs_creat(nfs, "/nfsperf.bin", 0644, &fh), "creat");
    size_t bs = 1 << 20; char *buf = malloc(bs); memset(buf, 0xa5, bs);
    double t0 = now();
    for (long i = 0; i < mib; i++) CHECK(nfs_pwrite(nfs, fh, (uint64_t)i * bs, bs, buf), "pwrite");
    CHECK(nfs_fsync(nfs, fh), "fsync");
    double tw = now() - t0;
    t0 = now();
    for (long i = 0; i < mib; i++) CHECK(nfs_pread(nfs, fh, (uint64_t)i * bs, bs, buf), "pread");
    double tr = now() - t0;
    srand(42); t0 = now();
    for (long i = 0; i < nrand; i++) {
        uint64_t off = ((uint64_t)rand() % ((uint64_t)mib * 256)) * 4096;
        CHECK(nfs_pread(nfs, fh, off, 4096, buf), "pread4k");
    }
    double tq = now() - t0;
    nfs_close(nfs, fh); nfs_unlink(nfs, "/nfsperf.bin");
    /* 4 KiB FILE_SYNC writes: O_SYNC makes libnfs send stable=FILE_SYNC */
    struct nfsfh *sfh;
    nfs_unlink(nfs, "/nfsperf-sync.bin");
    CHECK(nfs_open2(nfs, "/nfsperf-sync.bin", O_CREAT | O_RDWR | O_SYNC, 0644, &sfh), "open O_SYNC");
    long nsync = nrand / 4 > 0 ? nrand / 4 : 1;
    t0 = now();
    for (long i = 0; i < nsync; i++) CHECK(nfs_pwrite(nfs, sfh, (uint64_t)i * 4096, 4096, buf), "pwrite sync");
    double ts = now() - t0;
    nfs_close(nfs, sfh); nfs_unlink(nfs, "/nfsperf-sync.bin");
    printf("seq write 1MiB: %.1f MB/s\nseq read 1MiB: %.1f MB/s\nrandom read 4KiB: %.0f IOPS\n"
           "FILE_SYNC write 4KiB: %.0f writes/s\n",
           mib * bs / tw / 1e6, mib * bs / tr / 1e6, nrand / tq, nsync / ts);
    nfs_destroy_context(nfs);
    return 0;
}
