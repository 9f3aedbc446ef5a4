package io.portgate.config;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.Setting.Kind;
import io.portgate.config.Setting.Scope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of the configuration file, in one table: key, kind, range, default, whether a reload applies it, and
 * its documentation. {@link ConfigParser} reads keys by it and lists the allowed ones from it, {@link ConfigDiff}
 * compares by it, {@link #keepRestartOnly} keeps the running value of what needs a restart, and the README's
 * "Configuration reference" shows it ({@code SettingsReadmeTest} fails when the two disagree).
 */
public final class Settings
{
    /** The top level. */
    public static final List<Setting<PortgateConfig, PortgateConfig.Builder>> TOP = List.of(
        top("workers", Kind.NUMBER).range(1, 1024)
            .byDefault(PortgateConfig::defaultWorkers, "number of cores").restart()
            .access(PortgateConfig::workers, PortgateConfig.Builder::workers)
            .doc("forwarder threads, 1-1024").build(),
        top("admin", Kind.OTHER).shownDefault("none: nothing listens").restart()
            .access(PortgateConfig::admin, PortgateConfig.Builder::admin)
            .doc("`address:port` of the admin and metrics endpoint. A non-loopback address requires `admin-token`")
            .build(),
        top("admin-token", Kind.OTHER).shownDefault("none").restart().secret()
            .access(PortgateConfig::adminToken, PortgateConfig.Builder::adminToken)
            .doc("token that mutating admin calls from outside loopback must carry").build(),
        top("metrics-file", Kind.OTHER)
            .shownDefault("`/dev/shm/portgate-USER/portgate.metrics` for `portgate run`; memory only when embedded")
            .restart().notCompared()
            .access(PortgateConfig::metricsFile, PortgateConfig.Builder::metricsFile)
            .doc("the memory-mapped counters file that `portgate stat` reads").build(),
        top("idle-strategy", Kind.CHOICE).values(IdleStrategyName.values())
            .byDefault(PortgateConfig.DEFAULT_IDLE_STRATEGY)
            .restart().access(PortgateConfig::idleStrategy, PortgateConfig.Builder::idleStrategy)
            .doc("how loop threads wait when idle: `block` (sleep in `epoll_wait`, woken at once by the kernel, as " +
                "HAProxy and nginx do), `backoff` (spin, yield, then park), `spin` (pinned latency-critical cores, " +
                "burns a core), `sleep`").build(),
        top("drain-timeout", Kind.DURATION).atMost(PortgateConfig.MAX_DRAIN_TIMEOUT)
            .byDefault(PortgateConfig.DEFAULT_DRAIN_TIMEOUT)
            .access(PortgateConfig::drainTimeout, PortgateConfig.Builder::drainTimeout)
            .doc("on stop, how long open connections may take to finish before they are closed; at most `365d`")
            .build(),
        top("drain-announce", Kind.DURATION).atMost(PortgateConfig.MAX_DRAIN_TIMEOUT)
            .byDefault(PortgateConfig.DEFAULT_DRAIN_ANNOUNCE)
            .access(PortgateConfig::drainAnnounce, PortgateConfig.Builder::drainAnnounce)
            .doc("on SIGTERM or SIGINT, `portgate run` first answers `GET /api/health` with 503 \"stopping\" for " +
                "this long while it still serves everything (so that keepalived, BIRD or ExaBGP move traffic away " +
                "first), then closes its listeners and drains; `0s` closes them at once; at most `365d`").build(),
        top("max-connections", Kind.NUMBER).range(1, Integer.MAX_VALUE)
            .byDefault(PortgateConfig.DEFAULT_MAX_CONNECTIONS)
            .access(PortgateConfig::maxConnections, PortgateConfig.Builder::maxConnections)
            .doc("open TCP connections over all listeners; past it new ones are closed at once and counted. Each " +
                "holds two open files: see \"What validation catches\" for the open-file limit").build(),
        top("buffer-memory", Kind.SIZE).range(PortgateConfig.MIN_BUFFER_MEMORY, PortgateConfig.MAX_BUFFER_MEMORY)
            .byDefault(PortgateConfig.DEFAULT_BUFFER_MEMORY).restart()
            .access(PortgateConfig::bufferMemory, PortgateConfig.Builder::bufferMemory)
            .doc("connection buffer memory over all workers, `64k`-`1024g`; must hold one connection's two buffers " +
                "(`2 x buffer-size`)").build(),
        top("fast-paths", Kind.OTHER).shownDefault("").notCompared().doc("the fast paths, below").build(),
        top("resolvers", Kind.OTHER).shownDefault("none: the system resolver")
            .access(PortgateConfig::resolvers, PortgateConfig.Builder::resolvers)
            .doc("DNS servers that look up targets written as host names, asked in this order: a list of " +
                "`address:port` (`[10.0.0.53:53, \"[2001:db8::53]:53\"]`; the port is 53 when left out). IP addresses " +
                "only; a name, a port range or a server listed twice is an error. Named servers are asked the name as " +
                "written, fully qualified; the system resolver is `/etc/hosts` (every address it lists for the name), " +
                "then the nameservers (at most 3), `search` or `domain`, and `options ndots: timeout: attempts:` of " +
                "`/etc/resolv.conf` (`LOCALDOMAIN` and `RES_OPTIONS` override them, as for every program), both files " +
                "read again at the next lookup when they change").build(),
        top("log-level", Kind.CHOICE).values(LogLevel.values()).byDefault(PortgateConfig.DEFAULT_LOG_LEVEL)
            .restart().access(PortgateConfig::logLevel, PortgateConfig.Builder::logLevel)
            .doc("the least severe line `portgate run` logs to stderr: `error`, `warn`, `info`, `debug`").build(),
        top("log-format", Kind.CHOICE).values(LogFormat.values()).byDefault(PortgateConfig.DEFAULT_LOG_FORMAT)
            .restart().access(PortgateConfig::logFormat, PortgateConfig.Builder::logFormat)
            .doc("how `portgate run` writes every line to stderr (its log, the file's warnings, a rejected " +
                "reload): `text` (`2026-11-28T21:30:00.123Z INFO  message`) or `json` (one object per line: `time` in " +
                "ISO-8601 UTC, `level`, `logger`, `message`, and `error` when an exception is logged)")
            .build(),
        top("listeners", Kind.OTHER).shownDefault("required").notCompared().doc("list of listeners, below").build(),
        top("pools", Kind.OTHER).shownDefault("required").notCompared().doc("map of pool name to pool, below").build());

    /** Under {@code fast-paths:}. */
    public static final List<Setting<PortgateConfig, PortgateConfig.Builder>> FAST_PATHS = List.of(
        fastPath("splice", PortgateConfig.DEFAULT_SPLICE, PortgateConfig::splice, PortgateConfig.Builder::splice,
            "TCP `splice(2)` through Panama: `auto` (when the start-up probe works), `on` (required), `off`. Off by " +
                "default: on these machines copying answered small round trips sooner and splice only paid for " +
                "64 KiB chunks (`perf-results/README.md`); turn it on for bulk transfers"),
        fastPath("udp-batching", PortgateConfig.DEFAULT_UDP_BATCHING, PortgateConfig::udpBatching, PortgateConfig.Builder::udpBatching,
            "UDP `recvmmsg`/`sendmmsg` batches: `auto`, `on`, `off`"),
        fastPath("udp-gso", PortgateConfig.DEFAULT_UDP_GSO, PortgateConfig::udpGso, PortgateConfig.Builder::udpGso,
            "UDP `UDP_SEGMENT` for runs of equal-sized datagrams: `auto`, `on`, `off`"));

    /** An item of {@code listeners:}. */
    public static final List<Setting<ListenerConfig, ListenerConfig.Builder>> LISTENER = List.of(
        listener("name", Kind.OTHER).shownDefault("required").notCompared()
            .doc("unique name; metrics, logs and `ports` use it").build(),
        listener("protocol", Kind.CHOICE).values(Protocol.values()).byDefault(ListenerConfig.DEFAULT_PROTOCOL)
            .access(ListenerConfig::protocol, ListenerConfig.Builder::protocol).doc("`tcp` or `udp`").build(),
        listener("bind", Kind.OTHER).shownDefault("required").access(ListenerConfig::bind, (b, v) -> { })
            .doc("`address:port` or `address:first-last`. `0.0.0.0` is every IPv4 address, `[::]` every address " +
                "(dual stack), `127.0.0.1` loopback only; any other address must be one of this host's (a " +
                "link-local IPv6 address with its interface, `[fe80::1%eth0]`)").build(),
        listener("pool", Kind.OTHER).shownDefault("required").access(ListenerConfig::pool, (b, v) -> { })
            .doc("the pool it forwards to").build(),
        listener("max-connections", Kind.NUMBER).range(1, Integer.MAX_VALUE)
            .byDefault(ListenerConfig.DEFAULT_MAX_CONNECTIONS)
            .access(ListenerConfig::maxConnections, ListenerConfig.Builder::maxConnections)
            .doc("tcp: open connections of this listener").build(),
        listener("connect-timeout", Kind.POSITIVE_DURATION).byDefault(ListenerConfig.DEFAULT_CONNECT_TIMEOUT)
            .access(ListenerConfig::connectTimeout, ListenerConfig.Builder::connectTimeout)
            .doc("tcp: connecting to a target; then the next target is tried; at most `365d`").build(),
        listener("connect-attempts", Kind.NUMBER).range(1, 100).byDefault(ListenerConfig.DEFAULT_CONNECT_ATTEMPTS)
            .access(ListenerConfig::connectAttempts, ListenerConfig.Builder::connectAttempts)
            .doc("tcp: targets tried for one client connection before it is closed").build(),
        listener("idle-timeout", Kind.POSITIVE_DURATION).shownDefault("`1h` (tcp), `30s` (udp)")
            .access(ListenerConfig::idleTimeout, ListenerConfig.Builder::idleTimeout)
            .doc("a connection or flow quiet this long is closed; at most `365d`").build(),
        listener("backlog", Kind.NUMBER).range(1, 65535).byDefault(ListenerConfig.DEFAULT_BACKLOG)
            .access(ListenerConfig::backlog, ListenerConfig.Builder::backlog).doc("tcp: listen backlog").build(),
        socketBuffer("send-buffer", ListenerConfig::sendBuffer, ListenerConfig.Builder::sendBuffer),
        socketBuffer("receive-buffer", ListenerConfig::receiveBuffer, ListenerConfig.Builder::receiveBuffer),
        listener("buffer-size", Kind.SIZE).range(1024, Integer.MAX_VALUE).byDefault(ListenerConfig.DEFAULT_BUFFER_SIZE)
            .access(ListenerConfig::bufferSize, ListenerConfig.Builder::bufferSize)
            .doc("tcp: bytes buffered per direction per connection (memory per connection is at most twice this), " +
                "`1k`-`2147483647`").build(),
        listener("affinity", Kind.CHOICE).values(Affinity.values()).byDefault(ListenerConfig.DEFAULT_AFFINITY)
            .access(ListenerConfig::affinity, ListenerConfig.Builder::affinity)
            .doc("udp: `flow` (one target per client address and port), `client` (per client IP; with a `balance` " +
                "that does not hash, the pick is a source-hash over the pool's weights, so every worker agrees), " +
                "`packet` (every datagram picks anew; replies still return to the sender)").build(),
        listener("max-flows", Kind.NUMBER).range(1, 16_777_216).byDefault(ListenerConfig.DEFAULT_MAX_FLOWS)
            .access(ListenerConfig::maxFlows, ListenerConfig.Builder::maxFlows)
            .doc("udp: flows per worker; at the maximum the longest-idle flow is evicted and counted. Each flow " +
                "holds a socket to its target (one per target it used, with `affinity: packet`)").build(),
        listener("first-byte-latency", Kind.FLAG).byDefault(false)
            .access(ListenerConfig::firstByteLatency, ListenerConfig.Builder::firstByteLatency)
            .doc("tcp: record each connection's first-byte time (from the client's first bytes reaching the target, " +
                "or from the connect when the target speaks first, to the target's first bytes reaching the client) " +
                "in a per-worker HdrHistogram; `/metrics` shows it as the summary " +
                "`portgate_tcp_first_byte_seconds{listener}`").build());

    /** Listener keys that only TCP listeners use. */
    public static final List<String> TCP_ONLY = List.of(
        "max-connections", "connect-timeout", "connect-attempts", "backlog", "buffer-size", "first-byte-latency");
    /** Listener keys that only UDP listeners use. */
    public static final List<String> UDP_ONLY = List.of("affinity", "max-flows");

    /** An entry of {@code pools:}. */
    public static final List<Setting<PoolConfig, PoolConfig.Builder>> POOL = List.of(
        pool("port", Kind.OTHER).shownDefault("none").access(PoolConfig::ports, PoolConfig.Builder::ports)
            .doc("the internal port (or `first-last` range) targets listen on; a target without its own port takes " +
                "it").build(),
        pool("balance", Kind.CHOICE).values(BalanceAlgorithm.values()).byDefault(PoolConfig.DEFAULT_BALANCE)
            .access(PoolConfig::balance, PoolConfig.Builder::balance)
            .doc("`round-robin` (smooth weighted round robin, as nginx's default and HAProxy's `roundrobin`: each " +
                "target as often as its weight, interleaved), `weighted` (another name for `round-robin`, still " +
                "accepted), `least-conn` (fewest open connections per unit of weight, as HAProxy's `leastconn`; ties " +
                "go by weighted round robin, as nginx's `least_conn`), `p2c` (power of two choices: two targets drawn " +
                "by weight, the one with fewer connections per unit of weight wins), `source-hash` (a client's " +
                "address picks the target, each target owning a share of the hash range as large as its weight), " +
                "`maglev` (consistent hashing over a table in which each target owns entries in proportion to its " +
                "weight). Every policy, and every UDP `affinity`, picks by the weights in force: `weight:`, an " +
                "operator's `weight` call and the `slow-start` ramp. An embedder may register policies of its own by " +
                "name (see \"Embedding\")").build(),
        pool("targets", Kind.OTHER).shownDefault("required").notCompared()
            .doc("list of `address`, `address:port`, or `{address: ..., weight: N}` (weight default 1, must be >= 1). " +
                "The address may be a host name: see \"Targets named by host name\"")
            .build(),
        pool("health", Kind.OTHER).shownDefault("none: passive detection only").notCompared()
            .doc("the active probe, below").build(),
        pool("on-down", Kind.CHOICE).values(OnDown.values()).byDefault(PoolConfig.DEFAULT_ON_DOWN)
            .access(PoolConfig::onDown, PoolConfig.Builder::onDown)
            .doc("open connections of a target that goes down: `keep` or `close`").build(),
        pool("when-all-down", Kind.CHOICE).values(AllDown.values()).byDefault(PoolConfig.DEFAULT_ALL_DOWN)
            .access(PoolConfig::allDown, PoolConfig.Builder::allDown)
            .doc("when every target is down: `reject` (refuse and count) or `fail-open` (spread over all)").build(),
        pool("slow-start", Kind.DURATION).atMost(PoolConfig.MAX_SLOW_START).byDefault(Duration.ZERO)
            .access(PoolConfig::slowStart, PoolConfig.Builder::slowStart)
            .doc("a recovered target's weight ramps up over this time; at most `12h` (the ramp's arithmetic is exact " +
                "up to 16 hours at the largest weight)").build(),
        pool("resolve-interval", Kind.DURATION).atMost(PoolConfig.MAX_RESOLVE_INTERVAL)
            .byDefault(PoolConfig.DEFAULT_RESOLVE_INTERVAL)
            .access(PoolConfig::resolveInterval, PoolConfig.Builder::resolveInterval)
            .doc("how often the pool's targets written as host names are looked up again; every A and AAAA record " +
                "is a target, and a change is applied as a reload is; `0s` looks them up once, at start; at most " +
                "`365d`: see below").build());

    /** A target written as a mapping. */
    public static final List<Setting<TargetConfig, Object>> TARGET = List.of(
        Setting.<TargetConfig, Object>of(Scope.TARGET, "address", Kind.OTHER).shownDefault("required")
            .doc("the target's address, with its own port or range or without").build(),
        Setting.<TargetConfig, Object>of(Scope.TARGET, "weight", Kind.NUMBER).byDefault(1)
            .doc("its weight, at least 1").build());

    /** The {@code health:} block of a pool. */
    public static final List<Setting<HealthConfig, HealthConfig.Builder>> HEALTH = List.of(
        health("protocol", Kind.CHOICE).values(HealthProtocol.values()).byDefault(HealthConfig.DEFAULT_PROTOCOL)
            .access(h -> h.probe() != null ? (Object)h.probe() : h.protocol(), Settings::protocolOrProbe)
            .doc("`tcp` (connect), `udp` (send `send`, expect a reply starting with `expect`; an ICMP " +
                "port-unreachable is a failure), `http` (GET `path`, expect `status`), or the name of a probe an " +
                "embedder registered (see \"Embedding\")").build(),
        health("port", Kind.OTHER).shownDefault("the target's traffic port")
            .access(HealthConfig::port, HealthConfig.Builder::port)
            .doc("probe this port instead; `ports` and `check` note it").build(),
        health("interval", Kind.POSITIVE_DURATION).atMost(HealthConfig.MAX_DURATION)
            .byDefault(HealthConfig.DEFAULT_INTERVAL).access(HealthConfig::interval, HealthConfig.Builder::interval)
            .doc("between probes of one target; at most `365d`").build(),
        health("timeout", Kind.POSITIVE_DURATION).atMost(HealthConfig.MAX_DURATION)
            .byDefault(HealthConfig.DEFAULT_TIMEOUT).access(HealthConfig::timeout, HealthConfig.Builder::timeout)
            .doc("for one probe; longer than `interval` is a warning; at most `365d`").build(),
        health("rise", Kind.NUMBER).range(1, 100).byDefault(HealthConfig.DEFAULT_RISE)
            .access(HealthConfig::rise, HealthConfig.Builder::rise)
            .doc("consecutive successes that bring a target up").build(),
        health("fall", Kind.NUMBER).range(1, 100).byDefault(HealthConfig.DEFAULT_FALL)
            .access(HealthConfig::fall, HealthConfig.Builder::fall)
            .doc("consecutive failures that take it down").build(),
        health("send", Kind.OTHER).byDefault(HealthConfig.DEFAULT_SEND)
            .access(HealthConfig::send, HealthConfig.Builder::send).doc("udp: the probe payload").build(),
        health("expect", Kind.OTHER).shownDefault("any reply")
            .access(HealthConfig::expect, HealthConfig.Builder::expect)
            .doc("udp: the prefix the reply must start with").build(),
        health("path", Kind.OTHER).byDefault(HealthConfig.DEFAULT_PATH)
            .access(HealthConfig::path, HealthConfig.Builder::path).doc("http: the path").build(),
        health("status", Kind.OTHER).byDefault(HealthConfig.DEFAULT_STATUS_MIN + "-" + HealthConfig.DEFAULT_STATUS_MAX)
            .access(h -> h.statusMin() + "-" + h.statusMax(), (b, v) -> { })
            .doc("http: accepted status or range").build());

    private Settings()
    {
    }

    /**
     * The keys allowed in a scope, in table order.
     *
     * @param settings the scope's settings.
     * @return the keys.
     */
    public static List<String> keys(final List<? extends Setting<?, ?>> settings)
    {
        return settings.stream().map(Setting::key).toList();
    }

    /**
     * Every setting the README documents, scope by scope in table order.
     *
     * @return the settings.
     */
    public static List<Setting<?, ?>> documented()
    {
        final List<Setting<?, ?>> all = new ArrayList<>();
        TOP.stream().filter(s -> !s.key().equals("fast-paths") && !s.key().equals("listeners") &&
            !s.key().equals("pools")).forEach(all::add);
        all.addAll(FAST_PATHS);
        TOP.stream().filter(s -> s.key().equals("listeners") || s.key().equals("pools")).forEach(all::add);
        all.addAll(LISTENER);
        all.addAll(POOL);
        all.addAll(HEALTH);
        return all;
    }

    /**
     * The top-level settings a reload does not apply: their running value is kept until a restart.
     *
     * @return their names, e.g. {@code fast-paths.splice}.
     */
    public static List<String> restartOnly()
    {
        final List<String> names = new ArrayList<>();
        for (final Setting<PortgateConfig, PortgateConfig.Builder> setting : global())
        {
            if (setting.onReload() == Setting.OnReload.RESTART)
            {
                names.add(setting.name());
            }
        }
        return names;
    }

    /**
     * The top-level and fast-path settings, in table order.
     *
     * @return the settings.
     */
    public static List<Setting<PortgateConfig, PortgateConfig.Builder>> global()
    {
        final List<Setting<PortgateConfig, PortgateConfig.Builder>> all = new ArrayList<>(TOP);
        all.addAll(FAST_PATHS);
        return all;
    }

    /**
     * What a reload runs: the requested configuration, but with the running value of every setting that needs a
     * restart. Each one whose value differs is named in {@code notes} ({@code workers 2 -> 4}; a secret only as
     * changed).
     *
     * @param running   the configuration running.
     * @param requested the configuration asked for.
     * @param notes     receives one line per setting kept at its running value.
     * @return the configuration to apply.
     */
    public static PortgateConfig keepRestartOnly(final PortgateConfig running, final PortgateConfig requested,
        final List<String> notes)
    {
        final PortgateConfig.Builder kept = requested.toBuilder().adminPosition(running.adminPosition());
        for (final Setting<PortgateConfig, PortgateConfig.Builder> setting : global())
        {
            if (setting.onReload() != Setting.OnReload.RESTART)
            {
                continue;
            }
            final Object before = setting.get(running);
            final Object after = setting.get(requested);
            if (!Objects.equals(before, after))
            {
                notes.add(setting.secret() ? setting.name() + " changed" : setting.name() + " " + before + " -> " +
                    after);
            }
            setting.set(kept, before);
        }
        return kept.build();
    }

    /**
     * The README's rows for the table of one heading: key, default, on reload, meaning. Settings that share their
     * default, reload behaviour and meaning (the socket buffers) share a row.
     *
     * @param heading the README heading, as {@link Scope#heading()}.
     * @return the rows, each its four cells.
     */
    public static List<List<String>> readmeRows(final String heading)
    {
        final List<List<String>> rows = new ArrayList<>();
        Setting<?, ?> previous = null;
        for (final Setting<?, ?> setting : documented())
        {
            if (!heading.equals(setting.scope().heading()))
            {
                continue;
            }
            if (previous != null && previous.scope() == setting.scope() && previous.doc().equals(setting.doc()) &&
                previous.defaultText().equals(setting.defaultText()) && previous.onReload() == setting.onReload())
            {
                final List<String> last = rows.getLast();
                last.set(0, last.get(0) + ", `" + setting.name() + "`");
                continue;
            }
            rows.add(new ArrayList<>(List.of("`" + setting.name() + "`", setting.defaultText(),
                setting.onReload().text(), setting.doc())));
            previous = setting;
        }
        return rows;
    }

    private static Setting.Builder<PortgateConfig, PortgateConfig.Builder> top(final String key, final Kind kind)
    {
        return Setting.of(Scope.TOP, key, kind);
    }

    private static Setting<PortgateConfig, PortgateConfig.Builder> fastPath(final String key, final FastPath value,
        final java.util.function.Function<PortgateConfig, FastPath> get,
        final java.util.function.BiConsumer<PortgateConfig.Builder, FastPath> set, final String doc)
    {
        // Fast paths are chosen once, when the workers start: a reload cannot switch a path under open connections.
        return Setting.<PortgateConfig, PortgateConfig.Builder>of(Scope.FAST_PATHS, key, Kind.CHOICE)
            .values(FastPath.values()).byDefault(value).restart().access(get, set).doc(doc).build();
    }

    private static Setting.Builder<ListenerConfig, ListenerConfig.Builder> listener(final String key, final Kind kind)
    {
        return Setting.of(Scope.LISTENER, key, kind);
    }

    private static Setting<ListenerConfig, ListenerConfig.Builder> socketBuffer(final String key,
        final java.util.function.Function<ListenerConfig, Integer> get,
        final java.util.function.BiConsumer<ListenerConfig.Builder, Integer> set)
    {
        return listener(key, Kind.SIZE).range(0, Integer.MAX_VALUE).byDefault(0).shownDefault("system default")
            .access(get, set).doc("`SO_SNDBUF` / `SO_RCVBUF` on every socket of the listener").build();
    }

    private static Setting.Builder<PoolConfig, PoolConfig.Builder> pool(final String key, final Kind kind)
    {
        return Setting.of(Scope.POOL, key, kind);
    }

    private static Setting.Builder<HealthConfig, HealthConfig.Builder> health(final String key, final Kind kind)
    {
        return Setting.of(Scope.HEALTH, key, kind);
    }

    /** A health protocol read as a built-in one or, by name, a registered probe. */
    private static void protocolOrProbe(final HealthConfig.Builder builder, final Object value)
    {
        if (value instanceof HealthProtocol protocol)
        {
            builder.protocol(protocol);
        }
        else
        {
            builder.probe((String)value);
        }
    }
}
