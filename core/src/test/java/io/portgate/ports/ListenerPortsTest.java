package io.portgate.ports;

import io.portgate.config.ListenerConfig;
import io.portgate.config.Protocol;
import io.portgate.testing.FreePorts;
import io.portgate.testing.PortSquatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe before listeners bind, against real sockets held by another real process the way a second balancer holds
 * them (SO_REUSEPORT, which the listening sockets would otherwise join without an error), and the holder named from
 * the real {@code /proc}.
 */
@Timeout(60)
class ListenerPortsTest
{
    private static ListenerConfig listener(final Protocol protocol, final String bind)
    {
        return ListenerConfig.builder(protocol == Protocol.TCP ? "web" : "dns").protocol(protocol).bind(bind)
            .pool("p").build();
    }

    @Test
    void aTcpPortAnotherProcessHoldsWithReusePortIsFoundAndItsHolderNamed() throws Exception
    {
        final int port = FreePorts.tcp();
        try (PortSquatter squatter = PortSquatter.hold("tcp", "127.0.0.1", port))
        {
            // What the listening sockets did before the probe: join the other process's port without a word.
            try (ServerSocketChannel joined = ServerSocketChannel.open())
            {
                joined.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                joined.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                joined.bind(new InetSocketAddress("127.0.0.1", port));
            }

            final List<ListenerPorts.Conflict> conflicts = ListenerPorts.probe(
                List.of(listener(Protocol.TCP, "127.0.0.1:" + port)), ListenerPorts.OwnSockets.NONE);

            assertEquals(1, conflicts.size(), conflicts::toString);
            final ListenerPorts.Conflict conflict = conflicts.getFirst();
            assertTrue(conflict.inUse());
            assertEquals(List.of(squatter.pid()), conflict.holders().stream().map(PortHolders.Holder::pid).toList());
            assertTrue(conflict.message().startsWith("listener 'web' cannot bind TCP 127.0.0.1:" + port +
                ": the port is in use by pid " + squatter.pid() + " ("), conflict.message());
            assertTrue(conflict.message().contains(PortSquatter.class.getName()), conflict.message());
            assertTrue(conflict.message().endsWith("; stop that process or give the listener another port"),
                conflict.message());
        }
    }

    @Test
    void aUdpPortAnotherProcessHoldsIsFoundFromTheWildcardAndFromItsAddress() throws Exception
    {
        final int port = FreePorts.udpOnEveryAddress();
        try (PortSquatter squatter = PortSquatter.hold("udp", "127.0.0.1", port))
        {
            for (final String bind : List.of("127.0.0.1:" + port, "0.0.0.0:" + port))
            {
                final List<ListenerPorts.Conflict> conflicts = ListenerPorts.probe(
                    List.of(listener(Protocol.UDP, bind)), ListenerPorts.OwnSockets.NONE);
                assertEquals(1, conflicts.size(), bind + ": " + conflicts);
                assertEquals(List.of(squatter.pid()),
                    conflicts.getFirst().holders().stream().map(PortHolders.Holder::pid).toList(), bind);
                assertTrue(conflicts.getFirst().message().contains("cannot bind UDP "), bind);
            }
            assertEquals(List.of(), ListenerPorts.probe(List.of(listener(Protocol.UDP, "127.0.0.2:" + port)),
                ListenerPorts.OwnSockets.NONE), "another address of the same port shares nothing");
        }
    }

    @Test
    void aSpecificAddressFindsAHolderOfTheWildcard() throws Exception
    {
        final int port = FreePorts.udpOnEveryAddress();
        try (PortSquatter squatter = PortSquatter.hold("udp", "0.0.0.0", port))
        {
            final List<ListenerPorts.Conflict> conflicts = ListenerPorts.probe(
                List.of(listener(Protocol.UDP, "127.0.0.2:" + port)), ListenerPorts.OwnSockets.NONE);
            assertEquals(1, conflicts.size(), conflicts::toString);
            assertEquals(squatter.pid(), conflicts.getFirst().holders().getFirst().pid());
        }
    }

