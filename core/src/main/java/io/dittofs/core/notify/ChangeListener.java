package io.dittofs.core.notify;

/**
 * Receives the changes of one file system ({@link ChangeNotifier}). Called on the thread that made
 * the change, after it succeeded, outside any store transaction: implementations must be quick and
 * must not call back into a blocking protocol path (hand long work to another thread).
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ChangeListener {
    void changed(ChangeEvent e);
}
