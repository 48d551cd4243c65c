package io.dittofs.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The script of the POSIX differential test ({@link PosixDifferentialIT}), in the line format of
 * {@code e2e/src/test/c/posixop.c}: {@code UID GID GROUPS OP ARGS...}. Every case works on a fresh
 * object: root creates it, gives it to the owner, sets its mode, then one actor performs one call.
 * Because cases share no state, a runner that cannot act as some actor (libnfs has no
 * supplementary groups) skips that actor's cases whole. Immutable, thread-safe.
 */
final class PosixScript {

    /** The owner of every object. */
    static final int OWNER = 1000;
    static final int GROUP = 1000;

    /** uid, gid, supplementary gids ("-" for none). */
    record Actor(String name, int uid, int gid, String groups) {
        String prefix() {
            return uid + " " + gid + " " + groups + " ";
        }

        boolean supplementary() {
            return !groups.equals("-");
        }
    }

    /** Lines of one case; the last one is the call under test. */
    record Case(Actor actor, List<String> lines) {
    }

    static final List<Actor> ACTORS = List.of(
            new Actor("root", 0, 0, "-"),
            new Actor("owner", OWNER, GROUP, "-"),
            new Actor("member", 1001, GROUP, "-"),
            new Actor("supp-member", 1001, 1001, "1000"),
            new Actor("stranger", 1002, 1002, "-"));

    private static final Actor ROOT = ACTORS.get(0);

    /** Object kinds and modes: type of posixop's mknod (symlink separately) and the mode. */
    private static final String[][] OBJECTS = {
            {"reg", "0644"}, {"reg", "0755"}, {"reg", "04755"}, {"reg", "02755"}, {"reg", "06755"}, {"reg", "02745"},
            {"dir", "0755"}, {"dir", "01777"}, {"dir", "02775"},
            {"symlink", "0777"}, {"fifo", "0644"}, {"fifo", "02755"}, {"sock", "0755"}, {"blk", "0660"}, {"chr", "04666"},
    };

    /** The two parents: root-owned world-writable, sticky and not. */
    static final List<String> PARENTS = List.of("s", "o");

    private PosixScript() {
    }

    /** Lines that create the parents, run first. */
    static List<String> prologue() {
        return List.of(ROOT.prefix() + "mknod s dir 01777", ROOT.prefix() + "mknod o dir 0777");
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        int n = 0;
        for (Actor actor : ACTORS) {
            for (String[] obj : OBJECTS) {
                for (String call : calls(obj[0])) {
                    String parent = PARENTS.get(n % 2);
                    String p = parent + "/c" + n++;
                    List<String> lines = new ArrayList<>(setup(obj[0], obj[1], p));
                    lines.add(actor.prefix() + call.replace("P", p));
                    cases.add(new Case(actor, lines));
                }
            }
        }
        return cases;
    }

    private static List<String> setup(String type, String mode, String p) {
        String r = ROOT.prefix();
        if (type.equals("symlink")) {
            return List.of(r + "symlink nowhere " + p, r + "lchown " + p + " " + OWNER + " " + GROUP);
        }
        // the owner's chown clears set-id bits, so the mode comes last
        return List.of(r + "mknod " + p + " " + type + " " + mode, r + "lchown " + p + " " + OWNER + " " + GROUP,
                r + "chmod " + p + " " + mode);
    }

    /** Calls for one object type; P stands for the object's path. */
    private static List<String> calls(String type) {
        List<String> c = new ArrayList<>(List.of(
                "lchown P 1000 1000", "lchown P -1 1000", "lchown P -1 1001", "lchown P 1002 -1", "lchown P 1000 -1",
                "link P P.l", "rename P P.r"));
        c.add(type.equals("dir") ? "rmdir P" : "unlink P");
        if (!type.equals("symlink")) {
            c.addAll(List.of("chmod P 0755", "chmod P 02755", "chmod P 01755", "chmod P 04711", "utimes P", "utimesnow P"));
        }
        if (type.equals("reg") || type.equals("dir")) {
            c.add("write P");
        }
        if (type.equals("reg") || type.equals("fifo") || type.equals("dir")) {
            c.add("truncate P 0");
        }
        if (type.equals("reg")) {
            c.add("truncate P 1"); // a real size change: the Linux NFS client skips SETATTR for size 0 of an empty file
        }
        return c;
    }
}
