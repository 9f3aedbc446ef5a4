package io.portgate.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks that need the whole configuration: every way of mapping a port wrongly is caught here, before a socket
 * opens. Runs on configuration read from a file and on configuration built in code alike.
 */
public final class ConfigValidator
{
    private final PortgateConfig config;
    private final HostFacts host;
    private final List<Diagnostic> out = new ArrayList<>();

    private ConfigValidator(final PortgateConfig config, final HostFacts host)
    {
        this.config = config;
        this.host = host;
    }

    /**
     * Validates a configuration.
     *
     * @param config the configuration.
     * @param host   the machine's facts.
     * @return errors, warnings and notes, in the order of the file.
     */
    public static List<Diagnostic> validate(final PortgateConfig config, final HostFacts host)
    {
        final ConfigValidator v = new ConfigValidator(config, host);
        v.run();
        return List.copyOf(v.out);
    }

    private void run()
    {
        checkAdmin();
        checkListenerNames();
        final Set<String> usedPools = new HashSet<>();
        for (final ListenerConfig listener : config.listeners())
        {
            checkListenerPorts(listener);
            final PoolConfig pool = config.poolOf(listener);
            if (pool == null)
            {
                if (listener.pool() != null)
                {
                    error(listener.poolPosition(), "listener '" + listener.name() + "' forwards to pool '" +
                        listener.pool() + "', which does not exist", poolHint(listener.pool()));
                }
                continue;
            }
            usedPools.add(pool.name());
            checkMapping(listener, pool);
            checkHealthProtocol(listener, pool);
        }
        checkOverlaps();
        for (final PoolConfig pool : config.pools().values())
        {
            if (!usedPools.contains(pool.name()))
            {
                warning(pool.position(), "pool '" + pool.name() + "' is not used by any listener",
                    "add a listener with pool: " + pool.name() + ", or remove the pool");
            }
            checkTargets(pool);
            checkHealth(pool);
        }
        checkLoops();
    }

    private void checkAdmin()
    {
        final Endpoint admin = config.admin();
        if (admin == null)
        {
            return;
        }
        if (!admin.ports().isSingle())
        {
            error(config.adminPosition(), "admin binds a port range (" + admin.ports() + ")",
                "give the admin endpoint one port, e.g. admin: 127.0.0.1:9990");
            return;
        }
        if (!admin.isLoopback() && (config.adminToken() == null || config.adminToken().isBlank()))
        {
            error(config.adminPosition(), "admin binds " + admin + ", which is not loopback, and no admin-token is set",
                "bind it to 127.0.0.1, or set admin-token: so that only callers with the token can change anything");
        }
        checkPrivileged(admin.ports(), config.adminPosition(), "admin");
        for (final ListenerConfig listener : config.listeners())
        {
            if (listener.protocol() == Protocol.TCP && listener.bind() != null &&
                addressesOverlap(listener.bind().address(), admin.address()) &&
                listener.bind().ports().overlaps(admin.ports()))
            {
                error(config.adminPosition(), "admin " + admin + " takes the port of listener '" + listener.name() +
                    "' (" + listener.bind() + ")", "give the admin endpoint a port of its own");
            }
        }
    }

    private void checkListenerNames()
    {
        final Map<String, ListenerConfig> seen = new HashMap<>();
        for (final ListenerConfig listener : config.listeners())
        {
            final ListenerConfig first = seen.putIfAbsent(listener.name(), listener);
            if (first != null)
            {
                error(listener.position(), "two listeners are named '" + listener.name() + "'" + at(first.position()),
                    "give each listener a unique name; metrics and logs tell them apart by it");
            }
        }
    }

    private void checkListenerPorts(final ListenerConfig listener)
    {
        final PortRange ports = listener.bind().ports();
        checkPrivileged(ports, listener.bindPosition(), "listener '" + listener.name() + "'");
        final PortRange ephemeral = host.ephemeralPorts();
        if (ports.overlaps(ephemeral))
        {
            warning(listener.bindPosition(), "listener '" + listener.name() + "' port " + ports +
                " lies in the kernel's ephemeral port range " + ephemeral +
                ", which it hands to outgoing connections (including portgate's own to targets): the listener may " +
                "fail to bind, or take a port an outgoing connection needed",
                "choose a port below " + ephemeral.first() + " or above " + ephemeral.last() +
                    ", or narrow net.ipv4.ip_local_port_range");
        }
    }

    private void checkPrivileged(final PortRange ports, final Position at, final String who)
    {
        if (ports.first() < host.unprivilegedPortStart() && !host.canBindPrivilegedPorts())
        {
            error(at, who + " binds port " + ports.first() + ", below " + host.unprivilegedPortStart() +
                ", and this process lacks the CAP_NET_BIND_SERVICE capability needed to bind it",
                "grant it (setcap cap_net_bind_service=+ep on the java binary, or AmbientCapabilities=" +
                    "CAP_NET_BIND_SERVICE in the systemd unit), run as root, or use a port of " +
                    host.unprivilegedPortStart() + " or above");
        }
    }

