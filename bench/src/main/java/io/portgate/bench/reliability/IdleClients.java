package io.portgate.bench.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Idle clients and the idle timeout: clients that were served once and then say nothing must each be closed by the
 * balancer once the listener's {@code idle-timeout} has passed, not before and not long after, and counted.
 */
final class IdleClients implements Scenario
{
    private static final long IDLE_MS = 2_000;
    /** Whole seconds: the balancer's timer wheel and a loaded machine may add a little. */
    private static final long LATE_MS = 2_000;
    /**
     * A client sees its echo a little after the balancer forwarded it (on this busy machine, with 500 connections
     * served by one selector, tens of milliseconds), so a close that looks this much early is on time.
     */
    private static final long EARLY_TOLERANCE_MS = 100;

    @Override
    public String name()
    {
        return "idle-timeout";
    }

    @Override
    public String what()
    {
        return "500 clients (200 in --quick) served once and then idle, idle-timeout 2s; PASS when the balancer " +
            "closes every one between 2 s (less 0.1 s for the client seeing its echo late) and 4 s after its last byte " +
            "and counts each as an idle timeout";
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
        final int count = context.scale(500, 200);
        try (TargetProcess echo = TargetProcess.start(context.root(), "--echo", "tcp", 0))
        {
            final int port = SuiteContext.freeTcpPort();
            final int admin = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 2
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                listeners:
                  - name: idle
                    bind: 127.0.0.1:%d
                    pool: echo
                    idle-timeout: %dms
                pools:
                  echo:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, port, IDLE_MS, echo.port()));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                try (TcpClients clients = TcpClients.open(front, count, count, 10_000))
                {
                    final List<SocketChannel> open = new ArrayList<>(clients.channels());
                    final ByteBuffer buffer = ByteBuffer.allocate(16);
                    long earliest = Long.MAX_VALUE;
                    long latest = 0;
                    int early = 0;
                    int closed = 0;
                    final long giveUp = System.nanoTime() + (IDLE_MS + 10_000) * 1_000_000L;
                    while (!open.isEmpty() && System.nanoTime() - giveUp < 0)
                    {
                        for (int i = open.size() - 1; i >= 0; i--)
                        {
                            final SocketChannel c = open.get(i);
                            buffer.clear();
                            int n;
                            try
                            {
                                n = c.read(buffer);
                            }
                            catch (final IOException reset)
                            {
                                n = -1;
                            }
                            if (n != 0)
                            {
                                // From the client's own last byte, its echo, to the close it sees.
                                final long afterMs = (System.nanoTime() - clients.provenAt(c)) / 1_000_000;
                                earliest = Math.min(earliest, afterMs);
                                latest = Math.max(latest, afterMs);
                                if (afterMs < IDLE_MS - EARLY_TOLERANCE_MS)
                                {
                                    early++;
                                }
                                closed++;
                                c.close();
                                open.remove(i);
                            }
                        }
                        PortgateRun.sleep(20);
                    }
                    final Map<String, Double> m = portgate.admin().metrics();
                    final double counted = AdminClient.sum(m, "portgate_tcp_idle_timeouts_total", "");
                    final double active = AdminClient.sum(m, "portgate_tcp_connections_active", "");
                    notes.add(clients.channels().size() + " of " + count + " clients served before going idle; " +
                        "the balancer counts " + (long)counted + " idle timeouts and " + (long)active +
                        " open connections after");
                    final boolean passed = clients.channels().size() == count && closed == count && early == 0 &&
                        latest <= IDLE_MS + LATE_MS && counted == count && active == 0;
                    return Outcome.of(passed, String.format(Locale.ROOT, "%d of %d idle clients closed, %s; %d " +
                        "too early", closed, count, closed == 0 ? "none" : "from " + earliest + " to " + latest +
                        " ms after their last byte", early), notes);
                }
            }
        }
    }
}