    @Test
    void everyPortOfARangeIsProbedAndAFreeRangePasses() throws Exception
    {
        final int first = FreePorts.tcpRange(4);
        final ListenerConfig range = listener(Protocol.TCP, "127.0.0.1:" + first + "-" + (first + 3));
        assertEquals(List.of(), ListenerPorts.probe(List.of(range), ListenerPorts.OwnSockets.NONE));
        try (PortSquatter squatter = PortSquatter.hold("tcp", "127.0.0.1", first + 2))
        {
            final List<ListenerPorts.Conflict> conflicts =
                ListenerPorts.probe(List.of(range), ListenerPorts.OwnSockets.NONE);
            assertEquals(1, conflicts.size(), conflicts::toString);
            assertEquals(first + 2, conflicts.getFirst().address().getPort());
        }
    }

    /** A restart must not wait for connections of the previous run: those left in TIME_WAIT do not count. */
    @Test
    void connectionsInTimeWaitOnThePortDoNotBlockIt() throws Exception
    {
        final int port = FreePorts.tcp();
        try (ServerSocketChannel server = ServerSocketChannel.open())
        {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress("127.0.0.1", port));
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port)))
            {
                // The side that closes first waits in TIME_WAIT: here the accepted socket, on the listener's port.
                try (SocketChannel accepted = server.accept())
                {
                    accepted.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
                }
                final ByteBuffer rest = ByteBuffer.allocate(16);
                while (client.read(rest) >= 0)
                {
                    rest.clear();
                }
            }
        }
        assertTrue(timeWaitOn(port), "a TIME_WAIT entry on port " + port + " in /proc/net/tcp or tcp6");

        assertEquals(List.of(), ListenerPorts.probe(List.of(listener(Protocol.TCP, "127.0.0.1:" + port)),
            ListenerPorts.OwnSockets.NONE));
    }

    @Test
    void aPortThisBalancerHoldsItselfIsNoConflictAtAReload() throws Exception
    {
        final int port = FreePorts.udpOnEveryAddress();
        try (DatagramChannel own = DatagramChannel.open())
        {
            own.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            own.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            own.bind(new InetSocketAddress("127.0.0.1", port));
            final List<ListenerConfig> wildcard = List.of(listener(Protocol.UDP, "0.0.0.0:" + port));

            assertEquals(List.of(), ListenerPorts.probe(wildcard, (protocol, p) -> protocol == Protocol.UDP &&
                p == port), "a listener moving from 127.0.0.1 to the wildcard of its own port");
            final List<ListenerPorts.Conflict> atStart = ListenerPorts.probe(wildcard, ListenerPorts.OwnSockets.NONE);
            assertEquals(1, atStart.size());
            assertTrue(atStart.getFirst().message().contains("in use by this process, pid " +
                ProcessHandle.current().pid()), atStart.getFirst().message());
        }
    }

    @Test
    void anAddressNotOnThisHostIsAFailureButNotInUse()
    {
        final List<ListenerPorts.Conflict> conflicts = ListenerPorts.probe(
            List.of(listener(Protocol.TCP, "192.0.2.1:" + FreePorts.tcp())), ListenerPorts.OwnSockets.NONE);
        assertEquals(1, conflicts.size());
        assertFalse(conflicts.getFirst().inUse());
        assertTrue(conflicts.getFirst().message().contains("cannot bind TCP 192.0.2.1:"),
            conflicts.getFirst().message());
    }

    private static boolean timeWaitOn(final int port) throws IOException
    {
        final String hexPort = String.format(":%04X ", port);
        for (final String table : List.of("/proc/net/tcp", "/proc/net/tcp6"))
        {
            for (final String line : Files.readAllLines(Path.of(table)))
            {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && (fields[1] + " ").endsWith(hexPort) && fields[3].equals("06"))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