    private void checkMapping(final ListenerConfig listener, final PoolConfig pool)
    {
        final PortRange external = listener.bind().ports();
        final PortRange internal = pool.ports();
        if (internal != null && !internal.isSingle() && internal.size() != external.size())
        {
            error(listener.bindPosition(), "listener '" + listener.name() + "' binds " + count(external) + " (" +
                external + ") but pool '" + pool.name() + "' has " + count(internal) + " (" + internal +
                "): a port range maps offset by offset onto a range of the same length",
                "make both ranges the same length, e.g. " + rangeOfSize(internal.first(), external.size()) +
                    " for the pool" + at(pool.portsPosition()));
        }
        for (final TargetConfig target : pool.targets())
        {
            final PortRange own = target.ports();
            if (own != null && !own.isSingle() && own.size() != external.size())
            {
                error(target.position(), "target " + target.label(pool) + " of pool '" + pool.name() + "' has " +
                    count(own) + " but listener '" + listener.name() + "' binds " + count(external) + " (" +
                    external + ")", "make both ranges the same length, e.g. " +
                        Endpoint.literal(target.address()) + ":" + rangeOfSize(own.first(), external.size()));
            }
            if (own == null && internal == null)
            {
                error(target.position(), "target " + Endpoint.literal(target.address()) + " of pool '" + pool.name() +
                    "' has no port, and the pool has no 'port:' for it to take",
                    "add port: to the pool, or write the target as " + Endpoint.literal(target.address()) + ":PORT");
            }
        }
        if (internal != null && internal.isSingle() && !external.isSingle())
        {
            note(listener.bindPosition(), "listener '" + listener.name() + "' binds " + count(external) + " (" +
                external + "); all of them forward to internal port " + internal + " of pool '" + pool.name() + "'",
                null);
        }
    }

    private void checkHealthProtocol(final ListenerConfig listener, final PoolConfig pool)
    {
        final HealthConfig health = pool.health();
        if (health == null || health.port() != null)
        {
            return;
        }
        final boolean udpService = listener.protocol() == Protocol.UDP;
        final boolean udpProbe = health.protocol() == HealthProtocol.UDP;
        if (udpService != udpProbe)
        {
            final String port = pool.ports() != null ? pool.ports().toString() : "the traffic port";
            error(health.position(), "pool '" + pool.name() + "' serves " + listener.protocol() + " listener '" +
                listener.name() + "' but its health probe is " + health.protocol() + " on the traffic port " + port +
                ": the probe tests a " + (udpProbe ? "UDP" : "TCP") + " service the targets may not run, so it " +
                "can fail while traffic would flow, or pass while traffic fails",
                udpService ? "use health.protocol: udp (with send: and expect:), or set health.port: to the port " +
                    "where the targets serve " + health.protocol() + " (it may be the traffic port itself)" :
                    "use health.protocol: tcp or http, or set health.port: to the port where the targets answer UDP");
        }
    }

    private void checkOverlaps()
    {
        final List<ListenerConfig> listeners = config.listeners();
        for (int i = 0; i < listeners.size(); i++)
        {
            final ListenerConfig b = listeners.get(i);
            for (int j = 0; j < i; j++)
            {
                final ListenerConfig a = listeners.get(j);
                if (a.protocol() == b.protocol() && a.bind().ports().overlaps(b.bind().ports()) &&
                    addressesOverlap(a.bind().address(), b.bind().address()))
                {
                    error(b.bindPosition(), "listener '" + b.name() + "' (" + b.protocol() + " " + b.bind() +
                        ") overlaps listener '" + a.name() + "' (" + a.protocol() + " " + a.bind() + ")" +
                        at(a.bindPosition()), "give each listener its own ports, or bind them to different " +
                        "specific addresses (a wildcard address overlaps every address)");
                }
            }
        }
    }

    private void checkTargets(final PoolConfig pool)
    {
        for (int i = 0; i < pool.targets().size(); i++)
        {
            final TargetConfig target = pool.targets().get(i);
            if (target.weight() <= 0)
            {
                error(target.weightPosition().isKnown() ? target.weightPosition() : target.position(),
                    "target " + target.label(pool) + " of pool '" + pool.name() + "' has weight " + target.weight(),
                    "weights must be 1 or more; to stop sending it traffic, remove it or drain it");
            }
            if (target.weight() > TargetConfig.MAX_WEIGHT)
            {
                error(target.weightPosition().isKnown() ? target.weightPosition() : target.position(),
                    "target " + target.label(pool) + " of pool '" + pool.name() + "' has weight " + target.weight() +
                        ", above the largest weight " + TargetConfig.MAX_WEIGHT,
                    "weights are relative: scale them down, e.g. 1-100");
            }
            final PortRange ports = target.effectivePorts(pool);
            if (ports == null)
            {
                continue;
            }
            for (int j = 0; j < i; j++)
            {
                final TargetConfig other = pool.targets().get(j);
                final PortRange otherPorts = other.effectivePorts(pool);
                if (otherPorts != null && other.address().equals(target.address()) && otherPorts.overlaps(ports))
                {
                    error(target.position(), "pool '" + pool.name() + "' lists target " + target.label(pool) +
                        " twice" + at(other.position()), "remove the duplicate; to send it more traffic, give " +
                        "it a weight: and use balance: weighted");
                }
            }
        }
    }

