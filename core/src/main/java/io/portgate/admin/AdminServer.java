package io.portgate.admin;

import io.portgate.InstanceHealth;
import io.portgate.PortgateStats;
import io.portgate.ReloadResult;
import io.portgate.TargetView;
import io.portgate.config.ConfigException;
import io.portgate.config.Endpoint;
import io.portgate.metrics.MetricsReader;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@code /metrics} and the JSON API:
 * <ul>
 *     <li>{@code GET /metrics}: every counter, Prometheus text format, the admin endpoint's own included;</li>
 *     <li>{@code GET /api/listeners}: listeners with their counters;</li>
 *     <li>{@code GET /api/pools}: pools and their targets with live state, last probe and time in state;</li>
 *     <li>{@code POST /api/pools/POOL/targets/TARGET/drain}, {@code .../undrain};</li>
 *     <li>{@code POST /api/pools/POOL/targets/TARGET/weight?value=N};</li>
 *     <li>{@code GET /api/health}: 200 {@code {"status": "ok"}} when the instance should receive traffic, 503
 *     {@code {"status": "fail", "reasons": [...]}} otherwise ({@link InstanceHealth}), for ECMP, anycast and VRRP
 *     engines;</li>
 *     <li>{@code POST /api/health/fail}, {@code POST /api/health/ok}: an operator fails the instance's health (it
 *     keeps forwarding everything) or restores it;</li>
 *     <li>{@code POST /api/reload}: re-reads the configuration file and applies it; 200 with what changed, 422 with
 *     the file's errors as {@code portgate check} words them, 409 when it cannot be applied, 500 when it failed
 *     unexpectedly. A rejected reload changes nothing and is counted.</li>
 * </ul>
 * Mutating calls are refused (403) unless they come from a loopback address or carry
 * {@code Authorization: Bearer TOKEN} with the configured token.
 *
 * <p>It is an HTTP/1.1 server of its own on one NIO selector thread (an Agrona agent, {@code AdminAgent}), not the
 * JDK's {@code com.sun.net.httpserver}, which reads request heads on its executor's threads and by default never
 * times one out: two clients that sent half a request took a two-thread executor, and with it {@code /metrics},
 * reloads and drains, until they closed. Here no client holds a thread: every connection is non-blocking on the one
 * loop, a request's header, body and response each have a deadline, sizes are bounded ({@link AdminLimits}), and at
 * the connection cap a newcomer takes the slot of the connection that has waited longest, so a flood of slow clients
 * cannot keep a prompt one out. Memory is bounded too: one read buffer per connection slot, allocated once and
 * reused, and a malformed request is refused with a canned answer, allocating nothing. The same parser takes a raw
 * {@code [::1]:9000} in a path, which the JDK's server refused with a 400 of its own. Changes run on a second thread,
 * so a long reload delays no read.
 */
