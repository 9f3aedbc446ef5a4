package io.portgate.loop;

import java.nio.channels.SelectionKey;

/**
 * What a selection key's attachment does when the key is ready. Every key registered with a {@link Worker}'s
 * selector carries one.
 */
@FunctionalInterface
public interface IoHandler
{
    /**
     * The key is ready for at least one of its interest operations.
     *
     * @param key   the ready key; {@link SelectionKey#readyOps()} says for what.
     * @param nowNs the loop's clock, read once for this duty cycle.
     */
    void onReady(SelectionKey key, long nowNs);
}
