package io.portgate.ports;

import io.portgate.config.Endpoint;
import io.portgate.config.ListenerConfig;
import io.portgate.config.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Makes sure the ports of a set of listeners are free before any of them is bound. Each address and port is bound
 * once without SO_REUSEPORT and closed at once: a port another process holds, even one of the same user that set
 * SO_REUSEPORT itself (which the real listening sockets would otherwise silently share), fails that bind. A TCP probe
 * sets SO_REUSEADDR and never listens, so connections of an earlier run waiting out TIME_WAIT do not block a restart;
 * a UDP probe sets neither option, since any socket bound to the port would share its datagrams.
 * <p>
 * A wildcard address is probed as the wildcard, so a port another process holds on any single address of the host
 * is found too, and a specific address finds a holder of the wildcard.
 */
public final class ListenerPorts
{
    /** Whether this balancer already holds a socket on a port, so that finding that port taken may be its own doing. */
    @FunctionalInterface
    public interface OwnSockets
    {
        /** Holds nothing: at start. */
        OwnSockets NONE = (protocol, port) -> false;

        /**
         * Whether this balancer has a socket of the protocol bound to the port, on any address.
         *
         * @param protocol tcp or udp.
         * @param port     the port.
         * @return true when it does.
         */
        boolean holds(Protocol protocol, int port);
    }

    /**
     * One port of a listener that cannot be bound.
     *
     * @param listener the listener.
     * @param address  the address and port.
     * @param inUse    whether another socket holds it (rather than, say, the address not being on this host).
     * @param reason   what the bind said.
     * @param holders  who holds it, as far as /proc tells; may be empty.
     */
    public record Conflict(ListenerConfig listener, InetSocketAddress address, boolean inUse, String reason,
        List<PortHolders.Holder> holders)
    {
        /**
         * What is wrong and how to fix it, in one line: {@code listener 'web' cannot bind TCP 127.0.0.1:8080: the
         * port is in use by pid 1234 (...); stop that process or give the listener another port}.
         *
         * @return the message.
         */
        public String message()
        {
            final String where = "listener '" + listener.name() + "' cannot bind " + listener.protocol().name() +
                " " + Endpoint.format(address.getAddress(), address.getPort()) + ": ";
            if (!inUse)
            {
                return where + reason;
            }
            final String by = holders.isEmpty() ?
                "another socket (/proc names none here: another network namespace, or not Linux)" :
                holders.stream().map(PortHolders.Holder::describe).distinct().collect(Collectors.joining(", "));
            return where + "the port is in use by " + by + "; stop that process or give the listener another port";
        }
    }

    private ListenerPorts()
    {
    }

    /**
     * Probes every port of every listener.
     *
     * @param listeners the listeners to bind.
     * @param own       the ports this balancer holds itself (at a reload); a port found taken only by this process
     *                  is then no conflict.
     * @return the ports that cannot be bound, in the order of the listeners; empty when every one can.
     */
    public static List<Conflict> probe(final List<ListenerConfig> listeners, final OwnSockets own)
    {
        final List<Conflict> conflicts = new ArrayList<>();
        for (final ListenerConfig listener : listeners)
        {
            for (int p = 0; p < listener.bind().ports().size(); p++)
            {
                final Conflict conflict = probe(listener, listener.bind().socketAddress(p), own);
                if (conflict != null)
                {
                    conflicts.add(conflict);
                }
            }
        }
        return conflicts;
    }

    /**
     * Probes every port of every listener and throws when one cannot be bound.
     *
     * @param listeners the listeners to bind.
     * @param own       the ports this balancer holds itself.
     * @throws UncheckedIOException naming every port that cannot be bound, the listener, protocol and address, and
     *                              the holding process where /proc tells it.
     */
    public static void requireFree(final List<ListenerConfig> listeners, final OwnSockets own)
    {
        final List<Conflict> conflicts = probe(listeners, own);
        if (!conflicts.isEmpty())
        {
            final String message = conflicts.stream().map(Conflict::message).collect(Collectors.joining("; "));
            throw new UncheckedIOException(message, new BindException(message));
        }
    }

    private static Conflict probe(final ListenerConfig listener, final InetSocketAddress address,
        final OwnSockets own)
    {
        final String failure = bindFailure(listener.protocol(), address);
        if (failure == null)
        {
            return null;
        }
        final List<PortHolders.Holder> holders =
            PortHolders.system().holders(listener.protocol(), address.getAddress(), address.getPort());
        final boolean inUse = !holders.isEmpty() || failure.contains("in use");
        if (inUse && own.holds(listener.protocol(), address.getPort()))
        {
            final long self = ProcessHandle.current().pid();
            final List<PortHolders.Holder> others = holders.stream().filter(h -> h.pid() != self).toList();
            // Taken by this balancer's own sockets (a listener a reload moves to the wildcard, say): the real
            // sockets join them with SO_REUSEPORT, which only this process's sockets hold.
            return others.isEmpty() ? null : new Conflict(listener, address, true, failure, others);
        }
        return new Conflict(listener, address, inUse, failure, holders);
    }

    /**
     * Binds the address once as the listener's socket would, but without SO_REUSEPORT, and closes it.
     *
     * @return null when the bind worked, else what it said.
     */
    static String bindFailure(final Protocol protocol, final InetSocketAddress address)
    {
        try
        {
            if (protocol == Protocol.TCP)
            {
                // The family the listening socket gets (ServerSocketChannel.open() picks the same), never listening.
                try (SocketChannel probe = SocketChannel.open())
                {
                    probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    probe.bind(address);
                }
            }
            else
            {
                try (DatagramChannel probe = DatagramChannel.open(address.getAddress() instanceof Inet6Address ?
                    StandardProtocolFamily.INET6 : StandardProtocolFamily.INET))
                {
                    probe.bind(address);
                }
            }
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return ex.getMessage() == null ? ex.toString() : ex.getMessage();
        }
    }
}
