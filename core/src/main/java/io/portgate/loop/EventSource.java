package io.portgate.loop;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

/**
 * Where a worker's readiness events come from. The forwarders register their sockets here, never with a selector
 * themselves, and the worker polls it once per duty cycle and sleeps in it when idle, so another source of events
 * (issue 12's epoll through Panama) can take its place without the forwarding logic changing. Worker thread only,
 * except {@link #wakeup()}.
 */
public interface EventSource
{
    /**
     * Watches a channel.
     *
     * @param channel  a non-blocking channel.
     * @param ops      the interest operations ({@link SelectionKey#OP_READ}, ...), 0 for none yet.
     * @param handler  told when the channel is ready.
     * @return the registration, through which interest is changed and the channel given up.
     * @throws IOException when the channel cannot be watched.
     */
    SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws IOException;

    /**
     * Calls the handler of every channel ready now, without waiting.
     *
     * @return how many were ready.
     * @throws IOException when polling fails.
     */
    int dispatchReady() throws IOException;

    /**
     * Waits until a channel is ready, {@link #wakeup()} is called, or the timeout passes, and calls the handler of
     * every channel ready then: a wait that ends with channels ready needs no second poll to handle them.
     *
     * @param timeoutMs the longest wait, above 0.
     * @return how many were ready.
     * @throws IOException when waiting fails.
     */
    int await(long timeoutMs) throws IOException;

    /** Ends an {@link #await} early, or the next one at once. Any thread. */
    void wakeup();

    /**
     * Stops watching everything; closing it completes the close of channels closed while registered.
     *
     * @throws IOException when closing fails.
     */
    void close() throws IOException;
}