    private void checkHealth(final PoolConfig pool)
    {
        final HealthConfig health = pool.health();
        if (health == null)
        {
            return;
        }
        if (health.timeout().compareTo(health.interval()) > 0)
        {
            warning(health.position(), "pool '" + pool.name() + "' health timeout " +
                Units.formatDuration(health.timeout()) + " is longer than its interval " +
                Units.formatDuration(health.interval()), "probes would overlap; make the timeout shorter");
        }
        if (health.port() != null && pool.ports() != null && !pool.ports().contains(health.port()))
        {
            note(health.portPosition(), "pool '" + pool.name() + "' is probed on health port " + health.port() +
                ", not on its traffic port " + pool.ports(), "a passing probe there does not prove the traffic port " +
                "works; `portgate check --live` tests both");
        }
        if (health.protocol() != HealthProtocol.HTTP && (health.path() != null &&
            !health.path().equals(HealthConfig.DEFAULT_PATH)))
        {
            warning(health.position(), "pool '" + pool.name() + "' health sets path: but its protocol is " +
                health.protocol(), "path: applies to protocol: http only");
        }
    }

    private void checkLoops()
    {
        for (final ListenerConfig listener : config.listeners())
        {
            final PoolConfig pool = config.poolOf(listener);
            if (pool == null)
            {
                continue;
            }
            for (final TargetConfig target : pool.targets())
            {
                final PortRange ports = target.effectivePorts(pool);
                if (ports == null)
                {
                    continue;
                }
                for (final ListenerConfig other : config.listeners())
                {
                    if (other.protocol() == listener.protocol() && other.bind().ports().overlaps(ports) &&
                        receivesTrafficFor(other.bind(), target.address()))
                    {
                        error(target.position(), "target " + target.label(pool) + " of pool '" + pool.name() +
                            "' is the balancer's own listener '" + other.name() + "' (" + other.protocol() + " " +
                            other.bind() + "): traffic would loop through portgate forever",
                            "point the target at the internal port the service itself listens on");
                    }
                }
            }
        }
    }

    private boolean receivesTrafficFor(final Endpoint bind, final InetAddress target)
    {
        if (bind.address().equals(target))
        {
            return true;
        }
        return bind.isWildcard() && familyCovers(bind.address(), target) && host.isLocalAddress(target);
    }

    private static boolean addressesOverlap(final InetAddress a, final InetAddress b)
    {
        if (a.equals(b))
        {
            return true;
        }
        return (a.isAnyLocalAddress() && familyCovers(a, b)) || (b.isAnyLocalAddress() && familyCovers(b, a));
    }

    // A wildcard :: socket is dual-stack on Linux by default, so it covers IPv4 addresses too; 0.0.0.0 covers IPv4 only.
    private static boolean familyCovers(final InetAddress wildcard, final InetAddress other)
    {
        return wildcard instanceof java.net.Inet6Address || other instanceof java.net.Inet4Address;
    }

    private String poolHint(final String missing)
    {
        final String closest = Suggest.closest(missing, config.pools().keySet());
        if (closest != null)
        {
            return "did you mean '" + closest + "'?";
        }
        return config.pools().isEmpty() ? "define it under pools:" :
            "define it under pools:, or use one of: " + String.join(", ", config.pools().keySet());
    }

    private static String count(final PortRange ports)
    {
        return ports.size() == 1 ? "1 port" : ports.size() + " ports";
    }

    private static String rangeOfSize(final int first, final int size)
    {
        final int last = first + size - 1;
        return size == 1 ? Integer.toString(first) : first + "-" + last;
    }

    private static String at(final Position position)
    {
        return position.isKnown() ? " (line " + position.line() + ")" : "";
    }

    private void error(final Position at, final String message, final String hint)
    {
        out.add(new Diagnostic(Severity.ERROR, config.source(), at, message, hint));
    }

    private void warning(final Position at, final String message, final String hint)
    {
        out.add(new Diagnostic(Severity.WARNING, config.source(), at, message, hint));
    }

    private void note(final Position at, final String message, final String hint)
    {
        out.add(new Diagnostic(Severity.NOTE, config.source(), at, message, hint));
    }
}
