package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * udp-rr: request/response round trips over some of the run's UDP flows, one datagram outstanding per flow, all
 * driven by one Selector loop.
 *
 * <p>Each flow is a connected socket of its own, so a balancer sees a distinct source port per flow, and the kernel
 * drops replies from any other address. A request without a reply by the timeout counts as timed out and the flow
 * moves on; a reply that comes after that counts as late and is otherwise ignored.
 */
final class UdpRoundTripWorker extends LoadWorker
{
    private final InetSocketAddress target;
    private final Flow[] flows;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private Selector selector;

    UdpRoundTripWorker(final BenchContext context, final ErrorLog errors, final InetSocketAddress target,
        final int[] lanes)
    {
        super(context, errors, true, context.isConstantRate());
        this.target = target;
        this.flows = new Flow[lanes.length];
        for (int i = 0; i < lanes.length; i++)
        {
            flows[i] = new Flow(lanes[i], context.size());
        }
    }

    @Override
    void open() throws IOException
    {
        selector = Selector.open();
        final StandardProtocolFamily family = target.getAddress() instanceof java.net.Inet6Address ?
            StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        for (final Flow f : flows)
        {
            f.channel = DatagramChannel.open(family);
            f.channel.connect(target);
            f.channel.configureBlocking(false);
            f.channel.register(selector, SelectionKey.OP_READ, f);
        }
    }

    @Override
    void measure() throws IOException
    {
        for (final Flow f : flows)
        {
            f.pacer = Pacer.forLane(startNs, context.ratePerSecond(), context.connections(), f.lane);
        }
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (shouldStop(nowNs))
            {
                return;
            }
            long wakeNs = endNs;
            for (final Flow f : flows)
            {
                final long next = service(f, nowNs);
                if (next - wakeNs < 0)
                {
                    wakeNs = next;
                }
            }
            final long waitNs = wakeNs - System.nanoTime();
            if (waitNs >= SPIN_BELOW_NS)
            {
                selector.select(onReady, waitNs / 1_000_000);
            }
            else if (selector.selectNow(onReady) == 0 && waitNs > 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    private long service(final Flow f, final long nowNs)
    {
        if (f.waiting)
        {
            if (nowNs - f.deadlineNs < 0)
            {
                return f.deadlineNs;
            }
            counters.increment(WorkerCounters.TIMEOUTS);
            f.waiting = false;
        }
        if (!f.pacer.isDue(nowNs))
        {
            return f.pacer.nextDueNs();
        }
        send(f);
        return f.deadlineNs;
    }

    private void send(final Flow f)
    {
        final long nowNs = System.nanoTime();
        f.intendedNs = f.pacer.take(nowNs);
        f.sentNs = nowNs;
        f.deadlineNs = nowNs + timeoutNs;
        f.tag = Payload.tag(false, f.lane, f.sequence++);
        f.waiting = true;
        Payload.write(f.tx, f.tag, f.intendedNs);
        f.tx.clear();
        try
        {
            countBytes(nowNs, f.channel.write(f.tx));
        }
        catch (final PortUnreachableException ex)
        {
            // An ICMP port-unreachable for an earlier datagram: this one was not sent, and the flow waits out its
            // timeout rather than spinning on a closed port.
            fail("the target refused a datagram (ICMP port unreachable)");
        }
        catch (final IOException ex)
        {
            fail("send failed", ex);
        }
    }

    private void onReady(final SelectionKey key)
    {
        final Flow f = (Flow)key.attachment();
        try
        {
            int read;
            while (true)
            {
                f.rx.clear();
                read = f.channel.read(f.rx);
                if (read <= 0)
                {
                    return;
                }
                receive(f, read);
            }
        }
        catch (final PortUnreachableException ex)
        {
            fail("the target refused a datagram (ICMP port unreachable)");
        }
        catch (final IOException ex)
        {
            fail("receive failed", ex);
        }
    }

    private void receive(final Flow f, final int length)
    {
        final long nowNs = System.nanoTime();
        if (length != context.size() || (f.rx.getLong(0) == f.tag && f.rx.getLong(8) != f.intendedNs))
        {
            counters.increment(WorkerCounters.MISMATCHES);
            return;
        }
        if (!f.waiting || f.rx.getLong(0) != f.tag)
        {
            counters.increment(WorkerCounters.LATE_REPLIES);
            return;
        }
        f.waiting = false;
        complete(nowNs, nowNs - f.intendedNs, nowNs - f.sentNs);
        if (f.pacer.isDue(nowNs) && !shouldStop(nowNs))
        {
            send(f);
        }
    }

    @Override
    void closeAll()
    {
        for (final Flow f : flows)
        {
            if (f.channel != null)
            {
                try
                {
                    f.channel.close();
                }
                catch (final IOException ignored)
                {
                    // The run is over; nothing more to learn from this socket.
                }
            }
        }
        if (selector != null)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ignored)
            {
                // As above.
            }
        }
    }

    /** One flow's state and its preallocated buffers. */
    private static final class Flow
    {
        final int lane;
        final ByteBuffer tx;
        final ByteBuffer rx;
        DatagramChannel channel;
        Pacer pacer;
        boolean waiting;
        long sequence;
        long tag;
        long intendedNs;
        long sentNs;
        long deadlineNs;

        Flow(final int lane, final int size)
        {
            this.lane = lane;
            this.tx = ByteBuffer.allocateDirect(size);
            // One byte more than a message, so a reply longer than its request is seen rather than truncated.
            this.rx = ByteBuffer.allocateDirect(size + 1);
            Payload.fillPattern(tx);
        }
    }
}
