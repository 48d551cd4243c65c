package io.dittofs.controlplane.store;

import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.model.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every control-plane database must do; one subclass per backend (SQLite, PostgreSQL). */
abstract class ControlPlaneStoreContract {
    ControlPlaneStore store;

    /** A fresh, empty, migrated store. */
    abstract ControlPlaneStore newStore() throws Exception;

    /** Opens the same database again (a restart). */
    abstract ControlPlaneStore reopen() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static User user(String name, Integer uid) {
        return new User(name, Role.USER, uid, uid, true, false, "$2y$10$hash", "00ff");
    }

    private void twoStoresAndShare() {
        store.createStore(new StoreDef("meta", "metadata", "memory", Map.of()));
        store.createStore(new StoreDef("blocks", "block", "memory", Map.of("k", "v")));
    }

    @Test
    void shouldBeMigratedAndAnswer() {
        assertTrue(store.ping());
        assertEquals(Migrations.latest(), store.schemaVersion());
    }

    @Test
    void shouldCreateReadUpdateDeleteUsers() {
        store.createUser(user("alice", 1000));
        store.createUser(user("bob", null));
        assertEquals(List.of("alice", "bob"), store.users().stream().map(User::username).toList());
        User a = store.user("alice").orElseThrow();
        assertEquals(1000, a.uid());
        assertEquals("$2y$10$hash", a.passwordHash());
        store.updateUser(new User("alice", Role.ADMIN, 1001, 100, false, true, "h2", "n2"));
        User a2 = store.user("alice").orElseThrow();
        assertEquals(Role.ADMIN, a2.role());
        assertEquals(1001, a2.uid());
        assertFalse(a2.enabled());
        assertTrue(a2.mustChangePassword());
        store.deleteUser("alice");
        assertTrue(store.user("alice").isEmpty());
        assertEquals(StoreException.Kind.NOT_FOUND, assertThrows(StoreException.class, () -> store.deleteUser("alice")).kind());
    }

    @Test
    void shouldRefuseDuplicateUsersAndUids() {
        store.createUser(user("alice", 1000));
        assertEquals(StoreException.Kind.CONFLICT,
                assertThrows(StoreException.class, () -> store.createUser(user("alice", 2000))).kind());
        assertEquals(StoreException.Kind.CONFLICT,
                assertThrows(StoreException.class, () -> store.createUser(user("carol", 1000))).kind());
    }

    @Test
    void shouldKeepHostileNamesVerbatim() {
        String evil = "x'); DROP TABLE users; --";
        store.createUser(user(evil, null));
        assertTrue(store.user(evil).isPresent());
        assertEquals(1, store.users().size());
    }

    @Test
    void shouldManageGroupsAndMembership() {
        store.createUser(user("alice", 1000));
        store.createUser(user("bob", 1001));
        store.createGroup("staff", 50);
        store.addMember("staff", "alice");
        store.addMember("staff", "bob");
        store.addMember("staff", "bob");
        assertEquals(new Group("staff", 50, List.of("alice", "bob")), store.group("staff").orElseThrow());
        store.removeMember("staff", "bob");
        store.updateGroup("staff", null);
        assertEquals(new Group("staff", null, List.of("alice")), store.group("staff").orElseThrow());
        assertThrows(StoreException.class, () -> store.addMember("staff", "nobody"));
        assertThrows(StoreException.class, () -> store.addMember("nogroup", "alice"));
        store.deleteUser("alice");
        assertEquals(List.of(), store.group("staff").orElseThrow().members());
        store.deleteGroup("staff");
        assertTrue(store.groups().isEmpty());
    }

    @Test
    void shouldManageStoresAndRefuseDeletingOnesInUse() {
        twoStoresAndShare();
        assertEquals(Map.of("k", "v"), store.store("block", "blocks").orElseThrow().config());
        assertEquals(1, store.stores("metadata").size());
        assertThrows(StoreException.class, () -> store.createStore(new StoreDef("meta", "metadata", "memory", Map.of())));
        store.createShare(new ShareDef(0, "/a", "meta", "blocks", false, Permission.READ_WRITE, true, false));
        StoreException e = assertThrows(StoreException.class, () -> store.deleteStore("metadata", "meta"));
        assertEquals(StoreException.Kind.CONFLICT, e.kind());
        store.deleteShare("/a");
        store.deleteStore("metadata", "meta");
        assertTrue(store.store("metadata", "meta").isEmpty());
    }

