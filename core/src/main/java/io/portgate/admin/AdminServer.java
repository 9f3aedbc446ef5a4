package io.portgate.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portgate.ListenerStats;
import io.portgate.PortgateStats;
import io.portgate.ReloadResult;
import io.portgate.TargetStats;
import io.portgate.conductor.TargetView;
import io.portgate.config.ConfigException;
import io.portgate.config.Diagnostic;
import io.portgate.config.Severity;
import io.portgate.config.Units;
import io.portgate.metrics.MetricsReader;
import io.portgate.metrics.PrometheusText;
import io.portgate.util.Json;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code /metrics} and the JSON API:
 * <ul>
 *     <li>{@code GET /metrics}: every counter, Prometheus text format;</li>
 *     <li>{@code GET /api/listeners}: listeners with their counters;</li>
 *     <li>{@code GET /api/pools}: pools and their targets with live state, last probe and time in state;</li>
 *     <li>{@code POST /api/pools/POOL/targets/TARGET/drain}, {@code .../undrain};</li>
 *     <li>{@code POST /api/pools/POOL/targets/TARGET/weight?value=N};</li>
 *     <li>{@code POST /api/reload}: re-reads the configuration file and applies it; 200 with what changed, 422 with
 *     the file's errors as {@code portgate check} words them, 409 when it cannot be applied, 500 when it failed
 *     unexpectedly. A rejected reload changes nothing and is counted.</li>
 * </ul>
 * Mutating calls are refused (403) unless they come from a loopback address or carry
 * {@code Authorization: Bearer TOKEN} with the configured token.
 */
