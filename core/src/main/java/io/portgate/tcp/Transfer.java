package io.portgate.tcp;

import java.nio.channels.SocketChannel;

/**
 * The bytes in flight in one direction of a connection: read from the source, not yet written to the destination.
 * Both channels and their file descriptors are passed so the NIO and the splice implementation share one shape.
 * Expected outcomes (nothing to read, no room to write, end of stream, reset) are return codes, not exceptions.
 */
abstract class Transfer
{
    /** The source sent its FIN. */
    static final int EOF = -1;
    /** The socket failed (reset by peer, broken pipe): the connection must be reset. */
    static final int RESET = -2;

    /**
     * Reads what the source has, as much as fits.
     *
     * @param source   the source channel.
     * @param sourceFd its file descriptor, or -1 on the NIO path.
     * @return bytes read, 0 for none, {@link #EOF} or {@link #RESET}.
     */
    abstract int readFrom(SocketChannel source, int sourceFd);

    /**
     * Writes pending bytes to the destination, as many as it takes.
     *
     * @param destination   the destination channel.
     * @param destinationFd its file descriptor, or -1 on the NIO path.
     * @return bytes written, 0 for none, or {@link #RESET}.
     */
    abstract int writeTo(SocketChannel destination, int destinationFd);

    /**
     * Bytes read and not yet written.
     *
     * @return the count.
     */
    abstract int pending();

    /**
     * Bytes this transfer holds against the memory budget.
     *
     * @return its capacity.
     */
    abstract int capacity();

    /** Frees what it holds outside the heap; called once, when its pool drops it. */
    abstract void free();
}
