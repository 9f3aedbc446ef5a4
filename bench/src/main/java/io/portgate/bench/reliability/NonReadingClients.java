package io.portgate.bench.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Clients that send and never read what comes back: an echo target's answers pile up towards them, and the balancer
 * must hold no more than its connection buffers ({@code buffer-size} per direction, within {@code buffer-memory})
 * while backpressure stops the rest in the kernel's socket buffers, and go on serving everyone else.
 */
final class NonReadingClients implements Scenario
{
    private static final int BUFFER_KIB = 64;
    private static final long BUFFER_MEMORY_KIB = 64 * 1024;
    private static final long SLACK_KIB = 32 * 1024;

    @Override
    public String name()
    {
        return "non-reading-clients";
    }

    @Override
    public String what()
    {
        return "200 clients (50 in --quick) that write until they are stopped and never read, through an echo " +
            "target; PASS when the balancer's resident memory grows by no more than its connection buffer budget " +
            "(buffer-memory: 64m) plus 32 MiB however much they push, and another client is still served";
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
        final int count = context.scale(200, 50);
        try (TargetProcess echo = TargetProcess.start(context.root(), "--echo", "tcp", 0))
        {
            final int port = SuiteContext.freeTcpPort();
            final int admin = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 2
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                buffer-memory: %dm
                listeners:
                  - name: deaf
                    bind: 127.0.0.1:%d
                    pool: echo
                    buffer-size: %dk
                pools:
                  echo:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, BUFFER_MEMORY_KIB / 1024, port, BUFFER_KIB, echo.port()));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                try (TcpClients warm = TcpClients.open(front, 50, 50, 10_000))
                {
                    notes.add("warm-up: " + warm.channels().size() + " connections");
                }
                final long rss0 = portgate.rssKiB();
                try (TcpClients deaf = TcpClients.open(front, count, count, 10_000))
                {
                    final long pushed = pushUntilStopped(deaf.channels());
                    final long rss1 = portgate.rssKiB();
                    final long bound = BUFFER_MEMORY_KIB + SLACK_KIB;
                    notes.add(String.format(Locale.ROOT, "the clients pushed %.1f MB before backpressure stopped " +
                        "them (%.0f KiB each); none was read", pushed / 1e6, pushed / 1024.0 / Math.max(1, count)));
                    int served;
                    try (TcpClients other = TcpClients.open(front, 10, 10, 5_000))
                    {
                        served = other.channels().size();
                    }
                    notes.add("10 other clients meanwhile: " + served + " served");
                    notes.add(String.format(Locale.ROOT, "resident memory %.1f -> %.1f MiB (bound %.1f MiB)",
                        rss0 / 1024.0, rss1 / 1024.0, (rss0 + bound) / 1024.0));
                    final boolean passed = deaf.channels().size() == count && rss1 - rss0 <= bound && served == 10;
                    return Outcome.of(passed, String.format(Locale.ROOT, "resident memory grew %.1f MiB with %d " +
                        "non-reading clients (bound %.1f MiB); %d of 10 other clients served", (rss1 - rss0) / 1024.0,
                        deaf.channels().size(), bound / 1024.0, served), notes);
                }
            }
        }
    }

    /** Writes from every client until none makes progress for a second; returns the bytes written. */
    private static long pushUntilStopped(final List<SocketChannel> clients) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        long total = 0;
        long lastProgress = System.nanoTime();
        final long giveUp = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() - lastProgress < 1_000_000_000L && System.nanoTime() - giveUp < 0)
        {
            for (final SocketChannel c : clients)
            {
                chunk.clear();
                final int n = c.write(chunk);
                if (n > 0)
                {
                    total += n;
                    lastProgress = System.nanoTime();
                }
            }
        }
        return total;
    }
}
