package io.portgate.ports;

import io.portgate.config.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Who holds a port, read from the real {@code /proc} and compared with what {@code cat} prints of it. */
@Timeout(30)
class PortHoldersTest
{
    @TempDir
    Path dir;

    @Test
    void aSocketOfThisProcessIsFoundWithTheInodeCatShows() throws Exception
    {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "no /proc/net here");
        try (DatagramChannel socket = DatagramChannel.open(java.net.StandardProtocolFamily.INET)
            .bind(new InetSocketAddress("127.0.0.1", 0)))
        {
            final int port = ((InetSocketAddress)socket.getLocalAddress()).getPort();
            final String hexPort = String.format(":%04X", port);
            final Process cat = new ProcessBuilder("cat", "/proc/net/udp").start();
            final String printed = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(0, cat.waitFor());
            final String line = printed.lines().filter(l -> l.trim().split("\\s+")[1].endsWith(hexPort))
                .findFirst().orElseThrow(() -> new AssertionError("cat /proc/net/udp shows no port " + port));
            final long inode = Long.parseLong(line.trim().split("\\s+")[9]);

            final List<PortHolders.Holder> holders =
                PortHolders.system().holders(Protocol.UDP, InetAddress.getByName("0.0.0.0"), port);

            assertEquals(1, holders.size(), holders::toString);
            assertEquals(inode, holders.getFirst().inode());
            assertEquals(InetAddress.getByName("127.0.0.1"), holders.getFirst().address());
            assertEquals(ProcessHandle.current().pid(), holders.getFirst().pid());
            assertTrue(holders.getFirst().describe().startsWith("this process, pid " +
                ProcessHandle.current().pid() + " ("), holders.getFirst().describe());
            assertEquals(List.of(), PortHolders.system().holders(Protocol.TCP, InetAddress.getByName("0.0.0.0"),
                port), "a UDP socket holds no TCP port");
        }
    }

    @Test
    void addressesAreReadInTheMachinesWordOrder() throws Exception
    {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the cases below are little-endian");
        assertEquals(InetAddress.getByName("127.0.0.1"), PortHolders.parseAddress("0100007F"));
        assertEquals(InetAddress.getByName("0.0.0.0"), PortHolders.parseAddress("00000000"));
        assertEquals(InetAddress.getByName("127.0.0.1"),
            PortHolders.parseAddress("0000000000000000FFFF00000100007F"), "IPv4-mapped reads as IPv4");
        assertEquals(InetAddress.getByName("::1"), PortHolders.parseAddress("00000000000000000000000001000000"));
        assertEquals(InetAddress.getByName("fe80::fc:ff:fe00:1"),
            PortHolders.parseAddress("000080FE00000000FF00FC00010000FE"));
    }

    @Test
    void wildcardsCoverTheirFamilyAndTheIpv6WildcardCoversBoth() throws Exception
    {
        final InetAddress any4 = InetAddress.getByName("0.0.0.0");
        final InetAddress any6 = InetAddress.getByName("::");
        final InetAddress one = InetAddress.getByName("127.0.0.1");
        final InetAddress two = InetAddress.getByName("127.0.0.2");
        final InetAddress six = InetAddress.getByName("::1");
        assertTrue(PortHolders.overlaps(any4, one));
        assertTrue(PortHolders.overlaps(two, any4));
        assertTrue(PortHolders.overlaps(any6, one));
        assertTrue(PortHolders.overlaps(any6, six));
        assertTrue(PortHolders.overlaps(any4, any6));
        assertFalse(PortHolders.overlaps(any4, six));
        assertFalse(PortHolders.overlaps(one, two));
    }

    /** Cases the machine cannot produce on demand: a socket whose process /proc does not show. */
    @Test
    void aSocketWithoutAVisibleProcessIsStillReported() throws Exception
    {
        final Path net = Files.createDirectories(dir.resolve("net"));
        Files.writeString(net.resolve("tcp"), """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 424242 1
               1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 424243 1
            """);
        Files.writeString(net.resolve("tcp6"), "  sl  local_address\n");
        Files.createDirectories(dir.resolve("77").resolve("fd"));

        final List<PortHolders.Holder> holders =
            PortHolders.at(dir).holders(Protocol.TCP, InetAddress.getByName("127.0.0.1"), 8080);

        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the table above is little-endian");
        assertEquals(1, holders.size(), "only the listening socket: " + holders);
        assertEquals(424242, holders.getFirst().inode());
        assertEquals(-1, holders.getFirst().pid());
        assertTrue(holders.getFirst().describe().contains("/proc does not show"), holders.getFirst().describe());
    }
}
