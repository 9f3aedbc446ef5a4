package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * A peer the harness runs itself, so a benchmark needs no other tool: an echo server or a sink, TCP or UDP, on one
 * thread of its own. It is listening when {@link #start(Kind, InetSocketAddress)} returns, and stops on
 * {@link #close()}.
 */
public interface BenchServer extends AutoCloseable
{
    /** What a server does with what it receives. */
    enum Kind
    {
        /** Writes every byte back on the same connection. */
        TCP_ECHO,
        /** Sends every datagram back to its sender. */
        UDP_ECHO,
        /** Reads and discards, counting bytes. */
        TCP_SINK,
        /** Receives and counts datagrams, with loss, duplicates and reordering from their {@link Payload}. */
        UDP_SINK;

        /**
         * Finds a kind by role and protocol as the command line names them.
         *
         * @param role     {@code echo} or {@code sink}.
         * @param protocol {@code tcp} or {@code udp}.
         * @return the kind.
         * @throws IllegalArgumentException for anything else.
         */
        public static Kind of(final String role, final String protocol)
        {
            final String p = protocol.trim().toLowerCase(Locale.ROOT);
            if (!p.equals("tcp") && !p.equals("udp"))
            {
                throw new IllegalArgumentException("protocol '" + protocol + "' is not tcp or udp");
            }
            return valueOf(p.toUpperCase(Locale.ROOT) + "_" + role.toUpperCase(Locale.ROOT));
        }

        /**
         * How a report names the kind.
         *
         * @return e.g. {@code tcp echo}.
         */
        public String label()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * Starts a server.
     *
     * @param kind what it does.
     * @param bind where it listens; port 0 picks a free one, see {@link #localAddress()}.
     * @return the running server.
     * @throws IOException when it cannot bind.
     */
    static BenchServer start(final Kind kind, final InetSocketAddress bind) throws IOException
    {
        return switch (kind)
        {
            case TCP_ECHO -> new TcpEchoServer(bind);
            case UDP_ECHO -> new UdpEchoServer(bind);
            case TCP_SINK -> new TcpSinkServer(bind);
            case UDP_SINK -> new UdpSink(bind);
        };
    }

    /**
     * What the server does.
     *
     * @return its kind.
     */
    Kind kind();

    /**
     * The address it listens on, with the port it was given.
     *
     * @return the bound address.
     */
    InetSocketAddress localAddress();

    /**
     * Datagrams (UDP) or reads (TCP) handled so far.
     *
     * @return count, readable from any thread.
     */
    long messages();

    /**
     * Bytes received so far.
     *
     * @return count, readable from any thread.
     */
    long bytes();

    /**
     * Connections accepted so far; 0 for UDP.
     *
     * @return count, readable from any thread.
     */
    long connections();

    /** Stops the server and waits for its thread. */
    @Override
    void close();
}