    @Test
    void shouldAllocateStableShareIds() throws Exception {
        twoStoresAndShare();
        ShareDef a = store.createShare(new ShareDef(0, "/a", "meta", "blocks", false, Permission.READ, true, false));
        ShareDef b = store.createShare(new ShareDef(0, "/b", "meta", "blocks", true, Permission.NONE, true, true));
        assertNotEquals(a.id(), b.id());
        assertThrows(StoreException.class, () ->
                store.createShare(new ShareDef(0, "/a", "meta", "blocks", false, Permission.READ, true, false)));
        assertThrows(StoreException.class, () ->
                store.createShare(new ShareDef(0, "/c", "nometa", "blocks", false, Permission.READ, true, false)));
        store.updateShare(new ShareDef(b.id(), "/b", "meta", "blocks", false, Permission.READ_WRITE, false, false));
        store.close();
        store = reopen();
        assertEquals(a, store.share("/a").orElseThrow());
        ShareDef b2 = store.share("/b").orElseThrow();
        assertEquals(b.id(), b2.id());
        assertEquals(Permission.READ_WRITE, b2.defaultPermission());
        assertFalse(b2.enabled());
    }

    @Test
    void shouldNeverReuseTheIdOfADeletedShareEvenAfterARestart() throws Exception {
        twoStoresAndShare();
        ShareDef a = store.createShare(new ShareDef(0, "/a", "meta", "blocks", false, Permission.READ, true, false));
        ShareDef b = store.createShare(new ShareDef(0, "/b", "meta", "blocks", false, Permission.READ, true, false));
        store.deleteShare("/b");
        store.deleteShare("/a");
        ShareDef c = store.createShare(new ShareDef(0, "/c", "meta", "blocks", false, Permission.READ, true, false));
        assertTrue(c.id() > b.id() && b.id() > a.id(), a.id() + ", " + b.id() + ", " + c.id());
        store.deleteShare("/c");
        store.close();
        store = reopen();
        ShareDef d = store.createShare(new ShareDef(0, "/a", "meta", "blocks", false, Permission.READ, true, false));
        assertTrue(d.id() > c.id(), "after a restart: " + d.id() + " vs " + c.id());
    }

    @Test
    void shouldGrantAndRevokePermissions() {
        twoStoresAndShare();
        ShareDef s = store.createShare(new ShareDef(0, "/a", "meta", "blocks", false, Permission.NONE, true, false));
        store.createUser(user("alice", 1000));
        store.createGroup("staff", 50);
        store.setPermission("/a", new SharePermission("user", "alice", Permission.READ));
        store.setPermission("/a", new SharePermission("user", "alice", Permission.READ_WRITE));
        store.setPermission("/a", new SharePermission("group", "staff", Permission.READ));
        assertEquals(List.of(new SharePermission("group", "staff", Permission.READ),
                new SharePermission("user", "alice", Permission.READ_WRITE)), store.permissions("/a"));
        assertEquals(2, store.allPermissions().get(s.id()).size());
        assertThrows(StoreException.class, () -> store.setPermission("/a", new SharePermission("user", "ghost", Permission.READ)));
        store.removePermission("/a", "user", "alice");
        assertThrows(StoreException.class, () -> store.removePermission("/a", "user", "alice"));
        store.deleteGroup("staff");
        assertTrue(store.permissions("/a").isEmpty());
        store.setPermission("/a", new SharePermission("user", "alice", Permission.READ));
        store.deleteShare("/a");
        assertTrue(store.allPermissions().isEmpty());
    }

    @Test
    void shouldUpsertAdaptersAndSettings() {
        store.putAdapter(new AdapterDef("nfs", true, 12049, Map.of()));
        store.putAdapter(new AdapterDef("nfs", false, 2049, Map.of("x", "1")));
        assertEquals(new AdapterDef("nfs", false, 2049, Map.of("x", "1")), store.adapter("nfs").orElseThrow());
        assertEquals(1, store.adapters().size());
        store.putSetting("a", "1");
        store.putSetting("a", "2");
        store.putSetting("b", "3");
        assertEquals(Map.of("a", "2", "b", "3"), store.settings());
        store.deleteSetting("a");
        assertTrue(store.setting("a").isEmpty());
        assertThrows(StoreException.class, () -> store.deleteSetting("a"));
    }
}
