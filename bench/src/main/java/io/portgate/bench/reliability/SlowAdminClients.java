package io.portgate.bench.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Slow clients against the admin endpoint: a thousand connections each send half a request and wait; then
 * {@code GET /metrics} and a drain must still be answered, within a second.
 */
final class SlowAdminClients implements Scenario
{
    @Override
    public String name()
    {
        return "slow-admin-clients";
    }

    @Override
    public String what()
    {
        return "1,000 admin connections each sending half a request and waiting; PASS when GET /metrics and a drain " +
            "are then each answered within 1 s";
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
        final int slow = 1_000;
        try (TargetProcess echo = TargetProcess.start(context.root(), "--echo", "tcp", 0))
        {
            final int port = SuiteContext.freeTcpPort();
            final int admin = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 1
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    pool: web
                pools:
                  web:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, port, echo.port()));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final List<Socket> sockets = new ArrayList<>(slow);
                try
                {
                    final byte[] partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < slow; i++)
                    {
                        final Socket s = new Socket();
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), admin), 5_000);
                        s.getOutputStream().write(partial);
                        sockets.add(s);
                    }
                    final AdminClient.Response metrics = portgate.admin().request("GET", "/metrics", 5_000);
                    final AdminClient.Response drain = portgate.admin().request("POST", "/api/pools/web/targets/" +
                        "127.0.0.1:" + echo.port() + "/drain", 5_000);
                    final Map<String, Double> m = AdminClient.parse(metrics.body());
                    final double metricsMs = metrics.elapsedNs() / 1e6;
                    final double drainMs = drain.elapsedNs() / 1e6;
                    notes.add(String.format(Locale.ROOT, "GET /metrics: %d in %.1f ms; POST drain: %d in %.1f ms",
                        metrics.status(), metricsMs, drain.status(), drainMs));
                    notes.add(String.format(Locale.ROOT, "the endpoint evicted %.0f of the slow connections to " +
                        "make room (64 slots)", AdminClient.sum(m, "portgate_admin_closed_connections_total",
                        "evicted")));
                    final boolean passed = metrics.status() == 200 && metricsMs < 1000 && drain.status() == 200 &&
                        drainMs < 1000;
                    return Outcome.of(passed, String.format(Locale.ROOT, "GET /metrics answered %s in %.0f ms " +
                        "behind %d slow clients; a drain in %.0f ms", metrics.status() == 200 ? "200" :
                        "NOTHING (" + metrics.status() + ")", metricsMs, slow, drainMs), notes);
                }
                finally
                {
                    for (final Socket s : sockets)
                    {
                        try
                        {
                            s.close();
                        }
                        catch (final IOException ignored)
                        {
                            // closing anyway
                        }
                    }
                }
            }
        }
    }
}
