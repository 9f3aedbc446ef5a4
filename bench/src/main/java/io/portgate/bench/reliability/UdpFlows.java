package io.portgate.bench.reliability;

import io.portgate.bench.harness.BenchServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Many UDP flows at once through {@code ./portgate run} to an echo target, one client socket each, each proven by its
 * datagram coming back, and what they cost the balancer: resident memory and heap per flow.
 */
final class UdpFlows implements Scenario
{
    @Override
    public String name()
    {
        return "udp-flows";
    }

    @Override
    public String what()
    {
        return "10,000 concurrent UDP flows (2,000 in --quick), one client socket each, each answered end to end; " +
            "PASS when every flow is answered (the memory per flow is stated, no target set)";
    }

    @Override
    public boolean required()
    {
        return true;
    }

    @Override
    public Outcome run(final SuiteContext context) throws Exception
    {
        final List<String> notes = new ArrayList<>();
        int count = context.scale(10_000, 2_000);
        final long limit = SuiteContext.openFileLimit();
        if (count + 500 > limit)
        {
            count = (int)(limit - 500);
            notes.add("the suite's open-file limit is " + limit + ": " + count + " flows");
        }
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.UDP_ECHO,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final int port = SuiteContext.freeUdpPort();
            final int admin = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 2
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                listeners:
                  - name: flows
                    protocol: udp
                    bind: 127.0.0.1:%d
                    pool: echo
                    idle-timeout: 5m
                    max-flows: %d
                pools:
                  echo:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, port, count + 1000, echo.localAddress().getPort()));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                final List<DatagramChannel> warmUp = exchange(front, 500);
                final int warm = warmUp.size();
                notes.add("warm-up: " + warm + " flows answered");
                final long heap0 = portgate.heapUsedAfterGcKiB();
                final long rss0 = portgate.rssKiB();
                final int fds0 = portgate.openFiles();
                final List<DatagramChannel> answered = exchange(front, count);
                try
                {
                    final long heap1 = portgate.heapUsedAfterGcKiB();
                    final long rss1 = portgate.rssKiB();
                    final int fds1 = portgate.openFiles();
                    final double flows = AdminClient.sum(portgate.admin().metrics(), "portgate_udp_flows_active", "");
                    final int n = answered.size();
                    final double rssPer = (rss1 - rss0) / (double)Math.max(1, n);
                    final double heapPer = (heap1 - heap0) / (double)Math.max(1, n);
                    notes.add(String.format(Locale.ROOT, "balancer open files %d -> %d; active flows by /metrics: " +
                        "%.0f (the warm-up's included; a client port the kernel gave out again is the same flow)", fds0, fds1, flows));
                    notes.add(String.format(Locale.ROOT, "resident memory %.1f -> %.1f MiB; heap after a full GC " +
                        "%.1f -> %.1f MiB", rss0 / 1024.0, rss1 / 1024.0, heap0 / 1024.0, heap1 / 1024.0));
                    return Outcome.of(n == count, String.format(Locale.ROOT,
                        "%d of %d flows answered; %.2f KiB resident and %.2f KiB heap per flow", n, count, rssPer,
                        heapPer), notes);
                }
                finally
                {
                    for (final DatagramChannel c : answered)
                    {
                        c.close();
                    }
                    for (final DatagramChannel c : warmUp)
                    {
                        c.close();
                    }
                }
            }
        }
    }

    /**
     * Opens {@code count} client sockets, sends one datagram from each and waits for each answer.
     *
     * @return the sockets that got their datagram back; the others are closed.
     */
    static List<DatagramChannel> exchange(final InetSocketAddress front, final int count) throws IOException
    {
        final List<DatagramChannel> answered = new ArrayList<>(count);
        final ByteBuffer buffer = ByteBuffer.allocate(64);
        for (int first = 0; first < count; first += 500)
        {
            final int n = Math.min(500, count - first);
            try (Selector selector = Selector.open())
            {
                final List<DatagramChannel> batch = new ArrayList<>(n);
                final java.util.Set<DatagramChannel> done = new java.util.HashSet<>();
                for (int i = 0; i < n; i++)
                {
                    final DatagramChannel c = DatagramChannel.open();
                    c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    c.connect(front);
                    c.configureBlocking(false);
                    c.register(selector, SelectionKey.OP_READ, (long)(first + i));
                    batch.add(c);
                    buffer.clear();
                    buffer.putLong(first + i).flip();
                    c.write(buffer);
                }
                int pending = n;
                final long deadline = System.nanoTime() + 10_000_000_000L;
                long resendAt = System.nanoTime() + 1_000_000_000L;
                while (pending > 0 && System.nanoTime() - deadline < 0)
                {
                    if (System.nanoTime() - resendAt > 0)
                    {
                        // UDP: a datagram lost in a burst (a full socket buffer) is sent again, as a client would.
                        resendAt = System.nanoTime() + 1_000_000_000L;
                        for (final SelectionKey key : selector.keys())
                        {
                            if (key.isValid())
                            {
                                buffer.clear();
                                buffer.putLong((long)key.attachment()).flip();
                                ((DatagramChannel)key.channel()).write(buffer);
                            }
                        }
                    }
                    selector.select(50);
                    for (final SelectionKey key : selector.selectedKeys())
                    {
                        final DatagramChannel c = (DatagramChannel)key.channel();
                        buffer.clear();
                        try
                        {
                            if (c.read(buffer) == 8 && buffer.getLong(0) == (long)key.attachment())
                            {
                                key.cancel();
                                answered.add(c);
                                done.add(c);
                                pending--;
                            }
                        }
                        catch (final IOException unreachable)
                        {
                            key.cancel();
                            pending--;
                        }
                    }
                    selector.selectedKeys().clear();
                }
                for (final DatagramChannel c : batch)
                {
                    if (!done.contains(c))
                    {
                        c.close();
                    }
                }
            }
        }
        return answered;
    }
}
