package io.dittofs.controlplane.store;

import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.model.User;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control-plane database: users, groups, store and share definitions, share permissions,
 * adapters and settings. Implementations are thread-safe; every method is one transaction.
 * Failures are {@link StoreException}s (NOT_FOUND, CONFLICT, DATABASE).
 */
public interface ControlPlaneStore extends AutoCloseable {
    /** True if the database answers. */
    boolean ping();

    int schemaVersion();

    // users
    void createUser(User u);

    Optional<User> user(String username);

    List<User> users();

    /** Replaces every field of the user named {@code u.username()}. */
    void updateUser(User u);

    /** Deletes the user, its group memberships and its share permissions. */
    void deleteUser(String username);

    // groups
    void createGroup(String name, Integer gid);

    Optional<Group> group(String name);

    List<Group> groups();

    void updateGroup(String name, Integer gid);

    /** Deletes the group, its memberships and its share permissions. */
    void deleteGroup(String name);

    void addMember(String group, String username);

    void removeMember(String group, String username);

    // stores (kind: metadata or block)
    void createStore(StoreDef s);

    Optional<StoreDef> store(String kind, String name);

    List<StoreDef> stores(String kind);

    /** Deletes a store definition; CONFLICT while a share binds it. */
    void deleteStore(String kind, String name);

    // shares
    /** Creates a share with a new id (ignoring {@code s.id()}) and returns it. */
    ShareDef createShare(ShareDef s);

    Optional<ShareDef> share(String name);

    List<ShareDef> shares();

    /** Updates the flags of the share with {@code s.id()} (name and stores are fixed). */
    void updateShare(ShareDef s);

    /** Deletes the share and its permissions. */
    void deleteShare(String name);

    void setPermission(String share, SharePermission p);

    void removePermission(String share, String principalType, String principal);

    List<SharePermission> permissions(String share);

    /** Every explicit permission, by share id. */
    Map<Integer, List<SharePermission>> allPermissions();

    // adapters
    void putAdapter(AdapterDef a);

    Optional<AdapterDef> adapter(String type);

    List<AdapterDef> adapters();

    // settings
    void putSetting(String name, String value);

    Optional<String> setting(String name);

    Map<String, String> settings();

    void deleteSetting(String name);

    @Override
    void close();
}
