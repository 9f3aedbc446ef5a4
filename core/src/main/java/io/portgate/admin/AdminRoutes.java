package io.portgate.admin;

import io.portgate.InstanceHealth;
import io.portgate.ListenerStats;
import io.portgate.ReloadResult;
import io.portgate.TargetStats;
import io.portgate.TargetView;
import io.portgate.config.ConfigException;
import io.portgate.config.Diagnostic;
import io.portgate.config.Severity;
import io.portgate.config.Units;
import io.portgate.spi.TargetState;
import io.portgate.metrics.PrometheusText;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The endpoints: what each request means and what it is answered, apart from how it travelled. Reads run on the
 * admin loop's thread; changes ({@link #isChange}) run on its operations thread, so a reload that takes a while
 * holds up neither {@code /metrics} nor any connection.
 */
final class AdminRoutes
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    /** How long a drain, undrain or weight waits to show before it is answered anyway. */
    private static final long APPLY_WAIT_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * A request as the endpoints see it.
     *
     * @param method        the method; HEAD is answered as GET without the body.
     * @param rawPath       the path as sent, percent-encoding and all ("/" for an absolute form without one).
     * @param rawQuery      the query as sent, or null.
     * @param loopback      whether it came from a loopback address.
     * @param authorization the first Authorization field's value, or null.
     */
    record Request(String method, String rawPath, String rawQuery, boolean loopback, String authorization)
    {
    }

    private final AdminServer.Operations operations;
    private final byte[] token;
    private final AdminCounters counters;

    AdminRoutes(final AdminServer.Operations operations, final String token, final AdminCounters counters)
    {
        this.operations = operations;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.counters = counters;
    }

    /**
     * Whether a request asks for a change, to be carried out on the operations thread.
     *
     * @param request the request.
     * @return true for a POST to a target's action or to {@code /api/reload}.
     */
    static boolean isChange(final Request request)
    {
        if (!"POST".equals(request.method()))
        {
            return false;
        }
        final String path = request.rawPath();
        return path.equals("/api/reload") || path.startsWith("/api/pools/");
    }

    /**
     * Answers a request. Never throws: a refusal is its status, and a failure inside portgate is a 500 with
     * {@code {"error": ...}}, never a dropped connection.
     *
     * @param request the request.
     * @return the answer.
     */
    AdminResponse handle(final Request request)
    {
        try
        {
            return route(request);
        }
        catch (final Problem problem)
        {
            return new AdminResponse(problem.status, AdminResponse.JSON, AdminResponse.json(problem.status,
                Map.of("error", problem.getMessage())).body(), problem.allow);
        }
        catch (final IllegalArgumentException ex)
        {
            return AdminResponse.json(404, Map.of("error", String.valueOf(ex.getMessage())));
        }
        catch (final RuntimeException | Error ex)
        {
            // Anything else is the balancer's fault, not the caller's: answered, never a dropped connection.
            LOG.log(System.Logger.Level.WARNING, "admin: {0} {1} failed: {2}", request.method(), request.rawPath(),
                describe(ex));
            return AdminResponse.json(500, Map.of("error", describe(ex)));
        }
    }

    private AdminResponse route(final Request request)
    {
        final String method = request.method();
        final String path = request.rawPath();
        final String[] parts = path.split("/", -1);
        if (path.equals("/metrics"))
        {
            requireMethod(method, "GET");
            return new AdminResponse(200, PrometheusText.CONTENT_TYPE, utf8(
                PrometheusText.render(operations.metrics().samples()),
                PrometheusText.summary("portgate_tcp_connect_seconds", "Time to connect to a target", "listener",
                    operations.connectLatencies()),
                PrometheusText.summary("portgate_tcp_first_byte_seconds", "Time from the client's first bytes " +
                    "reaching the target (or from the connect, when the target speaks first) to the target's first " +
                    "bytes reaching the client", "listener", operations.firstByteLatencies()),
                counters.prometheus()), null);
        }
        if (path.equals("/api/listeners"))
        {
            requireMethod(method, "GET");
            return AdminResponse.json(200, listeners());
        }
        if (path.equals("/api/pools"))
        {
            requireMethod(method, "GET");
            return AdminResponse.json(200, pools());
        }
        if (parts.length == 7 && parts[1].equals("api") && parts[2].equals("pools") && parts[4].equals("targets"))
        {
            requireMethod(method, "POST");
            requireAllowed(request);
            return mutate(request, decode(parts[3], false), decode(parts[5], false), parts[6]);
        }
        if (path.equals("/api/health"))
        {
            requireMethod(method, "GET");
            final InstanceHealth health = operations.health();
            return AdminResponse.json(health.healthy() ? 200 : 503, health.body());
        }
        if (path.equals("/api/health/fail") || path.equals("/api/health/ok"))
        {
            requireMethod(method, "POST");
            requireAllowed(request);
            operations.failHealth(path.endsWith("/fail"));
            final InstanceHealth health = operations.health();
            return AdminResponse.json(200, health.body());
        }
        if (path.equals("/api/reload"))
        {
            requireMethod(method, "POST");
            requireAllowed(request);
            return reload();
        }
        throw new Problem(404, "no such endpoint: " + path + "; see GET /api/listeners, GET /api/pools, " +
            "GET /api/health, GET /metrics, POST /api/pools/POOL/targets/TARGET/{drain,undrain,weight}, " +
            "POST /api/health/{fail,ok}, POST /api/reload");
    }

    private AdminResponse reload()
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
            return AdminResponse.json(422, rejected("errors", errors.isEmpty() ? List.of(ex.getMessage()) : errors));
        }
        catch (final IllegalStateException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "admin: reload rejected: {0}", ex.getMessage());
            return AdminResponse.json(409, rejected("error", String.valueOf(ex.getMessage())));
        }
        catch (final RuntimeException | Error ex)
        {
            // One line: a stack overflow's trace would be a thousand.
            LOG.log(System.Logger.Level.WARNING, "admin: reload rejected: unexpected {0}; still running the " +
                "previous configuration", describe(ex));
            return AdminResponse.json(500, rejected("error", describe(ex)));
        }
        LOG.log(System.Logger.Level.INFO, "admin: {0}", result.logLine());
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", "applied");
        body.put("generation", result.generation());
        body.put("changes", result.changes());
        body.put("restartRequired", result.restartRequired());
        return AdminResponse.json(200, body);
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

    private AdminResponse mutate(final Request request, final String pool, final String target, final String action)
    {
        switch (action)
        {
            case "drain", "undrain" ->
            {
                final boolean drain = action.equals("drain");
                operations.drain(pool, target, drain);
                awaitApplied(pool, target, v -> (v.state() == TargetState.DRAINING) == drain);
                final String name = nameOf(pool, target);
                LOG.log(System.Logger.Level.INFO, "admin: {0} target {1} of pool ''{2}''", action, name, pool);
                return AdminResponse.json(200, Map.of("pool", pool, "target", name, "action", action));
            }
            case "weight" ->
            {
                final String value = query(request.rawQuery(), "value");
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
                awaitApplied(pool, target, v -> v.weight() == weight);
                final String name = nameOf(pool, target);
                LOG.log(System.Logger.Level.INFO, "admin: weight of target {0} of pool ''{1}'' set to {2}", name,
                    pool, String.valueOf(weight));
                return AdminResponse.json(200, Map.of("pool", pool, "target", name, "weight", weight));
            }
            default -> throw new Problem(404, "no action '" + action + "'; actions: drain, undrain, weight");
        }
    }

    /**
     * Waits, on the changes thread, until the balancer shows a change it took (the conductor applies it a few
     * milliseconds later), so that a read after the answer sees it; at most {@link #APPLY_WAIT_NS}.
     */
    private void awaitApplied(final String pool, final String target, final Predicate<TargetView> applied)
    {
        final long deadline = System.nanoTime() + APPLY_WAIT_NS;
        while (true)
        {
            boolean found = false;
            for (final TargetView v : operations.targets())
            {
                if (v.pool().equals(pool) && io.portgate.config.Addresses.sameTarget(target, v.target()))
                {
                    found = true;
                    if (applied.test(v))
                    {
                        return;
                    }
                }
            }
            if (!found || System.nanoTime() - deadline > 0)
            {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
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
            if (v.name() != null)
            {
                // Looked up by host name: one of the name's A or AAAA records.
                m.put("name", v.name());
            }
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

    private void requireAllowed(final Request request)
    {
        if (request.loopback())
        {
            return;
        }
        final String header = request.authorization();
        if (token != null && header != null && header.startsWith("Bearer ") &&
            MessageDigest.isEqual(token, header.substring(7).getBytes(StandardCharsets.UTF_8)))
        {
            return;
        }
        throw new Problem(403, "changes are accepted from loopback, or with Authorization: Bearer <admin-token>");
    }

    private static void requireMethod(final String method, final String expected)
    {
        if (!method.equals(expected) && !(expected.equals("GET") && method.equals("HEAD")))
        {
            throw new Problem(405, method + " is not allowed here; use " + expected,
                expected.equals("GET") ? "GET, HEAD" : expected);
        }
    }

    private static String query(final String rawQuery, final String name)
    {
        if (rawQuery != null)
        {
            for (final String pair : rawQuery.split("&"))
            {
                final int eq = pair.indexOf('=');
                if (eq > 0 && decode(pair.substring(0, eq), true).equals(name))
                {
                    return decode(pair.substring(eq + 1), true);
                }
            }
        }
        return "";
    }

    /**
     * Percent-decodes a part of a request target (RFC 3986), the bytes read as UTF-8.
     *
     * @param raw         the part as sent: visible ASCII.
     * @param plusIsSpace whether '+' means a space, as in a query.
     * @return the decoded text.
     * @throws Problem 400 when a '%' is not followed by two hex digits.
     */
    static String decode(final String raw, final boolean plusIsSpace)
    {
        if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0))
        {
            return raw;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++)
        {
            final char c = raw.charAt(i);
            if (c == '%')
            {
                final int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                final int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0)
                {
                    throw new Problem(HttpRejection.BAD_PERCENT_ENCODING.status(),
                        HttpRejection.BAD_PERCENT_ENCODING.message());
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            }
            else
            {
                bytes.write(c == '+' && plusIsSpace ? ' ' : c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static byte[] utf8(final String... parts)
    {
        return String.join("", parts).getBytes(StandardCharsets.UTF_8);
    }

    /** A request the endpoint refuses, with its HTTP status. */
    static final class Problem extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String allow;

        Problem(final int status, final String message)
        {
            this(status, message, null);
        }

        Problem(final int status, final String message, final String allow)
        {
            super(message, null, false, false);
            this.status = status;
            this.allow = allow;
        }
    }
}
