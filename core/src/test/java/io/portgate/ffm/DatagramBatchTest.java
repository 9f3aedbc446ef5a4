package io.portgate.ffm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The batched UDP calls on this machine: the probes, sources of both families, truncation and segmented sends. */
class DatagramBatchTest
{
    @Test
    @Timeout(10)
    void probesReportWhatWorksHere()
    {
        System.out.println("recvmmsg/sendmmsg: " + (UdpBatching.probe().isAvailable() ? "available" :
            UdpBatching.probe().unavailabilityCause()));
        System.out.println("UDP_SEGMENT: " + (UdpGso.probe().isAvailable() ? "available" : UdpGso.probe().unavailabilityCause()));
        assertEquals(UdpBatching.probe().isAvailable(), UdpBatching.probe().unavailabilityCause() == null);
        assertEquals(UdpGso.probe().isAvailable(), UdpGso.probe().unavailabilityCause() == null);
        if (UdpGso.probe().isAvailable())
        {
            assertTrue(UdpBatching.probe().isAvailable(), "GSO builds on batching");
        }
    }

    @Test
    @Timeout(10)
    void receivesIpv4SourcesAndFlagsTruncation() throws Exception
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (Arena arena = Arena.ofConfined();
            DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(loopback, 0));
            DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(loopback, 0)))
        {
            final DatagramBatch batch = new DatagramBatch(arena, 8, 128);
            sender.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), receiver.getLocalAddress());
            sender.send(ByteBuffer.wrap(new byte[100]), receiver.getLocalAddress());
            final MemorySegment callState = LibC.newCallState();
            final int n = receiveAtLeast(batch, callState, NativeFd.of(receiver), 2, 50);
            assertEquals(2, n);
            assertEquals(3, batch.length(0));
            assertFalse(batch.truncated(0));
            assertArrayEquals(new byte[] {1, 2, 3}, batch.slot(0).asSlice(0, 3).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(LibC.AF_INET, batch.sourceFamily(0));
            assertEquals(loopback.hashCode(), batch.sourceAddress4(0));
            assertEquals(((InetSocketAddress)sender.getLocalAddress()).getPort(), batch.sourcePort(0));
            assertEquals(50, batch.length(1), "cut to the limit");
            assertTrue(batch.truncated(1));
        }
    }

    @Test
    @Timeout(10)
    void receivesIpv6SourcesAndSendsToThem() throws Exception
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        final InetAddress loopback6 = InetAddress.getByName("::1");
        final DatagramChannel probe;
        try
        {
            probe = DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress(loopback6, 0));
        }
        catch (final java.io.IOException ex)
        {
            assumeTrue(false, "no IPv6 loopback here: " + ex);
            return;
        }
        try (Arena arena = Arena.ofConfined(); DatagramChannel receiver = probe;
            DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET6)
                .bind(new InetSocketAddress(loopback6, 0)))
        {
            final DatagramBatch batch = new DatagramBatch(arena, 4, 64);
            sender.send(ByteBuffer.wrap(new byte[] {9}), receiver.getLocalAddress());
            final MemorySegment callState = LibC.newCallState();
            assertEquals(1, receiveAtLeast(batch, callState, NativeFd.of(receiver), 1, 64));
            assertEquals(LibC.AF_INET6, batch.sourceFamily(0));
            final ByteBuffer address = ByteBuffer.wrap(((Inet6Address)loopback6).getAddress())
                .order(ByteOrder.BIG_ENDIAN);
            assertEquals(address.getLong(0), batch.sourceAddress6High(0));
            assertEquals(address.getLong(8), batch.sourceAddress6Low(0));
            final int senderPort = ((InetSocketAddress)sender.getLocalAddress()).getPort();
            assertEquals(senderPort, batch.sourcePort(0));

            batch.destination6(batch.sourceAddress6High(0), batch.sourceAddress6Low(0), senderPort,
                batch.sourceScopeId(0));
            assertEquals(1, batch.send(callState, NativeFd.of(receiver), new int[] {0}, 0, 1));
            final ByteBuffer back = ByteBuffer.allocate(8);
            sender.receive(back);
            assertEquals(1, back.position());
            assertEquals(9, back.get(0));
        }
    }

    @Test
    @Timeout(10)
    void aPortUnreachableWaitsOnTheErrorQueueForCallsThatKeepNoErrno() throws Exception
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        final int closedPort;
        try (DatagramChannel gone = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(loopback, 0)))
        {
            closedPort = ((InetSocketAddress)gone.getLocalAddress()).getPort();
        }
        try (Arena arena = Arena.ofConfined();
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET))
        {
            channel.connect(new InetSocketAddress(loopback, closedPort));
            channel.configureBlocking(false);
            final DatagramBatch batch = new DatagramBatch(arena, 2, 64);
            final MemorySegment callState = LibC.newCallState(arena);
            final int fd = NativeFd.of(channel);
            assertEquals(0, batch.queueErrors(callState, fd, false));
            assertEquals(0, batch.takeQueuedError(fd), "nothing queued yet");
            channel.write(ByteBuffer.wrap(new byte[] {1}));
            final long deadline = System.nanoTime() + 5_000_000_000L;
            int received;
            while ((received = batch.receive(fd, 64)) < 0 && System.nanoTime() - deadline < 0)
            {
                final int queued = batch.takeQueuedError(fd);
                if (queued != 0)
                {
                    assertEquals(LibC.ECONNREFUSED, queued);
                    return;
                }
                Thread.onSpinWait();
            }
            throw new AssertionError("no ICMP port unreachable was queued (receive returned " + received + ")");
        }
    }

    /**
     * A socket on the wildcard learns which address each datagram was sent to, and a reply naming that address as
     * its source reaches a client connected to it, one datagram at a time and as a segmented run; a reply without
     * it leaves from the address the kernel picks, which the connected client never sees.
     */
    @Test
    @Timeout(10)
    void aWildcardSocketLearnsTheArrivalAddressAndRepliesFromIt() throws Exception
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        final InetAddress two = InetAddress.getByName("127.0.0.2");
        try (Arena arena = Arena.ofConfined();
            DatagramChannel wildcard = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(two, 0)))
        {
            final int fd = NativeFd.of(wildcard);
            assertEquals(0, DatagramBatch.receiveArrivalAddresses(fd, false));
            final int port = ((InetSocketAddress)wildcard.getLocalAddress()).getPort();
            client.connect(new InetSocketAddress(two, port));
            client.configureBlocking(false);
            final DatagramBatch batch = new DatagramBatch(arena, 8, 128);
            final MemorySegment callState = LibC.newCallState(arena);
            client.write(ByteBuffer.wrap(new byte[] {7, 7, 7}));
            assertEquals(1, receiveAtLeast(batch, callState, fd, 1, 128));
            assertEquals(LibC.AF_INET, batch.readArrival(0));
            assertEquals(two.hashCode(), batch.arrivalAddress4());
            assertTrue(batch.arrivalInterface() > 0, "the loopback interface's index");

            batch.destination4(batch.sourceAddress4(0), batch.sourcePort(0));
            batch.noSource();
            assertEquals(1, batch.send(callState, fd, new int[] {0}, 0, 1));
            final ByteBuffer back = ByteBuffer.allocate(512);
            Thread.sleep(50);
            assertEquals(0, client.read(back), "from the kernel's choice of address: dropped by the connected client");

            batch.source4(batch.arrivalAddress4());
            assertEquals(1, batch.send(callState, fd, new int[] {0}, 0, 1));
            assertEquals(3, readWithin(client, back.clear()), "from 127.0.0.2: received");
            if (UdpGso.probe().isAvailable())
            {
                for (int i = 1; i < 4; i++)
                {
                    MemorySegment.copy(batch.slot(0), 0, batch.slot(i), 0, 3);
                    batch.length(i, 3);
                }
                final int[] run = {0, 1, 2, 3};
                assertTrue(batch.segmentable(run, 0, 4));
                assertEquals(12, batch.sendSegmented(callState, fd, run, 0, 4), "a segmented run from 127.0.0.2");
                for (int i = 0; i < 4; i++)
                {
                    assertEquals(3, readWithin(client, back.clear()), "segment " + i);
                }
            }
        }
    }

    private static int readWithin(final DatagramChannel client, final ByteBuffer buffer) throws Exception
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            final int n = client.read(buffer);
            if (n > 0)
            {
                return n;
            }
            Thread.onSpinWait();
        }
        return 0;
    }

    @Test
    @Timeout(10)
    void segmentedRunsMustBeEqualSizedButTheLast() throws Exception
    {
        try (Arena arena = Arena.ofConfined())
        {
            final DatagramBatch batch = new DatagramBatch(arena, 4, 16);
            final int[] slots = {0, 1, 2, 3};
            set(batch, 10, 10, 10, 4);
            assertTrue(batch.segmentable(slots, 0, 4));
            assertFalse(batch.segmentable(slots, 0, 1), "one datagram needs no segmentation");
            set(batch, 10, 9, 10, 4);
            assertFalse(batch.segmentable(slots, 0, 4));
            set(batch, 10, 10, 10, 11);
            assertFalse(batch.segmentable(slots, 0, 4), "the last may be shorter, not longer");
            set(batch, 0, 0, 0, 0);
            assertFalse(batch.segmentable(slots, 0, 4), "empty datagrams cannot be segments");
        }
    }

    private static void set(final DatagramBatch batch, final int... lengths)
    {
        for (int i = 0; i < lengths.length; i++)
        {
            batch.length(i, lengths[i]);
        }
    }

    private static int receiveAtLeast(final DatagramBatch batch, final MemorySegment callState, final int fd,
        final int wanted, final int limit)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            // Loopback delivers within the send call, so both datagrams are queued when the first one is.
            final int n = batch.receive(callState, fd, limit);
            if (n >= wanted)
            {
                return n;
            }
            assertTrue(n > 0 || LibC.errno(callState) == LibC.EAGAIN, () -> LibC.strerror(LibC.errno(callState)));
            Thread.onSpinWait();
        }
        return 0;
    }

    @Test
    @Timeout(20)
    void theDropCountComesWithTheDatagramsAndFromMeminfoAsProcNetUdpShowsIt() throws Exception
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (Arena arena = Arena.ofConfined();
            DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
            DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(loopback, 0)))
        {
            receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            receiver.bind(new InetSocketAddress(loopback, 0));
            final int port = ((InetSocketAddress)receiver.getLocalAddress()).getPort();
            final int fd = NativeFd.of(receiver);
            assertEquals(0, SocketDrops.attachDropCounts(fd));
            final SocketDrops drops = new SocketDrops(arena);
            assertEquals(0, drops.read(fd));
            final DatagramBatch batch = new DatagramBatch(arena, 64, 2048);
            final MemorySegment callState = LibC.newCallState();
            sender.send(ByteBuffer.wrap(new byte[10]), receiver.getLocalAddress());
            assertEquals(1, receiveAtLeast(batch, callState, fd, 1, 50));
            assertEquals(-1, batch.receivedDrops(0), "no count is attached while it is 0");
            // A burst a 4 KiB buffer cannot hold: the kernel drops most of it.
            for (int i = 0; i < 500; i++)
            {
                sender.send(ByteBuffer.wrap(new byte[1000]), receiver.getLocalAddress());
            }
            final long kernel = io.portgate.testing.ProcNetUdp.drops(port);
            assertTrue(kernel > 0, "a 4 KiB receive buffer cannot queue 500 KB");
            assertEquals(kernel, drops.read(fd), "SO_MEMINFO reads the count /proc/net/udp shows");
            while (batch.receive(fd, 2048) > 0)
            {
                // what the buffer held, queued before the drops
            }
            // The next datagram to be queued carries the count as it stood.
            sender.send(ByteBuffer.wrap(new byte[10]), receiver.getLocalAddress());
            assertEquals(1, receiveAtLeast(batch, callState, fd, 1, 50));
            assertEquals(kernel, batch.receivedDrops(0), "SO_RXQ_OVFL carries it");
        }
    }
}
