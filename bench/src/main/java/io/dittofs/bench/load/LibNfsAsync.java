package io.dittofs.bench.load;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * FFM bindings to the asynchronous API of Debian's libnfs 4.0.0 ({@code libnfs.so.13}, header
 * {@code /usr/include/nfsc/libnfs.h}) plus {@code poll(2)} from libc. Every async call takes the
 * {@link #CALLBACK} stub as its {@code nfs_cb} and a {@code private_data} token; libnfs invokes the
 * callback from inside {@code nfs_service}, i.e. on the thread that runs that context's event loop,
 * and the token routes it to {@link Conn#complete}.
 */
final class LibNfsAsync {

    static final String LIBRARY = "libnfs.so.13";

    static final int POLLIN = 0x1;
    static final int POLLOUT = 0x4;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;

    /** struct pollfd { int fd; short events; short revents; } */
    static final long POLLFD_SIZE = 8;

    // struct nfs_stat_64: 17 uint64_t; nfs_size is the 8th
    static final long STAT64_SIZE = 17 * 8;
    static final long STAT64_SIZE_OFFSET = 7 * 8;

    static final MethodHandle initContext;
    static final MethodHandle destroyContext;
    static final MethodHandle getError;
    static final MethodHandle parseUrlDir;
    static final MethodHandle destroyUrl;
    static final MethodHandle mount;
    static final MethodHandle umount;
    static final MethodHandle setTimeout;
    static final MethodHandle setDircache;
    static final MethodHandle setAutoreconnect;
    static final MethodHandle getReadmax;
    static final MethodHandle getWritemax;
    static final MethodHandle getFd;
    static final MethodHandle whichEvents;
    static final MethodHandle service;
    static final MethodHandle queueLength;
    // async calls: int f(ctx, ..., nfs_cb cb, void *private_data)
    static final MethodHandle open2Async;   // (ctx, path, flags, mode, cb, priv)
    static final MethodHandle creatAsync;   // (ctx, path, mode, cb, priv)
    static final MethodHandle closeAsync;   // (ctx, fh, cb, priv)
    static final MethodHandle preadAsync;   // (ctx, fh, off, count, cb, priv)
    static final MethodHandle pwriteAsync;  // (ctx, fh, off, count, buf, cb, priv)
    static final MethodHandle fsyncAsync;   // (ctx, fh, cb, priv)
    static final MethodHandle stat64Async;  // (ctx, path, cb, priv)
    static final MethodHandle unlinkAsync;  // (ctx, path, cb, priv)
    static final MethodHandle mkdir2Async;  // (ctx, path, mode, cb, priv)
    static final MethodHandle rmdirAsync;   // (ctx, path, cb, priv)
    static final MethodHandle opendirAsync; // (ctx, path, cb, priv)
    static final MethodHandle readdir;      // struct nfsdirent *nfs_readdir(ctx, dir)
    static final MethodHandle closedir;     // void nfs_closedir(ctx, dir)
    static final MethodHandle poll;         // int poll(struct pollfd *, nfds_t, int)

    /** The one {@code nfs_cb} upcall stub, shared by every context. */
    static final MemorySegment CALLBACK;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup nfs;
        try {
            nfs = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + LIBRARY + " (" + e.getMessage()
                    + "): install libnfs (apt-get install libnfs13 libnfs-utils)", e);
        }
        initContext = bind(linker, nfs, "nfs_init_context", FunctionDescriptor.of(ADDRESS));
        destroyContext = bind(linker, nfs, "nfs_destroy_context", FunctionDescriptor.ofVoid(ADDRESS));
        getError = bind(linker, nfs, "nfs_get_error", FunctionDescriptor.of(ADDRESS, ADDRESS));
        parseUrlDir = bind(linker, nfs, "nfs_parse_url_dir", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        destroyUrl = bind(linker, nfs, "nfs_destroy_url", FunctionDescriptor.ofVoid(ADDRESS));
        mount = bind(linker, nfs, "nfs_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        umount = bind(linker, nfs, "nfs_umount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setTimeout = bind(linker, nfs, "nfs_set_timeout", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setDircache = bind(linker, nfs, "nfs_set_dircache", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        setAutoreconnect = bind(linker, nfs, "nfs_set_autoreconnect", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        getReadmax = bind(linker, nfs, "nfs_get_readmax", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getWritemax = bind(linker, nfs, "nfs_get_writemax", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        getFd = bind(linker, nfs, "nfs_get_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        whichEvents = bind(linker, nfs, "nfs_which_events", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        service = bind(linker, nfs, "nfs_service", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        queueLength = bind(linker, nfs, "nfs_queue_length", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        open2Async = bind(linker, nfs, "nfs_open2_async",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        creatAsync = bind(linker, nfs, "nfs_creat_async",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        closeAsync = bind(linker, nfs, "nfs_close_async", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        preadAsync = bind(linker, nfs, "nfs_pread_async",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
        pwriteAsync = bind(linker, nfs, "nfs_pwrite_async",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS));
        fsyncAsync = bind(linker, nfs, "nfs_fsync_async", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        stat64Async = bind(linker, nfs, "nfs_stat64_async", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        unlinkAsync = bind(linker, nfs, "nfs_unlink_async", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        mkdir2Async = bind(linker, nfs, "nfs_mkdir2_async",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        rmdirAsync = bind(linker, nfs, "nfs_rmdir_async", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        opendirAsync = bind(linker, nfs, "nfs_opendir_async", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        readdir = bind(linker, nfs, "nfs_readdir", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        closedir = bind(linker, nfs, "nfs_closedir", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        poll = bind(linker, linker.defaultLookup(), "poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(Conn.class, "callback",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class, MemorySegment.class));
            CALLBACK = linker.upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private LibNfsAsync() {
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lookup, String name, FunctionDescriptor fd) {
        return linker.downcallHandle(lookup.find(name).orElseThrow(
                () -> new IllegalStateException(LIBRARY + " has no symbol " + name + " (expected libnfs 4.0.0)")), fd);
    }

    static void setPollFd(MemorySegment pfd, int fd, int events) {
        pfd.set(JAVA_INT, 0, fd);
        pfd.set(JAVA_SHORT, 4, (short) events);
        pfd.set(JAVA_SHORT, 6, (short) 0);
    }

    static int revents(MemorySegment pfd) {
        return pfd.get(JAVA_SHORT, 6) & 0xffff;
    }

    /** A NUL-terminated C string at {@code p}, or {@code fallback} when p is NULL. */
    static String cString(MemorySegment p, String fallback) {
        if (p == null || p.equals(MemorySegment.NULL)) {
            return fallback;
        }
        return p.reinterpret(4096).getString(0);
    }
}