public final class AdminServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final String JSON = "application/json; charset=utf-8";

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

        /**
         * Re-reads the configuration file and applies it.
         *
         * @return what was applied.
         * @throws ConfigException       when the file has errors; nothing changed.
         * @throws IllegalStateException when it cannot be applied; nothing changed.
         */
        ReloadResult reload();
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Operations operations;
    private final byte[] token;

    private AdminServer(final HttpServer server, final ExecutorService executor, final Operations operations,
        final String token)
    {
        this.server = server;
        this.executor = executor;
        this.operations = operations;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Binds and starts the endpoint.
     *
     * @param address    where to listen.
     * @param token      the token mutating calls from outside loopback must carry, or null.
     * @param operations what it operates on.
     * @return the running server.
     * @throws UncheckedIOException when it cannot bind, naming the address.
     */
    public static AdminServer start(final InetSocketAddress address, final String token, final Operations operations)
    {
        final HttpServer server;
        try
        {
            server = HttpServer.create(address, 64);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("admin endpoint cannot bind " + io.portgate.config.Endpoint.format(address) +
                ": " + ex.getMessage(), ex);
        }
        final ExecutorService executor = Executors.newFixedThreadPool(2, r ->
        {
            final Thread t = new Thread(r, "portgate-admin");
            t.setDaemon(true);
            return t;
        });
        final AdminServer admin = new AdminServer(server, executor, operations, token);
        server.setExecutor(executor);
        server.createContext("/", admin::handle);
        server.start();
        return admin;
    }

    /**
     * Where it listens.
     *
     * @return the bound address.
     */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try
        {
            route(exchange);
        }
        catch (final Problem problem)
        {
            json(exchange, problem.status, Map.of("error", problem.getMessage()));
        }
        catch (final IllegalArgumentException ex)
        {
            json(exchange, 404, Map.of("error", ex.getMessage()));
        }
        catch (final RuntimeException | Error ex)
        {
            // Anything else is the balancer's fault, not the caller's: answered, never a dropped connection.
            LOG.log(System.Logger.Level.WARNING, "admin: {0} {1} failed: {2}", exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(), describe(ex));
            json(exchange, 500, Map.of("error", describe(ex)));
        }
        finally
        {
            exchange.close();
        }
    }

    private void route(final HttpExchange exchange) throws IOException
    {
        final String method = exchange.getRequestMethod();
        final String path = exchange.getRequestURI().getRawPath();
        final String[] parts = path.split("/", -1);
        if (path.equals("/metrics"))
        {
            requireMethod(method, "GET");
            send(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(operations.metrics().samples()) +
                PrometheusText.summary("portgate_tcp_connect_seconds", "Time to connect to a target", "listener",
                    operations.connectLatencies()) +
                PrometheusText.summary("portgate_tcp_first_byte_seconds", "Time from the client's first bytes " +
                    "reaching the target (or from the connect, when the target speaks first) to the target's first " +
                    "bytes reaching the client", "listener", operations.firstByteLatencies()));
        }
        else if (path.equals("/api/listeners"))
        {
            requireMethod(method, "GET");
            json(exchange, 200, listeners());
        }
        else if (path.equals("/api/pools"))
        {
            requireMethod(method, "GET");
            json(exchange, 200, pools());
        }
        else if (parts.length == 7 && parts[1].equals("api") && parts[2].equals("pools") &&
            parts[4].equals("targets"))
        {
            requireMethod(method, "POST");
            requireAllowed(exchange);
            mutate(exchange, decode(parts[3]), decode(parts[5]), parts[6]);
        }
        else if (path.equals("/api/reload"))
        {
            requireMethod(method, "POST");
            requireAllowed(exchange);
            reload(exchange);
        }
        else
        {
            throw new Problem(404, "no such endpoint: " + path + "; see GET /api/listeners, GET /api/pools, " +
                "GET /metrics, POST /api/pools/POOL/targets/TARGET/{drain,undrain,weight}, POST /api/reload");
        }
    }

    private void reload(final HttpExchange exchange) throws IOException
    {
        final ReloadResult result;
        try
        {
            result = operations.reload();
        }
        catch (final ConfigException ex)
        {
            final List<String> errors = ex.diagnostics().stream()
                .filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::format).toList();
            LOG.log(System.Logger.Level.WARNING, "admin: reload rejected, {0} error(s); still running the " +
                "previous configuration", errors.size());
            json(exchange, 422, rejected("errors", errors.isEmpty() ? List.of(ex.getMessage()) : errors));
            return;
        }
        catch (final IllegalStateException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "admin: reload rejected: {0}", ex.getMessage());
            json(exchange, 409, rejected("error", String.valueOf(ex.getMessage())));
            return;
        }
        catch (final RuntimeException | Error ex)
        {
            // One line: a stack overflow's trace would be a thousand.
            LOG.log(System.Logger.Level.WARNING, "admin: reload rejected: unexpected {0}; still running the " +
                "previous configuration", describe(ex));
            json(exchange, 500, rejected("error", describe(ex)));
            return;
        }
        LOG.log(System.Logger.Level.INFO, "admin: {0}", result.logLine());
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", "applied");
        body.put("generation", result.generation());
        body.put("changes", result.changes());
        body.put("restartRequired", result.restartRequired());
        json(exchange, 200, body);
    }

    private static String describe(final Throwable ex)
    {
        final String message = ex.getMessage();
        return ex instanceof Error || message == null ? ex.getClass().getName() +
            (message == null ? "" : ": " + message) : message;
    }

    private static Map<String, Object> rejected(final String key, final Object value)
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", "rejected");
        body.put(key, value);
        return body;
    }

    private void mutate(final HttpExchange exchange, final String pool, final String target, final String action)
        throws IOException
    {
        switch (action)
        {
            case "drain", "undrain" ->
            {
                operations.drain(pool, target, action.equals("drain"));
                final String name = nameOf(pool, target);
                LOG.log(System.Logger.Level.INFO, "admin: {0} target {1} of pool ''{2}''", action, name, pool);
                json(exchange, 200, Map.of("pool", pool, "target", name, "action", action));
            }
            case "weight" ->
            {
                final String value = query(exchange, "value");
                final int weight;
                try
                {
                    weight = Integer.parseInt(value);
                }
                catch (final NumberFormatException ex)
                {
                    throw new Problem(400, "weight needs ?value=N with N a whole number from 1 to 10000, got '" +
                        value + "'");
                }
                if (weight < 1 || weight > 10_000)
                {
                    throw new Problem(400, "weight must be from 1 to 10000, got " + weight);
                }
                operations.weight(pool, target, weight);
                final String name = nameOf(pool, target);
                LOG.log(System.Logger.Level.INFO, "admin: weight of target {0} of pool ''{1}'' set to {2}", name,
                    pool, String.valueOf(weight));
                json(exchange, 200, Map.of("pool", pool, "target", name, "weight", weight));
            }
            default -> throw new Problem(404, "no action '" + action + "'; actions: drain, undrain, weight");
        }
    }

    // The target as portgate names it, however the request spelt it ("::1:9000", a range's first port...).
    private String nameOf(final String pool, final String target)
    {
        for (final TargetView v : operations.targets())
        {
            if (v.pool().equals(pool) && io.portgate.config.Addresses.sameTarget(target, v.target()))
            {
                return v.target();
            }
        }
        return target;
    }

    private List<Map<String, Object>> listeners()
    {
        final List<Map<String, Object>> list = new ArrayList<>();
        for (final ListenerStats l : operations.stats().listeners())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("activeConnections", l.activeConnections());
            m.put("totalConnections", l.totalConnections());
            m.put("refused", l.refused());
            m.put("limitRejected", l.limitRejected());
            m.put("connectFailures", l.connectFailures());
            m.put("bytesIn", l.bytesIn());
            m.put("bytesOut", l.bytesOut());
            final List<Map<String, Object>> targets = new ArrayList<>();
            for (final TargetStats t : l.targets())
            {
                final Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("target", t.target());
                tm.put("activeConnections", t.activeConnections());
                tm.put("totalConnections", t.totalConnections());
                tm.put("connectFailures", t.connectFailures());
                tm.put("bytesIn", t.bytesIn());
                tm.put("bytesOut", t.bytesOut());
                targets.add(tm);
            }
            m.put("targets", targets);
            list.add(m);
        }
        return list;
    }

    private Map<String, Object> pools()
    {
        final Map<String, Object> pools = new LinkedHashMap<>();
        for (final TargetView v : operations.targets())
        {
            @SuppressWarnings("unchecked")
            final List<Map<String, Object>> targets = (List<Map<String, Object>>)pools.computeIfAbsent(v.pool(),
                k -> new ArrayList<Map<String, Object>>());
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", v.target());
            m.put("state", v.state().label());
            m.put("weight", v.weight());
            m.put("probe", v.probe());
            m.put("lastResult", v.lastResult() == null ? null : v.lastResult().label());
            m.put("lastLatencyMicros", v.lastLatency().toNanos() / 1000);
            m.put("inState", Units.formatDuration(java.time.Duration.ofSeconds(v.inState().toSeconds())));
            m.put("inStateSeconds", v.inState().toMillis() / 1000.0);
            targets.add(m);
        }
        return pools;
    }

    private void requireAllowed(final HttpExchange exchange)
    {
        final InetAddress remote = exchange.getRemoteAddress().getAddress();
        if (remote.isLoopbackAddress())
        {
            return;
        }
        final String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (token != null && header != null && header.startsWith("Bearer ") &&
            MessageDigest.isEqual(token, header.substring(7).getBytes(StandardCharsets.UTF_8)))
        {
            return;
        }
        throw new Problem(403, "changes are accepted from loopback, or with Authorization: Bearer <admin-token>");
    }

    private static void requireMethod(final String method, final String expected)
    {
        if (!method.equals(expected))
        {
            throw new Problem(405, method + " is not allowed here; use " + expected);
        }
    }

    private static String query(final HttpExchange exchange, final String name)
    {
        final String query = exchange.getRequestURI().getRawQuery();
        if (query != null)
        {
            for (final String pair : query.split("&"))
            {
                final int eq = pair.indexOf('=');
                if (eq > 0 && decode(pair.substring(0, eq)).equals(name))
                {
                    return decode(pair.substring(eq + 1));
                }
            }
        }
        return "";
    }

    private static String decode(final String text)
    {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static void json(final HttpExchange exchange, final int status, final Object body) throws IOException
    {
        send(exchange, status, JSON, Json.pretty(body) + "\n");
    }

    private static void send(final HttpExchange exchange, final int status, final String contentType,
        final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    /** A request the endpoint refuses, with its HTTP status. */
    private static final class Problem extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private final int status;

        Problem(final int status, final String message)
        {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