public final class AdminServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    /** Room in the kernel's accept queue for a burst of connections while the loop evicts and accepts. */
    private static final int BACKLOG = 1024;

    /** What the admin endpoint operates on; the balancer provides it. */
    public interface Operations
    {
        /** @return the counters of every listener. */
        PortgateStats stats();

        /** @return every target with its state. */
        List<TargetView> targets();

        /** @return the live counters. */
        MetricsReader metrics();

        /**
         * Drains or undrains a target.
         *
         * @param pool   the pool.
         * @param target the target as {@code address:port}.
         * @param drain  true to drain.
         */
        void drain(String pool, String target, boolean drain);

        /**
         * Sets a target's weight.
         *
         * @param pool   the pool.
         * @param target the target as {@code address:port}.
         * @param weight the weight, 1 or more.
         */
        void weight(String pool, String target, int weight);

        /** @return connect times to targets since start, by TCP listener, in nanoseconds. */
        Map<String, Histogram> connectLatencies();

        /**
         * First-byte times since start, by TCP listener that records them ({@code first-byte-latency: true}).
         *
         * @return the histograms in nanoseconds; listeners that do not record them are absent.
         */
        default Map<String, Histogram> firstByteLatencies()
        {
            return Map.of();
        }

        /** @return whether the instance should receive traffic, and why not. */
        InstanceHealth health();

        /**
         * Fails the instance's health (it keeps forwarding), or restores it.
         *
         * @param failed true to fail it.
         */
        void failHealth(boolean failed);

        /**
         * Re-reads the configuration file and applies it.
         *
         * @return what was applied.
         * @throws ConfigException       when the file has errors; nothing changed.
         * @throws IllegalStateException when it cannot be applied; nothing changed.
         */
        ReloadResult reload();
    }

    private final ServerSocketChannel server;
    private final InetSocketAddress address;
    private final AdminAgent agent;
    private final AgentRunner runner;
    private final ExecutorService changes;
    private final AdminCounters counters;

    private AdminServer(final ServerSocketChannel server, final InetSocketAddress address, final AdminAgent agent,
        final AgentRunner runner, final ExecutorService changes, final AdminCounters counters)
    {
        this.server = server;
        this.address = address;
        this.agent = agent;
        this.runner = runner;
        this.changes = changes;
        this.counters = counters;
    }

    /**
     * Binds and starts the endpoint with the default limits.
     *
     * @param address    where to listen.
     * @param token      the token mutating calls from outside loopback must carry, or null.
     * @param operations what it operates on.
     * @return the running server.
     * @throws UncheckedIOException when it cannot bind, naming the address.
     */
    public static AdminServer start(final InetSocketAddress address, final String token, final Operations operations)
    {
        return start(address, token, operations, AdminLimits.DEFAULTS);
    }

    /**
     * Binds and starts the endpoint.
     *
     * @param address    where to listen.
     * @param token      the token mutating calls from outside loopback must carry, or null.
     * @param operations what it operates on; its methods may be called from two threads at once.
     * @param limits     the connection cap, timeouts and size limits.
     * @return the running server.
     * @throws UncheckedIOException when it cannot bind, naming the address.
     */
    public static AdminServer start(final InetSocketAddress address, final String token, final Operations operations,
        final AdminLimits limits)
    {
        Objects.requireNonNull(operations, "operations");
        Objects.requireNonNull(limits, "limits");
        final ServerSocketChannel server = bind(address);
        final AdminCounters counters = new AdminCounters();
        final ExecutorService changes = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "portgate-admin-changes");
            t.setDaemon(true);
            return t;
        });
        final AdminAgent agent;
        final InetSocketAddress bound;
        try
        {
            bound = (InetSocketAddress)server.getLocalAddress();
            agent = new AdminAgent(server, limits, SystemNanoClock.INSTANCE, SystemEpochClock.INSTANCE,
                new AdminRoutes(operations, token, counters), changes, counters);
        }
        catch (final IOException ex)
        {
            changes.shutdownNow();
            closeQuietly(server);
            throw new UncheckedIOException("admin endpoint cannot start on " + Endpoint.format(address) + ": " +
                ex.getMessage(), ex);
        }
        final AgentRunner runner = new AgentRunner(agent.idleStrategy(),
            ex -> LOG.log(System.Logger.Level.WARNING, "admin: unexpected " + ex), null, agent);
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        return new AdminServer(server, bound, agent, runner, changes, counters);
    }

    /**
     * Binds the endpoint's listening socket, for {@link #start} or for a test that steps the loop by hand.
     *
     * @param address where to listen.
     * @return the bound channel.
     * @throws UncheckedIOException when it cannot bind, naming the address.
     */
    static ServerSocketChannel bind(final InetSocketAddress address)
    {
        ServerSocketChannel server = null;
        try
        {
            server = ServerSocketChannel.open();
            // Evicted and timed-out connections leave TIME_WAIT entries behind; a restart must still bind.
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, BACKLOG);
            return server;
        }
        catch (final IOException ex)
        {
            closeQuietly(server);
            throw new UncheckedIOException("admin endpoint cannot bind " + Endpoint.format(address) + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * Makes the loop without a thread, for a test that steps it with {@link org.agrona.concurrent.AgentInvoker} and
     * moves its clock by hand.
     *
     * @param server     the bound channel.
     * @param token      the token, or null.
     * @param operations what it operates on.
     * @param limits     the limits.
     * @param clock      the clock deadlines are kept on.
     * @param changes    where changes are carried out ({@code Runnable::run} carries them out on the loop).
     * @param counters   where it counts.
     * @return the loop.
     */
    static AdminAgent agent(final ServerSocketChannel server, final String token, final Operations operations,
        final AdminLimits limits, final NanoClock clock, final java.util.concurrent.Executor changes,
        final AdminCounters counters) throws IOException
    {
        return new AdminAgent(server, limits, clock, SystemEpochClock.INSTANCE,
            new AdminRoutes(operations, token, counters), changes, counters);
    }

    /**
     * Where it listens.
     *
     * @return the bound address.
     */
    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * What it did with its connections and requests.
     *
     * @return the live counters.
     */
    public AdminCounters counters()
    {
        return counters;
    }

    @Override
    public void close()
    {
        agent.wakeForClose();
        runner.close();
        changes.shutdownNow();
        try
        {
            changes.awaitTermination(1, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        closeQuietly(server);
    }

    private static void closeQuietly(final ServerSocketChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // nothing more to do with it
            }
        }
    }
}
