package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.rpc.BackChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of an NFSv4.1 back channel, in process: decodes the CB_COMPOUND the server sends
 * (RFC 8881 section 20: CB_SEQUENCE then CB_RECALL), records each recall and answers NFS4_OK the way a
 * client does before it returns the delegation; can be told to fail like a dead connection. Thread-safe.
 */
final class CallbackClient implements BackChannel {
    /** One CB_RECALL received: the CB_SEQUENCE's sequence id and the recalled stateid's "other". */
    record Recall(int program, int sequence, int seqid, byte[] other, byte[] fh) {
    }

    final BlockingQueue<Recall> recalls = new LinkedBlockingQueue<>();
    volatile boolean broken;
    /** False: CB_NULL goes unanswered (a client that asked for a back channel it does not serve). */
    volatile boolean answerNull = true;

    @Override
    public byte[] call(int program, int version, int proc, byte[] args, Duration timeout) throws IOException {
        if (broken) {
            throw new IOException("connection reset");
        }
        if (version != 1 || proc != 1) {
            if (!answerNull) {
                throw new IOException("no reply to CB_NULL within " + timeout);
            }
            return new byte[0]; // CB_NULL
        }
        ByteBuffer a = ByteBuffer.wrap(args);
        int tagLen = a.getInt();
        a.position(a.position() + (tagLen + 3 & ~3));
        if (a.getInt() != 1) {
            throw new AssertionError("CB_COMPOUND minorversion");
        }
        a.getInt(); // callback_ident
        if (a.getInt() != 2 || a.getInt() != 11) {
            throw new AssertionError("expected CB_SEQUENCE then CB_RECALL");
        }
        byte[] session = new byte[16];
        a.get(session);
        int sequence = a.getInt();
        int slot = a.getInt();
        a.getInt();
        a.getInt();
        if (a.getInt() != 0 || slot != 0) {
            throw new AssertionError("referring calls or slot");
        }
        if (a.getInt() != 4) {
            throw new AssertionError("expected CB_RECALL");
        }
        int seqid = a.getInt();
        byte[] other = new byte[12];
        a.get(other);
        a.getInt(); // truncate
        byte[] fh = new byte[a.getInt()];
        a.get(fh);
        recalls.add(new Recall(program, sequence, seqid, other, fh));
        ByteBuffer r = ByteBuffer.allocate(64);
        r.putInt(0).putInt(0).putInt(2);
        r.putInt(11).putInt(0).put(session).putInt(sequence).putInt(0).putInt(0).putInt(0);
        r.putInt(4).putInt(0);
        return java.util.Arrays.copyOf(r.array(), r.position());
    }

    @Override
    public boolean isOpen() {
        return !broken;
    }

    /** The next recall, waiting up to 5 s; null if none came. */
    Recall nextRecall() throws InterruptedException {
        return recalls.poll(5, TimeUnit.SECONDS);
    }
}
