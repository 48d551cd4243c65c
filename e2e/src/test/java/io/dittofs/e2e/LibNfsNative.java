package io.dittofs.e2e;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Method handles for the synchronous API of Debian's libnfs 4.0.0 ({@code libnfs.so.13}, header
 * {@code /usr/include/nfsc/libnfs.h}), bound with the FFM API. Loaded once, on first use; the
 * handles are immutable and thread-safe, but a libnfs context must be used by one thread at a time.
 */
final class LibNfsNative {

    static final String LIBRARY = "libnfs.so.13";

    // struct nfs_context *nfs_init_context(void); void nfs_destroy_context(struct nfs_context *)
    final MethodHandle initContext;
    final MethodHandle destroyContext;
    final MethodHandle getError;
    // struct nfs_url *nfs_parse_url_dir(ctx, const char *url); void nfs_destroy_url(struct nfs_url *)
    final MethodHandle parseUrlDir;
    final MethodHandle destroyUrl;
    final MethodHandle mount;
    final MethodHandle umount;
    final MethodHandle setUid;
    final MethodHandle setGid;
    final MethodHandle setAutoreconnect;
    final MethodHandle setTimeout;
    final MethodHandle setDebug;
    final MethodHandle getReadmax;
    final MethodHandle getWritemax;
    // int nfs_open2(ctx, path, int flags, int mode, struct nfsfh **); int nfs_creat(ctx, path, int mode, struct nfsfh **)
    final MethodHandle open2;
    final MethodHandle creat;
    final MethodHandle close;
    // int nfs_pread(ctx, fh, uint64_t offset, uint64_t count, void *buf); same for nfs_pwrite
    final MethodHandle pread;
    final MethodHandle pwrite;
    final MethodHandle fsync;
    final MethodHandle ftruncate;
    final MethodHandle fstat64;
    // int nfs_stat64(ctx, path, struct nfs_stat_64 *); nfs_lstat64 likewise
    final MethodHandle stat64;
    final MethodHandle lstat64;
    final MethodHandle mkdir2;
    final MethodHandle rmdir;
    final MethodHandle unlink;
    final MethodHandle rename;
    final MethodHandle link;
    final MethodHandle symlink;
    // int nfs_readlink2(ctx, path, char **bufptr): the caller frees *bufptr
    final MethodHandle readlink2;
    final MethodHandle chmod;
    final MethodHandle chown;
    final MethodHandle lchown;
    final MethodHandle truncate;
    // int nfs_mknod(ctx, path, int mode, int dev); int nfs_utimes(ctx, path, struct timeval times[2] or NULL)
    final MethodHandle mknod;
    final MethodHandle utimes;
    // int nfs_opendir(ctx, path, struct nfsdir **); struct nfsdirent *nfs_readdir(ctx, dir); void nfs_closedir(ctx, dir)
    final MethodHandle opendir;
    final MethodHandle readdir;
    final MethodHandle closedir;
    final MethodHandle free;

    private static volatile LibNfsNative instance;

    private LibNfsNative(SymbolLookup nfs) {
        Linker linker = Linker.nativeLinker();
        Binder b = new Binder(linker, nfs);
        initContext = b.bind("nfs_init_context", FunctionDescriptor.of(ADDRESS));
        destroyContext = b.bind("nfs_destroy_context", FunctionDescriptor.ofVoid(ADDRESS));
        getError = b.bind("nfs_get_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
        parseUrlDir = b.bind("nfs_parse_url_dir", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        destroyUrl = b.bind("nfs_destroy_url", FunctionDescriptor.ofVoid(ADDRESS));
        mount = b.bind("nfs_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        umount = b.bind("nfs_umount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setUid = b.bind("nfs_set_uid", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setGid = b.bind("nfs_set_gid", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setAutoreconnect = b.bind("nfs_set_autoreconnect", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setTimeout = b.bind("nfs_set_timeout", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setDebug = b.bind("nfs_set_debug", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        getReadmax = b.bind("nfs_get_readmax", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getWritemax = b.bind("nfs_get_writemax", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        open2 = b.bind("nfs_open2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        creat = b.bind("nfs_creat", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        close = b.bind("nfs_close", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        pread = b.bind("nfs_pread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        pwrite = b.bind("nfs_pwrite", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        fsync = b.bind("nfs_fsync", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        ftruncate = b.bind("nfs_ftruncate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        fstat64 = b.bind("nfs_fstat64", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        stat64 = b.bind("nfs_stat64", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        lstat64 = b.bind("nfs_lstat64", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        mkdir2 = b.bind("nfs_mkdir2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        rmdir = b.bind("nfs_rmdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        unlink = b.bind("nfs_unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        rename = b.bind("nfs_rename", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        link = b.bind("nfs_link", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        symlink = b.bind("nfs_symlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        readlink2 = b.bind("nfs_readlink2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        chmod = b.bind("nfs_chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        chown = b.bind("nfs_chown", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        lchown = b.bind("nfs_lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        truncate = b.bind("nfs_truncate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        mknod = b.bind("nfs_mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        utimes = b.bind("nfs_utimes", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        opendir = b.bind("nfs_opendir", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        readdir = b.bind("nfs_readdir", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        closedir = b.bind("nfs_closedir", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        free = new Binder(linker, linker.defaultLookup()).bind("free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    /**
     * The bound library; fails with a message naming the apt package when libnfs is not installed.
     */
    static LibNfsNative get() {
        LibNfsNative n = instance;
        if (n == null) {
            synchronized (LibNfsNative.class) {
                n = instance;
                if (n == null) {
                    n = new LibNfsNative(load());
                    instance = n;
                }
            }
        }
        return n;
    }

    private static SymbolLookup load() {
        try {
            return SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("cannot load " + LIBRARY + " (" + e.getMessage()
                    + "): install the apt package libnfs13 (apt-get install libnfs13 libnfs-utils)", e);
        }
    }

    private record Binder(Linker linker, SymbolLookup lookup) {
        MethodHandle bind(String name, FunctionDescriptor fd) {
            return linker.downcallHandle(lookup.find(name).orElseThrow(
                    () -> new AssertionError(LIBRARY + " has no symbol " + name + " (expected libnfs 4.0.0, apt package libnfs13)")), fd);
        }
    }
}
