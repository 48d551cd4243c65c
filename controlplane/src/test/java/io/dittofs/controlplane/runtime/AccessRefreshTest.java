package io.dittofs.controlplane.runtime;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.Databases;
import io.dittofs.controlplane.store.JdbcControlPlaneStore;
import io.dittofs.core.AuthContext;
import io.dittofs.core.ShareAccess;
import io.dittofs.protocols.rpc.RpcServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access table is rebuilt under one lock: a rebuild that read the database early never overwrites a later one. */
class AccessRefreshTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void shouldNeverBringBackARevokedGrantWhenAnOlderRebuildFinishesLast() throws Exception {
        HikariConfig hc = new HikariConfig();
        Databases.sqlite(hc, dir.resolve("db.sqlite"));
        HikariDataSource ds = new HikariDataSource(hc);
        ControlPlaneStore real = new JdbcControlPlaneStore(ds, true, ds);
        // the real store, except that one chosen thread stalls right after it read the grants
        CountDownLatch grantsRead = new CountDownLatch(1);
        Thread[] slow = new Thread[1];
        ControlPlaneStore db = (ControlPlaneStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ControlPlaneStore.class}, (proxy, m, args) -> {
                    Object out;
                    try {
                        out = m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (m.getName().equals("allPermissions") && Thread.currentThread() == slow[0]) {
                        grantsRead.countDown();
                        Thread.sleep(500);
                    }
                    return out;
                });
        db.createUser(new User("alice", Role.USER, 1000, 1000, true, false, "$2y$10$x", "00"));
        db.createStore(new StoreDef("m", "metadata", "memory", Map.of()));
        db.createStore(new StoreDef("b", "block", "memory", Map.of()));
        db.createShare(new ShareDef(0, "/s", "m", "b", false, Permission.NONE, true, false));
        db.setPermission("/s", new SharePermission("user", "alice", Permission.READ_WRITE));
        AuthContext alice = new AuthContext(1000, 1000, new int[0], "test");
        try (ServerRuntime runtime = new ServerRuntime(db, "127.0.0.1", -1, RpcServer.Options.defaults())) {
            runtime.start();
            assertEquals(ShareAccess.READ_WRITE, runtime.registry().byName("/s").access().decide(alice));

            Thread rebuild = Thread.ofPlatform().unstarted(runtime::refreshAccess); // e.g. after an unrelated change
            slow[0] = rebuild;
            rebuild.start();
            assertTrue(grantsRead.await(10, TimeUnit.SECONDS));
            db.removePermission("/s", "user", "alice"); // the revoke, committed after that rebuild read the grants
            runtime.refreshAccess();
            rebuild.join();

            assertTrue(db.permissions("/s").isEmpty());
            assertEquals(ShareAccess.NONE, runtime.registry().byName("/s").access().decide(alice),
                    "the access table matches the database: the revoked grant stays revoked");
        } finally {
            real.close();
        }
    }
}
