package io.portgate.udp;

/**
 * How one worker moves datagrams: plain NIO, one datagram per system call, or batches through the Panama layer.
 * Both make the same decisions through {@link UdpFlows}; they differ only in how bytes cross the kernel boundary.
 */
interface DatagramPath
{
    /** Allocates what the path needs; called on the worker's thread before any socket is ready. */
    void open();

    /**
     * A listener socket is readable: forward what the clients sent.
     *
     * @param socket the socket.
     * @param nowNs  the loop's clock.
     */
    void drainListener(UdpListenerSocket socket, long nowNs);

    /**
     * A backend socket is readable (or has an error pending): return the target's replies to the flow's client.
     *
     * @param backend the socket.
     * @param nowNs   the loop's clock.
     */
    void drainBackend(UdpBackend backend, long nowNs);

    /**
     * Prepares a backend socket just opened and connected, before any datagram goes through it.
     *
     * @param backend the socket.
     * @throws java.io.IOException when it cannot be prepared; the flow's datagram is dropped.
     */
    void configureBackend(UdpBackend backend) throws java.io.IOException;

    /** Frees what {@link #open()} allocated; called on the worker's thread. */
    void close();
}
