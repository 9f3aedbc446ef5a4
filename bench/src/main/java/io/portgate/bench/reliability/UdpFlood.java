package io.portgate.bench.reliability;

import io.portgate.bench.harness.BenchServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A UDP flood from many sources, more than {@code max-flows}, at a fixed offered rate into a sink behind the balancer.
 * Every datagram lost on the way must be counted by the balancer with a reason: the loss it is answerable for is what
 * was sent less what the sink received less what the kernel dropped at the sink's own socket, and the bar is that
 * {@code portgate_dropped_datagrams_total} accounts for all of it. The kernel's drops at the balancer's listening
 * sockets are read from {@code /proc/net/udp}; the balancer counts them as {@code receive_buffer} drops, from the
 * kernel's own count (SO_RXQ_OVFL, SO_MEMINFO).
 */
final class UdpFlood implements Scenario
{
    private static final int RATE = 100_000;

    @Override
    public String name()
    {
        return "udp-flood";
    }

    @Override
    public String what()
    {
        return "2,000 UDP sources (500 in --quick) under max-flows 256 per worker, " + RATE / 1000 + "k datagrams/s " +
            "offered for 5 s (2 s in --quick) into a sink; PASS when every datagram lost is counted by the balancer " +
            "with a reason";
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
        final int sources = context.scale(2_000, 500);
        final int seconds = context.scale(5, 2);
        try (BenchServer sink = BenchServer.start(BenchServer.Kind.UDP_SINK,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final int sinkPort = sink.localAddress().getPort();
            final int port = SuiteContext.freeUdpPort();
            final int admin = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 2
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                listeners:
                  - name: flood
                    protocol: udp
                    bind: 127.0.0.1:%d
                    pool: sink
                    max-flows: 256
                pools:
                  sink:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, port, sinkPort));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final long listenDrops0 = kernelDrops(port);
                final long sinkDrops0 = kernelDrops(sinkPort);
                final long received0 = sink.messages();
                final double counted0 = AdminClient.sum(portgate.admin().metrics(), "portgate_dropped_datagrams_total",
                    "");
                final long sent = flood(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), sources,
                    seconds);
                // Let what is in flight arrive.
                long last = -1;
                for (int i = 0; i < 50 && sink.messages() != last; i++)
                {
                    last = sink.messages();
                    PortgateRun.sleep(100);
                }
                final long received = sink.messages() - received0;
                final long sinkDrops = kernelDrops(sinkPort) - sinkDrops0;
                final long listenDrops = kernelDrops(port) - listenDrops0;
                final Map<String, Double> m = portgate.admin().metrics();
                final double counted = AdminClient.sum(m, "portgate_dropped_datagrams_total", "") - counted0;
                final double evicted = AdminClient.sum(m, "portgate_udp_flows_evicted_total", "");
                final long lost = sent - received - sinkDrops;
                final StringBuilder reasons = new StringBuilder();
                for (final Map.Entry<String, Double> e : m.entrySet())
                {
                    if (e.getKey().startsWith("portgate_dropped_datagrams_total{") && e.getValue() > 0)
                    {
                        reasons.append(' ').append(e.getKey().replaceAll(".*reason=\"([^\"]*)\".*", "$1"))
                            .append('=').append(e.getValue().longValue());
                    }
                }
                notes.add(String.format(Locale.ROOT, "offered %d datagrams (%.0f/s); the sink received %d; the " +
                    "kernel dropped %d at the sink's socket (not the balancer's doing)", sent, sent / (double)seconds,
                    received, sinkDrops));
                notes.add(String.format(Locale.ROOT, "lost in the balancer: %d (%.2f %%), of which the kernel " +
                    "dropped %d in its listening sockets' receive queues (/proc/net/udp)", lost,
                    100.0 * lost / Math.max(1, sent), listenDrops));
                notes.add("counted by the balancer: " + (long)counted + (reasons.length() == 0 ? "" : " (" +
                    reasons.toString().strip() + ")") + "; flows evicted at max-flows: " + (long)evicted);
                final boolean passed = lost <= counted;
                return Outcome.of(passed, String.format(Locale.ROOT, "%.2f %% lost in the balancer (%d of %d), %d " +
                    "of them counted with a reason; the kernel dropped %d at its listening sockets",
                    100.0 * lost / Math.max(1, sent), lost, sent, (long)Math.min(counted, lost), listenDrops),
                    notes);
            }
        }
    }

    /** Offers {@code RATE} datagrams a second for {@code seconds} from {@code sources} sockets in turn. */
    private static long flood(final InetSocketAddress front, final int sources, final int seconds)
        throws IOException
    {
        final List<DatagramChannel> channels = new ArrayList<>(sources);
        try
        {
            for (int i = 0; i < sources; i++)
            {
                final DatagramChannel c = DatagramChannel.open();
                c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                c.connect(front);
                c.configureBlocking(false);
                channels.add(c);
            }
            final ByteBuffer datagram = ByteBuffer.allocateDirect(64);
            long sent = 0;
            int next = 0;
            final long start = System.nanoTime();
            final long end = start + seconds * 1_000_000_000L;
            for (long now = start; now - end < 0; now = System.nanoTime())
            {
                final long due = (now - start) * RATE / 1_000_000_000L;
                while (sent < due)
                {
                    datagram.clear();
                    datagram.putLong(0, sent);
                    if (channels.get(next).write(datagram) > 0)
                    {
                        sent++;
                    }
                    else
                    {
                        break;
                    }
                    next = (next + 1) % sources;
                }
            }
            return sent;
        }
        finally
        {
            for (final DatagramChannel c : channels)
            {
                c.close();
            }
        }
    }

    /** The kernel's drop count of every UDP socket bound to a local port, from /proc/net/udp (and udp6). */
    static long kernelDrops(final int port) throws IOException
    {
        long drops = 0;
        for (final String file : new String[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            final Path path = Path.of(file);
            if (!Files.exists(path))
            {
                continue;
            }
            for (final String line : Files.readAllLines(path))
            {
                final String[] f = line.strip().split("\\s+");
                if (f.length < 13 || !f[1].contains(":"))
                {
                    continue;
                }
                final String local = f[1];
                try
                {
                    if (Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16) == port)
                    {
                        drops += Long.parseLong(f[f.length - 1]);
                    }
                }
                catch (final NumberFormatException header)
                {
                    // the heading line
                }
            }
        }
        return drops;
    }
}
