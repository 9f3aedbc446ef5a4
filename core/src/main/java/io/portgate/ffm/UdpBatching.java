package io.portgate.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;

/**
 * Whether UDP datagrams can be moved in batches with recvmmsg(2) and sendmmsg(2) on the file descriptors of NIO
 * channels. The probe runs once, on first use: it sends real datagrams from one loopback socket to another through
 * {@link DatagramBatch}, so a kernel or sandbox that lacks the calls, or a struct layout that does not match, is caught
 * before any traffic depends on it.
 */
public final class UdpBatching
{
    private UdpBatching()
    {
    }

    private static void exchange() throws IOException, FeatureProbe.Unavailable
    {
        FeatureProbe.requireLinux("recvmmsg(2) and sendmmsg(2) are");
        NativeFd.requireAvailable();
        try (Arena arena = Arena.ofConfined())
        {
            exchange(arena);
        }
    }

    /** An IPv4 datagram socket bound to 127.0.0.1 on a free port, for a probe. */
    static DatagramChannel loopbackSocket() throws IOException
    {
        return DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    private static void exchange(final Arena arena) throws IOException, FeatureProbe.Unavailable
    {
        final MemorySegment callState = LibC.newCallState();
        try (DatagramChannel sender = loopbackSocket(); DatagramChannel receiver = loopbackSocket())
        {
            sender.configureBlocking(false);
            receiver.configureBlocking(false);
            final DatagramBatch out = new DatagramBatch(arena, 2, 64);
            final DatagramBatch in = new DatagramBatch(arena, 4, 64);
            out.slot(0).set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x7067_0001);
            out.length(0, 4);
            out.slot(1).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x7067_0002_0003_0004L);
            out.length(1, 8);
            out.destination4(0x7F00_0001, ((InetSocketAddress)receiver.getLocalAddress()).getPort());
            final int sent = out.send(callState, NativeFd.of(sender), new int[] {0, 1}, 0, 2);
            FeatureProbe.require(sent == 2, "sendmmsg returned " + sent + LibC.describe(callState, sent));
            final int senderPort = ((InetSocketAddress)sender.getLocalAddress()).getPort();
            int received = 0;
            final long deadline = System.nanoTime() + 1_000_000_000L;
            final int[] lengths = new int[2];
            final long[] values = new long[2];
            while (received < 2 && System.nanoTime() - deadline < 0)
            {
                final int n = in.receive(callState, NativeFd.of(receiver), 64);
                if (n < 0)
                {
                    FeatureProbe.require(LibC.errno(callState) == LibC.EAGAIN,
                        "recvmmsg failed" + LibC.describe(callState, n));
                    Thread.onSpinWait();
                    continue;
                }
                for (int i = 0; i < n && received < 2; i++, received++)
                {
                    FeatureProbe.require(in.sourceFamily(i) == LibC.AF_INET && in.sourcePort(i) == senderPort &&
                        in.sourceAddress4(i) == 0x7F00_0001 && !in.truncated(i),
                        "recvmmsg reported a wrong source or flags");
                    lengths[received] = in.length(i);
                    values[received] = in.length(i) == 4 ? in.slot(i).get(ValueLayout.JAVA_INT_UNALIGNED, 0) :
                        in.slot(i).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                }
            }
            FeatureProbe.require(received == 2, "recvmmsg received " + received + " of 2 datagrams within a " +
                "second");
            FeatureProbe.require(lengths[0] == 4 && lengths[1] == 8 && values[0] == 0x7067_0001 &&
                values[1] == 0x7067_0002_0003_0004L, "batched datagrams came out changed");
        }
    }

    /**
     * The probe's verdict, to {@link FeatureProbe#resolve resolve} a setting with; the probe runs on first use.
     *
     * @return the verdict.
     */
    public static FeatureProbe probe()
    {
        return PROBE;
    }

    private static final FeatureProbe PROBE = FeatureProbe.run("recvmmsg/sendmmsg",
        "recvmmsg/sendmmsg do not work here", "one datagram per system call", UdpBatching::exchange);
}
