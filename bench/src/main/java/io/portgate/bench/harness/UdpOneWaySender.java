package io.portgate.bench.harness;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * udp-oneway: sends datagrams at a fixed total rate, round-robin over N flows, each its own socket and so its own
 * source port at the balancer.
 *
 * <p>Each datagram carries its flow, its sequence number within the flow, whether it falls in the measured time and
 * its intended send time ({@link Payload}), so the {@link UdpSink} behind the target counts exactly what arrived.
 * The sockets are unconnected: an ICMP port-unreachable from a missing target would otherwise fail the next send,
 * and a datagram not sent would be indistinguishable from one the target lost. The schedule decides the measured
 * datagrams: those whose intended time falls between the end of the warm-up and the end of the run.
 */
final class UdpOneWaySender extends LoadWorker
{
    private final InetSocketAddress target;
    private final DatagramChannel[] flows;
    private final long[] sequences;
    private final ByteBuffer tx;

    UdpOneWaySender(final BenchContext context, final ErrorLog errors, final InetSocketAddress target)
    {
        super(context, errors, false, false);
        this.target = target;
        this.flows = new DatagramChannel[context.connections()];
        this.sequences = new long[context.connections()];
        this.tx = ByteBuffer.allocateDirect(context.size());
        Payload.fillPattern(tx);
    }

    @Override
    void open() throws IOException
    {
        final StandardProtocolFamily family = target.getAddress() instanceof Inet6Address ?
            StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        for (int i = 0; i < flows.length; i++)
        {
            flows[i] = DatagramChannel.open(family);
            flows[i].bind(null);
        }
    }

    @Override
    void measure()
    {
        final Pacer pacer = Pacer.forLane(startNs, context.ratePerSecond(), 1, 0);
        final long giveUpNs = endNs + timeoutNs;
        int flow = 0;
        while (true)
        {
            long nowNs = System.nanoTime();
            if (pacer.nextDueNs() - endNs >= 0)
            {
                ranWholeSchedule();
                return;
            }
            if (nowNs - giveUpNs >= 0 || isStopped() || countReached())
            {
                return;
            }
            if (!pacer.isDue(nowNs))
            {
                waitUntil(pacer.nextDueNs());
                nowNs = System.nanoTime();
            }
            final long intendedNs = pacer.take(nowNs);
            final boolean measured = isMeasured(intendedNs);
            Payload.write(tx, Payload.tag(measured, flow, sequences[flow]++), intendedNs);
            tx.clear();
            try
            {
                final int sent = flows[flow].send(tx, target);
                counters.add(WorkerCounters.BYTES, sent);
                counters.increment(WorkerCounters.OPERATIONS);
                if (measured)
                {
                    counters.add(WorkerCounters.MEASURED_BYTES, sent);
                    counters.increment(WorkerCounters.MEASURED_OPERATIONS);
                }
            }
            catch (final IOException ex)
            {
                fail("send failed", ex);
            }
            if (++flow == flows.length)
            {
                flow = 0;
            }
        }
    }


    @Override
    void closeAll()
    {
        for (final DatagramChannel channel : flows)
        {
            if (channel != null)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignored)
                {
                    // The run is over; nothing more to learn from this socket.
                }
            }
        }
    }
}
