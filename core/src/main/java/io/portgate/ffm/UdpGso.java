package io.portgate.ffm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Whether the kernel segments UDP sends ({@code UDP_SEGMENT}, generic segmentation offload for UDP, Linux 4.18):
 * one sendmsg(2) of a run of equal-sized datagrams to one destination. It builds on {@link UdpBatching}. The probe
 * runs once, on first use, and sends a real segmented run over loopback.
 */
public final class UdpGso
{
    /**
     * The probe's verdict, to {@link FeatureProbe#resolve resolve} a setting with; the probe runs on first use.
     *
     * @return the verdict.
     */
    public static FeatureProbe probe()
    {
        return PROBE;
    }

    private static final FeatureProbe PROBE = FeatureProbe.run("UDP_SEGMENT", "UDP_SEGMENT does not work here",
        "no segmented sends", UdpGso::exchange);

    private static void exchange() throws IOException, FeatureProbe.Unavailable
    {
        if (!UdpBatching.probe().isAvailable())
        {
            throw new FeatureProbe.Unavailable("it needs the batching fast path, which is unavailable: " +
                UdpBatching.probe().reason(), UdpBatching.probe().unavailabilityCause());
        }
        try (Arena arena = Arena.ofConfined())
        {
            exchange(arena);
        }
    }

    private static void exchange(final Arena arena) throws IOException, FeatureProbe.Unavailable
    {
        final MemorySegment callState = LibC.newCallState();
        try (DatagramChannel sender = UdpBatching.loopbackSocket();
            DatagramChannel receiver = UdpBatching.loopbackSocket())
        {
            final int[] lengths = {10, 10, 5};
            final DatagramBatch out = new DatagramBatch(arena, lengths.length, 16);
            for (int i = 0; i < lengths.length; i++)
            {
                out.slot(i).fill((byte)('a' + i));
                out.length(i, lengths[i]);
            }
            final int[] slots = {0, 1, 2};
            FeatureProbe.require(out.segmentable(slots, 0, slots.length), "the probe's run was not segmentable");
            out.destination4(0x7F00_0001, ((InetSocketAddress)receiver.getLocalAddress()).getPort());
            final long sent = out.sendSegmented(callState, NativeFd.of(sender), slots, 0, slots.length);
            FeatureProbe.require(sent == 25, "sendmsg with UDP_SEGMENT returned " + sent +
                LibC.describe(callState, sent));
            receiver.configureBlocking(false);
            final ByteBuffer buffer = ByteBuffer.allocate(64);
            final long deadline = System.nanoTime() + 1_000_000_000L;
            int received = 0;
            while (received < lengths.length && System.nanoTime() - deadline < 0)
            {
                buffer.clear();
                if (receiver.receive(buffer) == null)
                {
                    Thread.onSpinWait();
                    continue;
                }
                FeatureProbe.require(buffer.position() == lengths[received] && buffer.get(0) == 'a' + received &&
                    buffer.get(buffer.position() - 1) == 'a' + received, "a segmented send arrived as a " +
                    buffer.position() + "-byte datagram, not " + lengths[received] + " bytes of its own");
                received++;
            }
            FeatureProbe.require(received == lengths.length, "a segmented send of 3 datagrams arrived as " +
                received + " within a second");
        }
    }

    private UdpGso()
    {
    }
}
