package io.portgate.loop;

import io.portgate.access.AccessRules;
import io.portgate.access.CidrTable;
import io.portgate.access.SourceLimits;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.Protocol;
import io.portgate.config.SendProxy;
import io.portgate.proxy.ProxyParser;

/**
 * A listener's access rules, PROXY protocol settings and per-source limit settings, compiled once from the
 * configuration off the hot path and shared by every worker (immutable). The per-worker state they need, the
 * per-source table and the PROXY parser, lives on the {@link RouteRuntime}.
 *
 * <p>Refusals are counted by reason; {@link #reasonName} names the reasons as {@code /metrics} and {@code stat} show
 * them ({@code portgate_access_refused_total{reason=...}}). UDP uses the first four.
 */
public final class RouteAccess
{
    /** The source lies in a {@code deny} block. */
    public static final int DENIED = 0;
    /** An {@code allow} list is set and the source is in none of its blocks. */
    public static final int NOT_ALLOWED = 1;
    /** The source has {@code max-connections-per-source} (or flows) open on this worker. */
    public static final int CONCURRENCY_LIMIT = 2;
    /** The source's connection (or datagram) rate is spent. */
    public static final int RATE_LIMIT = 3;
    /** A PROXY header was expected from a source outside {@code trusted-proxies}. */
    public static final int PROXY_UNTRUSTED = 4;
    /** The connection did not start with a PROXY header. */
    public static final int PROXY_MISSING = 5;
    /** The PROXY header was malformed. */
    public static final int PROXY_MALFORMED = 6;
    /** The PROXY header was longer than accepted. */
    public static final int PROXY_OVERSIZED = 7;
    /** The PROXY header was of a version the listener does not accept. */
    public static final int PROXY_UNSUPPORTED = 8;
    /** The PROXY header was not complete within {@code connect-timeout}. */
    public static final int PROXY_TIMEOUT = 9;
    /** How many TCP reasons there are. */
    public static final int TCP_REASONS = 10;
    /** How many UDP reasons there are. */
    public static final int UDP_REASONS = 4;

    /** The per-source table's size bounds (memory is fixed by it, about 48 bytes per entry). */
    static final int MIN_TABLE = 1024;
    static final int MAX_TABLE = 1 << 20;

    /** Nothing checked. */
    public static final RouteAccess NONE = new RouteAccess(AccessRules.ALLOW_ALL, null, 0, null, 0, MIN_TABLE);

    private static final String[] NAMES = { "denied", "not_allowed", "concurrency_limit", "rate_limit",
        "proxy_untrusted", "proxy_missing", "proxy_malformed", "proxy_oversized", "proxy_unsupported",
        "proxy_timeout" };

    private final AccessRules rules;
    private final CidrTable trusted;
    private final int proxyMode;
    private final SourceLimits.Settings limits;
    private final int sendProxy;
    private final int tableCapacity;

    private RouteAccess(final AccessRules rules, final CidrTable trusted, final int proxyMode,
        final SourceLimits.Settings limits, final int sendProxy, final int tableCapacity)
    {
        this.rules = rules;
        this.trusted = trusted;
        this.proxyMode = proxyMode;
        this.limits = limits;
        this.sendProxy = sendProxy;
        this.tableCapacity = tableCapacity;
    }

    /**
     * Compiles a validated listener's settings.
     *
     * @param listener the listener.
     * @param pool     its pool.
     * @return the compiled settings.
     */
    public static RouteAccess of(final ListenerConfig listener, final PoolConfig pool)
    {
        final boolean tcp = listener.protocol() == Protocol.TCP;
        final AccessRules rules = listener.allow() == null && listener.deny() == null ? AccessRules.ALLOW_ALL :
            AccessRules.of(listener.allow() == null ? null : parse(listener.allow()),
                listener.deny() == null ? null : parse(listener.deny()));
        final int proxyMode = !tcp ? 0 : switch (listener.acceptProxy())
        {
            case OFF -> 0;
            case V1 -> ProxyParser.MODE_V1;
            case V2 -> ProxyParser.MODE_V2;
            case ANY -> ProxyParser.MODE_ANY;
        };
        final CidrTable trusted = proxyMode == 0 || listener.trustedProxies() == null ? null :
            parse(listener.trustedProxies()).table();
        final SourceLimits.Settings limits;
        if (tcp && (listener.maxConnectionsPerSource() > 0 || listener.connectionRatePerSource() > 0))
        {
            limits = SourceLimits.Settings.tcp(listener.maxConnectionsPerSource(), listener.connectionRatePerSource());
        }
        else if (!tcp && (listener.maxFlowsPerSource() > 0 || listener.datagramRatePerSource() > 0))
        {
            limits = SourceLimits.Settings.udp(listener.maxFlowsPerSource(), listener.datagramRatePerSource());
        }
        else
        {
            limits = null;
        }
        final int send = pool == null || pool.sendProxy() == SendProxy.OFF ? 0 :
            pool.sendProxy() == SendProxy.V1 ? 1 : 2;
        final int capacity = Math.clamp(tcp ? listener.maxConnections() : listener.maxFlows(), MIN_TABLE, MAX_TABLE);
        return new RouteAccess(rules, trusted, proxyMode, limits, send, capacity);
    }

    private static io.portgate.access.CidrList parse(final io.portgate.config.CidrConfig list)
    {
        return io.portgate.access.CidrList.parse(list.name(), list.entries());
    }

    /** @return the allow and deny rules. */
    public AccessRules rules()
    {
        return rules;
    }

    /** @return whether the rules can refuse anyone. */
    public boolean restricts()
    {
        return rules.restricts();
    }

    /**
     * Whether a source may send a PROXY header.
     *
     * @param high its address, high 64 bits.
     * @param low  its low 64 bits.
     * @return true when it lies in {@code trusted-proxies}.
     */
    public boolean trusts(final long high, final long low)
    {
        return trusted != null && trusted.contains(high, low);
    }

    /** @return the {@link ProxyParser} mode of {@code accept-proxy}, 0 for none. */
    public int proxyMode()
    {
        return proxyMode;
    }

    /** @return the per-source limits, or null for none. */
    public SourceLimits.Settings limits()
    {
        return limits;
    }

    /** @return the PROXY version the pool sends, 0 for none. */
    public int sendProxy()
    {
        return sendProxy;
    }

    /** @return how many sources one worker's per-source table holds. */
    public int tableCapacity()
    {
        return tableCapacity;
    }

    /** @return whether a connection or flow needs its client's address as two longs at all. */
    public boolean needsClient()
    {
        return rules.restricts() || proxyMode != 0 || limits != null || sendProxy != 0;
    }

    /**
     * A reason's counter label.
     *
     * @param reason a reason code.
     * @return its name, e.g. {@code denied}.
     */
    public static String reasonName(final int reason)
    {
        return NAMES[reason];
    }

    /**
     * The reason of a PROXY parse rejection.
     *
     * @param proxyReject a {@link io.portgate.proxy.ProxyReject} code.
     * @return the reason code.
     */
    public static int proxyReason(final int proxyReject)
    {
        return switch (proxyReject)
        {
            case io.portgate.proxy.ProxyReject.MISSING -> PROXY_MISSING;
            case io.portgate.proxy.ProxyReject.OVERSIZED -> PROXY_OVERSIZED;
            case io.portgate.proxy.ProxyReject.UNSUPPORTED -> PROXY_UNSUPPORTED;
            case io.portgate.proxy.ProxyReject.TIMEOUT -> PROXY_TIMEOUT;
            default -> PROXY_MALFORMED;
        };
    }
}
