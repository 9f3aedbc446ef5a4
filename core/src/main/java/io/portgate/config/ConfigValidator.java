package io.portgate.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
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
    private static final int MAX_ADDRESSES_SHOWN = 12;

    private final PortgateConfig config;
    private final HostFacts host;
    private final io.portgate.spi.Extensions extensions;
    private final List<Diagnostic> out = new ArrayList<>();

    private ConfigValidator(final PortgateConfig config, final HostFacts host,
        final io.portgate.spi.Extensions extensions)
    {
        this.config = config;
        this.host = host;
        this.extensions = java.util.Objects.requireNonNull(extensions, "extensions");
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
        return validate(config, host, io.portgate.spi.Extensions.none());
    }

    /**
     * Validates a configuration that may select registered balancing policies and health probes by name.
     *
     * @param config     the configuration.
     * @param host       the machine's facts.
     * @param extensions the policies and probes a pool may name.
     * @return errors, warnings and notes, in the order of the file.
     */
    public static List<Diagnostic> validate(final PortgateConfig config, final HostFacts host,
        final io.portgate.spi.Extensions extensions)
    {
        final ConfigValidator v = new ConfigValidator(config, host, extensions);
        v.run();
        return List.copyOf(v.out);
    }

    private void run()
    {
        checkAdmin();
        checkListenerNames();
        checkLimits();
        final Set<String> usedPools = new HashSet<>();
        for (final ListenerConfig listener : config.listeners())
        {
            checkListenerSettings(listener);
            if (listener.bind() != null)
            {
                checkListenerPorts(listener);
                checkUdpReplyAddress(listener);
            }
            final PoolConfig pool = config.poolOf(listener);
            if (pool == null)
            {
                if (listener.pool() != null)
                {
                    error(listener.poolPosition(), name(listener) + " forwards to pool " + Quote.of(listener.pool()) +
                        ", which does not exist", poolHint(listener.pool()));
                }
                else if (!listener.position().isKnown())
                {
                    // Built in code. From a file, the parser has reported the missing key where it belongs.
                    error(listener.position(), name(listener) + " names no pool", "set the pool it forwards to");
                }
                continue;
            }
            usedPools.add(pool.name());
            if (listener.bind() != null)
            {
                checkMapping(listener, pool);
            }
            checkHealthProtocol(listener, pool);
        }
        checkOverlaps();
        for (final PoolConfig pool : config.pools().values())
        {
            checkPoolName(pool);
            if (!usedPools.contains(pool.name()))
            {
                warning(pool.position(), name(pool) + " is not used by any listener",
                    "add a listener with pool: " + Quote.visible(pool.name()) + ", or remove the pool");
            }
            checkTargets(pool);
            checkExtensions(pool);
            checkHealth(pool);
        }
        checkLoops();
        checkOpenFiles();
    }

    private static String name(final ListenerConfig listener)
    {
        return "listener " + Quote.of(listener.name());
    }

    private static String name(final PoolConfig pool)
    {
        return "pool " + Quote.of(pool.name());
    }

    /** Listeners whose bind could be read; the others were reported where they are written. */
    private List<ListenerConfig> bound()
    {
        return config.listeners().stream().filter(l -> l.bind() != null).toList();
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
        checkLocal(admin, config.adminPosition(), "admin");
        for (final ListenerConfig listener : config.listeners())
        {
            if (listener.protocol() == Protocol.TCP && listener.bind() != null &&
                addressesOverlap(listener.bind().address(), admin.address()) &&
                listener.bind().ports().overlaps(admin.ports()))
            {
                error(config.adminPosition(), "admin " + admin + " takes the port of " + name(listener) + " (" +
                    listener.bind() + ")", "give the admin endpoint a port of its own");
            }
        }
    }

    private void checkListenerNames()
    {
        final Map<String, ListenerConfig> seen = new HashMap<>();
        for (final ListenerConfig listener : config.listeners())
        {
            checkName(listener.name(), "listener", listener.position());
            final ListenerConfig first = seen.putIfAbsent(listener.name(), listener);
            if (first != null)
            {
                error(listener.position(), "two listeners are named " + Quote.of(listener.name()) +
                    at(first.position()), "give each listener a unique name; metrics and logs tell them apart by it");
            }
        }
    }

    private void checkPoolName(final PoolConfig pool)
    {
        checkName(pool.name(), "pool", pool.position());
    }

    // A name is a column of `ports` and `stat`, a label of every metric and a word of log lines: a newline would
    // split a table row, an empty one leaves a blank cell that reads as missing data.
    private void checkName(final String name, final String what, final Position at)
    {
        if (name == null || name.isBlank())
        {
            error(at, "a " + what + " has " + (name == null ? "no" : "an empty") + " name",
                "give it a name of letters, digits and dashes, e.g. web");
            return;
        }
        final int control = Quote.firstControl(name);
        if (control >= 0)
        {
            error(at, what + " name " + Quote.of(name) + " holds a control character (" +
                String.format("U+%04X", (int)name.charAt(control)) + " at position " + (control + 1) + ")",
                "names appear in tables, logs and metric labels: use letters, digits, dashes and dots");
        }
    }

    /** Limits a configuration built in code can exceed; the parser holds values read from a file to them. */
    private void checkLimits()
    {
        checkDuration(config.drainTimeout(), Duration.ZERO, PortgateConfig.MAX_DRAIN_TIMEOUT, "drain-timeout",
            Position.NONE);
        if (config.bufferMemory() < PortgateConfig.MIN_BUFFER_MEMORY ||
            config.bufferMemory() > PortgateConfig.MAX_BUFFER_MEMORY)
        {
            error(Position.NONE, "buffer-memory " + config.bufferMemory() + " is outside " +
                Units.formatSize(PortgateConfig.MIN_BUFFER_MEMORY) + "-" +
                Units.formatSize(PortgateConfig.MAX_BUFFER_MEMORY), null);
        }
        for (final PoolConfig pool : config.pools().values())
        {
            checkDuration(pool.slowStart(), Duration.ZERO, PoolConfig.MAX_SLOW_START,
                name(pool) + " slow-start", pool.position());
            if (pool.health() != null)
            {
                checkDuration(pool.health().interval(), Duration.ofNanos(1), HealthConfig.MAX_DURATION,
                    name(pool) + " health interval", pool.health().position());
                checkDuration(pool.health().timeout(), Duration.ofNanos(1), HealthConfig.MAX_DURATION,
                    name(pool) + " health timeout", pool.health().position());
            }
        }
    }

    private void checkListenerSettings(final ListenerConfig listener)
    {
        if (listener.bind() == null && !listener.position().isKnown())
        {
            // Built in code. From a file, the parser has reported a missing or unreadable bind where it belongs.
            error(listener.position(), name(listener) + " binds nothing", "set the address and port it listens on");
        }
        checkDuration(listener.connectTimeout(), Duration.ofNanos(1), ListenerConfig.MAX_TIMEOUT,
            name(listener) + " connect-timeout", listener.position());
        checkDuration(listener.idleTimeout(), Duration.ofNanos(1), ListenerConfig.MAX_TIMEOUT,
            name(listener) + " idle-timeout", listener.position());
        if (listener.protocol() == Protocol.TCP && 2L * listener.bufferSize() > config.bufferMemory())
        {
            error(listener.position(), name(listener) + " buffer-size " + Units.formatSize(listener.bufferSize()) +
                " needs " + Units.formatSize(2L * listener.bufferSize()) + " per connection (one buffer each way), " +
                "more than buffer-memory " + Units.formatSize(config.bufferMemory()) + " for all of them: no " +
                "connection could move a byte", "raise buffer-memory, or lower buffer-size");
        }
    }

    private void checkDuration(final Duration value, final Duration min, final Duration max, final String what,
        final Position at)
    {
        if (value == null)
        {
            error(at, what + " is not set", null);
        }
        else if (value.compareTo(min) < 0 || value.compareTo(max) > 0)
        {
            error(at, what + " is " + (value.isNegative() ? value.toString() : Units.formatDuration(value)) +
                ", outside " + Units.formatDuration(min) + "-" + Units.formatDuration(max), null);
        }
    }

    private void checkListenerPorts(final ListenerConfig listener)
    {
        final PortRange ports = listener.bind().ports();
        checkPrivileged(ports, listener.bindPosition(), name(listener));
        checkLocal(listener.bind(), listener.bindPosition(), name(listener));
        final PortRange ephemeral = host.ephemeralPorts();
        if (ports.overlaps(ephemeral))
        {
            warning(listener.bindPosition(), name(listener) + " port " + ports +
                " lies in the kernel's ephemeral port range " + ephemeral +
                ", which it hands to outgoing connections (including portgate's own to targets): the listener may " +
                "fail to bind, or take a port an outgoing connection needed",
                "choose a port below " + ephemeral.first() + " or above " + ephemeral.last() +
                    ", or narrow net.ipv4.ip_local_port_range");
        }
    }

    /**
     * A UDP listener on the wildcard answers from the address each datagram arrived on only through the batched path
     * (IP_PKTINFO); on plain NIO {@code run} refuses it, so {@code check} does too, for the same reason.
     */
    private void checkUdpReplyAddress(final ListenerConfig listener)
    {
        if (listener.protocol() != Protocol.UDP || !listener.bind().isWildcard() ||
            (config.udpBatching() != FastPath.OFF && host.udpBatchingWorks()))
        {
            return;
        }
        final boolean off = config.udpBatching() == FastPath.OFF;
        error(listener.bindPosition(), name(listener) + " binds UDP to the wildcard " + listener.bind() + ", but " +
            (off ? "fast-paths.udp-batching is off" : "recvmmsg/sendmmsg do not work on this host") +
            ": without the batched path a reply cannot name the address its client sent to, so it would leave " +
            "from whichever address the kernel picks and a client on a connected socket would drop it",
            "bind the listener to each address it should answer on (one listener per address)" +
                (off ? ", or set fast-paths.udp-batching: auto" : ""));
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

    // A socket binds only an address of this host (or any address, when the kernel allows non-local binds), and a
    // link-local IPv6 address only together with its interface.
    private void checkLocal(final Endpoint bind, final Position at, final String who)
    {
        final InetAddress address = bind.address();
        if (address.isAnyLocalAddress())
        {
            return;
        }
        if (address instanceof Inet6Address v6 && v6.isLinkLocalAddress() && v6.getScopeId() == 0 &&
            v6.getScopedInterface() == null)
        {
            final Set<String> interfaces = linkLocalInterfaces();
            error(at, who + " binds " + Endpoint.literal(address) + ", a link-local address, without naming its " +
                "interface", "write it with its interface, e.g. [" + Endpoint.ipv6(v6) + "%" +
                (interfaces.isEmpty() ? "eth0" : interfaces.iterator().next()) + "]; interfaces with a link-local " +
                "address: " + (interfaces.isEmpty() ? "none" : String.join(", ", interfaces)));
            return;
        }
        if (!host.isLocalAddress(address) && !host.allowsNonLocalBind(address))
        {
            error(at, who + " binds " + Endpoint.literal(address) + ", which is not an address of this host, so " +
                "it cannot listen there", "use one of this host's addresses: " + hostAddresses() +
                ", or " + (address instanceof Inet6Address ? "[::]" : "0.0.0.0") + " for all of them");
        }
    }

    private String hostAddresses()
    {
        final List<String> shown = new ArrayList<>();
        for (final InetAddress a : host.localAddresses())
        {
            if (shown.size() == MAX_ADDRESSES_SHOWN)
            {
                return String.join(", ", shown) + " and " + (host.localAddresses().size() - shown.size()) + " more";
            }
            shown.add(Endpoint.literal(a));
        }
        return shown.isEmpty() ? "(none found)" : String.join(", ", shown);
    }

    private Set<String> linkLocalInterfaces()
    {
        final Set<String> names = new java.util.TreeSet<>();
        for (final InetAddress a : host.localAddresses())
        {
            if (a instanceof Inet6Address v6 && v6.isLinkLocalAddress() && v6.getScopedInterface() != null)
            {
                names.add(v6.getScopedInterface().getName());
            }
        }
        return names;
    }

    private void checkMapping(final ListenerConfig listener, final PoolConfig pool)
    {
        final PortRange external = listener.bind().ports();
        final PortRange internal = pool.ports();
        if (internal != null && !internal.isSingle() && internal.size() != external.size())
        {
            error(listener.bindPosition(), name(listener) + " binds " + count(external) + " (" + external + ") but " +
                name(pool) + " has " + count(internal) + " (" + internal +
                "): a port range maps offset by offset onto a range of the same length",
                "make both ranges the same length, e.g. " + rangeOfSize(internal.first(), external.size()) +
                    " for the pool" + at(pool.portsPosition()));
        }
        for (final TargetConfig target : pool.targets())
        {
            final PortRange own = target.ports();
            if (own != null && !own.isSingle() && own.size() != external.size())
            {
                error(target.position(), "target " + target.label(pool) + " of " + name(pool) + " has " +
                    count(own) + " but " + name(listener) + " binds " + count(external) + " (" +
                    external + ")", "make both ranges the same length, e.g. " +
                        target.addressText() + ":" + rangeOfSize(own.first(), external.size()));
            }
            if (own == null && internal == null)
            {
                error(target.position(), "target " + target.addressText() + " of " + name(pool) +
                    " has no port, and the pool has no 'port:' for it to take",
                    "add port: to the pool, or write the target as " + target.addressText() + ":PORT");
            }
        }
        if (internal != null && internal.isSingle() && !external.isSingle())
        {
            note(listener.bindPosition(), name(listener) + " binds " + count(external) + " (" + external + "); all " +
                "of them forward to internal port " + internal + " of " + name(pool), null);
        }
    }

    /** A policy or probe named in code must exist; from a file, the parser has reported an unknown name already. */
    private void checkExtensions(final PoolConfig pool)
    {
        if (pool.balance() == null || extensions.policy(pool.balance()) == null)
        {
            error(pool.position(), name(pool) + " balance " + Quote.of(String.valueOf(pool.balance())) + " is not a " +
                "balancing policy: the built-in ones are " + String.join(", ",
                io.portgate.balance.BalanceAlgorithm.configNames()) + (extensions.policyNames().isEmpty() ?
                ", and none is registered" : ", and registered: " + String.join(", ", extensions.policyNames())),
                "use one of those, or register the policy with Extensions.builder().policy and give the " +
                    "extensions to PortgateContext.extensions");
        }
        final HealthConfig health = pool.health();
        if (health != null && health.probe() != null && extensions.probe(health.probe()) == null)
        {
            error(health.position(), name(pool) + " health protocol " + Quote.of(health.probe()) + " is not a " +
                "registered health probe" + (extensions.probeNames().isEmpty() ? " (none is registered)" :
                " (registered: " + String.join(", ", extensions.probeNames()) + ")"), "register the probe with " +
                "Extensions.builder().probe and give the extensions to PortgateContext.extensions");
        }
    }

    private void checkHealthProtocol(final ListenerConfig listener, final PoolConfig pool)
    {
        final HealthConfig health = pool.health();
        if (health == null || health.port() != null || health.probe() != null)
        {
            return;
        }
        final boolean udpService = listener.protocol() == Protocol.UDP;
        final boolean udpProbe = health.protocol() == HealthProtocol.UDP;
        if (udpService != udpProbe)
        {
            final String port = pool.ports() != null ? pool.ports().toString() : "the traffic port";
            error(health.position(), name(pool) + " serves " + listener.protocol() + " " + name(listener) +
                " but its health probe is " + health.protocol() + " on the traffic port " + port +
                ": the probe tests a " + (udpProbe ? "UDP" : "TCP") + " service the targets may not run, so it " +
                "can fail while traffic would flow, or pass while traffic fails",
                udpService ? "use health.protocol: udp (with send: and expect:), or set health.port: to the port " +
                    "where the targets serve " + health.protocol() + " (it may be the traffic port itself)" :
                    "use health.protocol: tcp or http, or set health.port: to the port where the targets answer UDP");
        }
    }

    // Sorted by first port, each listener is compared only with those whose ports are not all below its own, so
    // distinct ports cost n log n; the later listener in the file is the one reported, naming the earlier.
    private void checkOverlaps()
    {
        final List<ListenerConfig> listeners = config.listeners();
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++)
        {
            if (listeners.get(i).bind() != null)
            {
                order.add(i);
            }
        }
        order.sort(java.util.Comparator.comparingInt((Integer i) -> listeners.get(i).bind().ports().first())
            .thenComparingInt(i -> i));
        final List<List<Integer>> found = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++)
        {
            found.add(null);
        }
        final List<Integer> open = new ArrayList<>();
        for (final int i : order)
        {
            final ListenerConfig b = listeners.get(i);
            open.removeIf(j -> listeners.get(j).bind().ports().last() < b.bind().ports().first());
            for (final int j : open)
            {
                final ListenerConfig a = listeners.get(j);
                if (a.protocol() == b.protocol() && addressesOverlap(a.bind().address(), b.bind().address()))
                {
                    final int later = Math.max(i, j);
                    if (found.get(later) == null)
                    {
                        found.set(later, new ArrayList<>());
                    }
                    found.get(later).add(Math.min(i, j));
                }
            }
            open.add(i);
        }
        for (int i = 0; i < listeners.size(); i++)
        {
            if (found.get(i) == null)
            {
                continue;
            }
            final List<Integer> earlier = found.get(i);
            earlier.sort(null);
            final ListenerConfig b = listeners.get(i);
            for (final int j : earlier)
            {
                final ListenerConfig a = listeners.get(j);
                error(b.bindPosition(), name(b) + " (" + b.protocol() + " " + b.bind() + ") overlaps " + name(a) +
                    " (" + a.protocol() + " " + a.bind() + ")" + at(a.bindPosition()), "give each listener its own " +
                    "ports, or bind them to different specific addresses (a wildcard address overlaps every address)");
            }
        }
    }

    private void checkTargets(final PoolConfig pool)
    {
        final List<TargetConfig> targets = pool.targets();
        // Targets grouped by address, then swept in port order: a duplicate is found in n log n, not by comparing
        // every pair (quadratic: 50,000 targets took 8 s), and a port range costs no more than one port.
        // Most addresses appear once: only those seen again get a list.
        // A named target that did not resolve is keyed by its name: written twice, it is a duplicate all the same.
        final Map<Object, Integer> firstAt = new HashMap<>(targets.size() * 2);
        final Map<Object, List<Integer>> byAddress = new HashMap<>();
        for (int i = 0; i < targets.size(); i++)
        {
            final TargetConfig target = targets.get(i);
            checkWeight(pool, target);
            if (target.effectivePorts(pool) != null)
            {
                final Object key = target.address() != null ? target.address() :
                    target.host().toLowerCase(java.util.Locale.ROOT);
                final Integer first = firstAt.putIfAbsent(key, i);
                if (first != null)
                {
                    byAddress.computeIfAbsent(key, a -> new ArrayList<>(List.of(first))).add(i);
                }
            }
        }
        final java.util.BitSet reported = new java.util.BitSet(targets.size());
        for (final List<Integer> group : byAddress.values())
        {
            group.sort(java.util.Comparator.comparingInt((Integer i) -> targets.get(i).effectivePorts(pool).first())
                .thenComparingInt(i -> i));
            int reach = group.getFirst();
            for (int k = 1; k < group.size(); k++)
            {
                final int i = group.get(k);
                final PortRange ports = targets.get(i).effectivePorts(pool);
                if (ports.first() <= targets.get(reach).effectivePorts(pool).last())
                {
                    final int later = Math.max(i, reach);
                    if (!reported.get(later))
                    {
                        reported.set(later);
                        final TargetConfig duplicate = targets.get(later);
                        error(duplicate.position(), name(pool) + " lists target " + duplicate.label(pool) + " twice" +
                            at(targets.get(Math.min(i, reach)).position()), "remove the duplicate; to send it more " +
                            "traffic, give it a weight: and use balance: weighted");
                    }
                }
                if (ports.last() > targets.get(reach).effectivePorts(pool).last())
                {
                    reach = i;
                }
            }
        }
    }

    private void checkWeight(final PoolConfig pool, final TargetConfig target)
    {
        final Position at = target.weightPosition().isKnown() ? target.weightPosition() : target.position();
        if (target.weight() <= 0)
        {
            error(at, "target " + target.label(pool) + " of " + name(pool) + " has weight " + target.weight(),
                "weights must be 1 or more; to stop sending it traffic, remove it or drain it");
        }
        if (target.weight() > TargetConfig.MAX_WEIGHT)
        {
            error(at, "target " + target.label(pool) + " of " + name(pool) + " has weight " + target.weight() +
                ", above the largest weight " + TargetConfig.MAX_WEIGHT, "weights are relative: scale them down, " +
                "e.g. 1-100");
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
            warning(health.position(), name(pool) + " health timeout " +
                Units.formatDuration(health.timeout()) + " is longer than its interval " +
                Units.formatDuration(health.interval()), "probes would overlap; make the timeout shorter");
        }
        if (health.port() != null && pool.ports() != null && !pool.ports().contains(health.port()))
        {
            note(health.portPosition(), name(pool) + " is probed on health port " + health.port() +
                ", not on its traffic port " + pool.ports(), "a passing probe there does not prove the traffic port " +
                "works; `portgate check --live` tests both");
        }
        if (health.probe() == null && health.protocol() != HealthProtocol.HTTP && (health.path() != null &&
            !health.path().equals(HealthConfig.DEFAULT_PATH)))
        {
            warning(health.position(), name(pool) + " health sets path: but its protocol is " +
                health.protocol(), "path: applies to protocol: http only");
        }
    }

    // Each target is checked once per protocol its pool serves, against only the listeners that bind one of its
    // ports: a bit set of the ports bound per protocol answers most targets with one look-up.
    private void checkLoops()
    {
        final Map<Protocol, java.util.BitSet> boundPorts = new java.util.EnumMap<>(Protocol.class);
        final Map<Protocol, List<ListenerConfig>> byProtocol = new java.util.EnumMap<>(Protocol.class);
        for (final ListenerConfig listener : bound())
        {
            final PortRange ports = listener.bind().ports();
            boundPorts.computeIfAbsent(listener.protocol(), p -> new java.util.BitSet(PortRange.MAX_PORT + 1))
                .set(ports.first(), ports.last() + 1);
            byProtocol.computeIfAbsent(listener.protocol(), p -> new ArrayList<>()).add(listener);
        }
        final Set<String> checked = new HashSet<>();
        for (final ListenerConfig listener : config.listeners())
        {
            final PoolConfig pool = config.poolOf(listener);
            if (pool == null || !checked.add(listener.protocol() + " " + pool.name()))
            {
                continue;
            }
            final java.util.BitSet ports = boundPorts.get(listener.protocol());
            for (final TargetConfig target : pool.targets())
            {
                final PortRange targetPorts = target.effectivePorts(pool);
                // A name that did not resolve has no address to loop through (yet); the loader warned about it.
                if (targetPorts == null || ports == null || target.address() == null)
                {
                    continue;
                }
                final int firstBound = ports.nextSetBit(targetPorts.first());
                if (firstBound < 0 || firstBound > targetPorts.last())
                {
                    continue;
                }
                for (final ListenerConfig other : byProtocol.get(listener.protocol()))
                {
                    if (other.bind().ports().overlaps(targetPorts) && receivesTrafficFor(other.bind(),
                        target.address()))
                    {
                        error(target.position(), "target " + target.label(pool) + " of " + name(pool) +
                            " is the balancer's own " + name(other) + " (" + other.protocol() + " " +
                            other.bind() + "): traffic would loop through portgate forever",
                            "point the target at the internal port the service itself listens on");
                    }
                }
            }
        }
    }

    // Past the open-file limit, accept() and socket() fail: new connections are reset and new UDP flows dropped
    // while the counters say the limits were not reached. HAProxy refuses to start; a warning lets a test run.
    private void checkOpenFiles()
    {
        final long limit = host.openFileLimit();
        final OpenFiles needed = OpenFiles.of(config);
        if (limit == HostFacts.UNLIMITED || needed.total() <= limit)
        {
            return;
        }
        final long raiseTo = Math.max(needed.total(), 1024);
        warning(Position.NONE, "this configuration may need " + needed.total() + " open files at its busiest (" +
            needed.describe() + "), but this process may open " + limit + " (its open-file limit, ulimit -n): " +
            "past it, new connections are reset and new UDP flows dropped", "raise the limit to at least " +
            raiseTo + " (ulimit -n " + raiseTo + " in the shell that starts portgate, LimitNOFILE=" + raiseTo +
            " in its systemd unit), or lower max-connections or max-flows");
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
            return "did you mean " + Quote.of(closest) + "?";
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
