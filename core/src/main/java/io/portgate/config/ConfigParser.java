package io.portgate.config;

import io.portgate.balance.BalanceAlgorithm;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the YAML file into a {@link PortgateConfig}, strictly: an unknown key, a duplicate key, a wrong type or an
 * impossible value is an error naming the line and column. It reports every problem it finds, not only the first,
 * and never guesses: a field it cannot read keeps its default and the error stops the configuration from being used.
 * Cross-field checks (overlapping listeners, missing pools, forwarding loops...) are {@link ConfigValidator}'s.
 */
public final class ConfigParser
{
    /** Keys allowed at the top level. */
    public static final List<String> TOP_KEYS = List.of(
        "workers", "admin", "admin-token", "metrics-file", "idle-strategy", "drain-timeout", "max-connections", "buffer-memory",
        "fast-paths", "resolvers", "listeners", "pools");
    /** Keys allowed under {@code fast-paths:}. */
    public static final List<String> FAST_PATH_KEYS = List.of("splice", "udp-batching", "udp-gso");
    /** Keys allowed in a listener. */
    public static final List<String> LISTENER_KEYS = List.of(
        "name", "protocol", "bind", "pool", "max-connections", "connect-timeout", "connect-attempts", "idle-timeout",
        "backlog", "send-buffer", "receive-buffer", "buffer-size", "affinity", "max-flows", "first-byte-latency");
    /** Listener keys that only TCP listeners use. */
    public static final List<String> TCP_ONLY_KEYS = List.of(
        "max-connections", "connect-timeout", "connect-attempts", "backlog", "buffer-size", "first-byte-latency");
    /** Listener keys that only UDP listeners use. */
    public static final List<String> UDP_ONLY_KEYS = List.of("affinity", "max-flows");
    /** Keys allowed in a pool. */
    public static final List<String> POOL_KEYS = List.of(
        "port", "balance", "targets", "health", "on-down", "when-all-down", "slow-start", "resolve-interval");
    /** Keys allowed in a target written as a mapping. */
    public static final List<String> TARGET_KEYS = List.of("address", "weight");
    /** Keys allowed under {@code health:}. */
    public static final List<String> HEALTH_KEYS = List.of(
        "protocol", "port", "interval", "timeout", "rise", "fall", "send", "expect", "path", "status");

    /**
     * The deepest nesting of lists and mappings read. A configuration needs 5 levels; the YAML composer recurses
     * once per level, so a file of 10,000 '[' overflowed the stack instead of getting an error.
     */
    public static final int MAX_DEPTH = 50;

    private final String source;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Map<Node, Position> keyPositions = new java.util.IdentityHashMap<>();

    private ConfigParser(final String source)
    {
        this.source = source;
    }

    /** What parsing produced: a configuration (null when the file could not be read at all) and the findings. */
    public record Result(PortgateConfig config, List<Diagnostic> diagnostics)
    {
        /**
         * Whether any finding is an error.
         *
         * @return true when the configuration must not be used.
         */
        public boolean hasErrors()
        {
            return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR);
        }
    }

    /**
     * Parses YAML text.
     *
     * @param source the file name used in messages.
     * @param text   the YAML.
     * @return the configuration and what was found wrong with it.
     */
    public static Result parse(final String source, final String text)
    {
        final ConfigParser parser = new ConfigParser(source);
        final PortgateConfig config = parser.parseDocument(text);
        return new Result(config, List.copyOf(parser.diagnostics));
    }

    private PortgateConfig parseDocument(final String text)
    {
        if (text.length() > ConfigLoader.MAX_FILE_BYTES)
        {
            error(Position.NONE, "the configuration is " + text.length() + " characters, more than the limit of " +
                ConfigLoader.MAX_FILE_BYTES + " (" + Units.formatSize(ConfigLoader.MAX_FILE_BYTES) + ")",
                "a configuration that large is not one a person can check; split off what is not needed");
            return null;
        }
        final Optional<Node> root;
        try
        {
            // The reader's buffer holds the whole text: with the default 1 KiB, snakeyaml copies its window each
            // time a token runs past it, which made a 3 MB value take seconds (quadratic in the value's length).
            final LoadSettings settings = LoadSettings.builder().setLabel(source).setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(10).setCodePointLimit(ConfigLoader.MAX_FILE_BYTES)
                .setBufferSize(Math.max(1024, text.length() + 1)).build();
            root = new Composer(settings, new DepthLimit(new ParserImpl(settings, new StreamReader(settings, text))))
                .getSingleNode();
        }
        catch (final TooDeep ex)
        {
            error(ex.at, "the file nests lists and mappings more than " + MAX_DEPTH + " levels deep",
                "a configuration is at most 5 levels deep (pools: NAME: targets: - address:); check the brackets " +
                "and indentation here");
            return null;
        }
        catch (final MarkedYamlEngineException ex)
        {
            final Position at = ex.getProblemMark().map(ConfigParser::toPosition).orElse(Position.NONE);
            error(at, "the file is not valid YAML: " + ex.getProblem() +
                (ex.getContext() != null ? " " + ex.getContext() : ""), "check indentation, quotes and colons here");
            return null;
        }
        catch (final YamlEngineException ex)
        {
            error(Position.NONE, "the file is not valid YAML: " + ex.getMessage(), null);
            return null;
        }

        if (root.isEmpty())
        {
            error(new Position(1, 1), "the file is empty", "a configuration needs at least 'listeners:' and 'pools:'" +
                "; see config/portgate.yaml for an example");
            return null;
        }

        final Map<String, Node> top = mapping(root.get(), "the configuration", TOP_KEYS);
        if (top == null)
        {
            return null;
        }

        final PortgateConfig.Builder b = PortgateConfig.builder().source(source);
        ifPresent(top, "workers", n -> b.workers(integer(n, "workers", 1, 1024, b.build().workers())));
        ifPresent(top, "admin", n ->
        {
            b.adminPosition(pos(n));
            b.admin(endpoint(n, "admin", true, "127.0.0.1:9990"));
        });
        ifPresent(top, "admin-token", n -> b.adminToken(string(n, "admin-token")));
        ifPresent(top, "metrics-file", n ->
        {
            final String path = string(n, "metrics-file");
            if (path != null)
            {
                try
                {
                    b.metricsFile(java.nio.file.Path.of(path));
                }
                catch (final java.nio.file.InvalidPathException ex)
                {
                    error(pos(n), "metrics-file " + Quote.of(path) + " is not a valid path", null);
                }
            }
        });
        ifPresent(top, "idle-strategy", n -> b.idleStrategy(enumValue(n, "idle-strategy", IdleStrategyName.values(),
            IdleStrategyName.BLOCK)));
        ifPresent(top, "drain-timeout", n -> b.drainTimeout(duration(n, "drain-timeout",
            PortgateConfig.MAX_DRAIN_TIMEOUT, PortgateConfig.DEFAULT_DRAIN_TIMEOUT)));
        ifPresent(top, "max-connections", n -> b.maxConnections(integer(n, "max-connections", 1, Integer.MAX_VALUE,
            PortgateConfig.DEFAULT_MAX_CONNECTIONS)));
        ifPresent(top, "buffer-memory", n -> b.bufferMemory(size(n, "buffer-memory", PortgateConfig.MIN_BUFFER_MEMORY,
            PortgateConfig.MAX_BUFFER_MEMORY, PortgateConfig.DEFAULT_BUFFER_MEMORY)));
        ifPresent(top, "fast-paths", n ->
        {
            final Map<String, Node> fast = mapping(n, "fast-paths", FAST_PATH_KEYS);
            if (fast != null)
            {
                ifPresent(fast, "splice", v -> b.splice(enumValue(v, "fast-paths.splice", FastPath.values(),
                    FastPath.OFF)));
                ifPresent(fast, "udp-batching", v -> b.udpBatching(enumValue(v, "fast-paths.udp-batching",
                    FastPath.values(), FastPath.AUTO)));
                ifPresent(fast, "udp-gso", v -> b.udpGso(enumValue(v, "fast-paths.udp-gso", FastPath.values(),
                    FastPath.AUTO)));
            }
        });

        ifPresent(top, "resolvers", n ->
        {
            b.resolversPosition(pos(n));
            b.resolvers(resolvers(n));
        });

        final Node listeners = top.get("listeners");
        if (listeners == null)
        {
            error(pos(root.get()), "no 'listeners:' section", "add at least one listener: name, protocol, bind, pool");
        }
        else
        {
            final List<Node> items = sequence(listeners, "listeners");
            if (items != null)
            {
                if (items.isEmpty())
                {
                    error(pos(listeners), "'listeners:' is empty", "add at least one listener: name, protocol, " +
                        "bind, pool");
                }
                for (int i = 0; i < items.size(); i++)
                {
                    final ListenerConfig listener = listener(items.get(i), i);
                    if (listener != null)
                    {
                        b.listener(listener);
                    }
                }
            }
        }

        final Node pools = top.get("pools");
        if (pools == null)
        {
            error(pos(root.get()), "no 'pools:' section", "add a pool with a port and targets for each listener");
        }
        else
        {
            final Map<String, Node> byName = mapping(pools, "pools", null);
            if (byName != null)
            {
                if (byName.isEmpty())
                {
                    error(pos(pools), "'pools:' is empty", "add a pool with a port and targets for each listener");
                }
                byName.forEach((name, node) ->
                {
                    final PoolConfig pool = pool(name, node);
                    if (pool != null)
                    {
                        b.pool(pool);
                    }
                });
            }
        }

        return b.build();
    }

    private ListenerConfig listener(final Node node, final int index)
    {
        final String fallbackName = "#" + (index + 1);
        final Map<String, Node> m = mapping(node, "listener " + fallbackName, LISTENER_KEYS);
        if (m == null)
        {
            return null;
        }
        final Node nameNode = m.get("name");
        final String name = nameNode != null ? string(nameNode, "listener " + fallbackName + " name") : null;
        if (nameNode == null)
        {
            error(pos(node), "listener " + fallbackName + " has no 'name:'", "give every listener a unique name");
        }
        final String label = "listener " + (name != null ? Quote.of(name) : fallbackName);
        // Every key is read even when one is wrong, so that one run of check lists every error of the listener;
        // the validator reports names, overlaps and pools of listeners whose bind could not be read as well.
        final ListenerConfig.Builder b = ListenerConfig.builder(name != null ? name : fallbackName).position(pos(node));

        final Node protocolNode = m.get("protocol");
        final Protocol protocol = protocolNode == null ? Protocol.TCP :
            enumValue(protocolNode, label + " protocol", Protocol.values(), Protocol.TCP);
        b.protocol(protocol);

        final Node bindNode = m.get("bind");
        if (bindNode == null)
        {
            error(pos(node), label + " has no 'bind:'", "add bind: ADDRESS:PORT, e.g. 0.0.0.0:8080");
        }
        else
        {
            b.bindPosition(pos(bindNode));
            b.bind(endpoint(bindNode, label + " bind", true, "0.0.0.0:8080"));
        }

        final Node poolNode = m.get("pool");
        if (poolNode == null)
        {
            error(pos(node), label + " has no 'pool:'", "name the pool it forwards to, e.g. pool: web");
        }
        else
        {
            b.poolPosition(pos(poolNode));
            b.pool(string(poolNode, label + " pool"));
        }

        for (final Map.Entry<String, Node> e : m.entrySet())
        {
            final List<String> otherOnly = protocol == Protocol.TCP ? UDP_ONLY_KEYS : TCP_ONLY_KEYS;
            if (otherOnly.contains(e.getKey()))
            {
                warning(keyPos(node, e.getKey()), label + " is " + protocol + " but sets '" + e.getKey() +
                    "', which applies to " + (protocol == Protocol.TCP ? "udp" : "tcp") + " listeners only",
                    "remove it, or change the protocol");
            }
        }

        ifPresent(m, "max-connections", n -> b.maxConnections(integer(n, label + " max-connections", 1,
            Integer.MAX_VALUE, ListenerConfig.DEFAULT_MAX_CONNECTIONS)));
        ifPresent(m, "connect-timeout", n -> b.connectTimeout(positiveDuration(n, label + " connect-timeout",
            ListenerConfig.MAX_TIMEOUT, ListenerConfig.DEFAULT_CONNECT_TIMEOUT)));
        ifPresent(m, "connect-attempts", n -> b.connectAttempts(integer(n, label + " connect-attempts", 1, 100,
            ListenerConfig.DEFAULT_CONNECT_ATTEMPTS)));
        ifPresent(m, "idle-timeout", n -> b.idleTimeout(positiveDuration(n, label + " idle-timeout",
            ListenerConfig.MAX_TIMEOUT, null)));
        ifPresent(m, "backlog", n -> b.backlog(integer(n, label + " backlog", 1, 65535,
            ListenerConfig.DEFAULT_BACKLOG)));
        ifPresent(m, "send-buffer", n -> b.sendBuffer((int)size(n, label + " send-buffer", 0, Integer.MAX_VALUE, 0)));
        ifPresent(m, "receive-buffer", n -> b.receiveBuffer((int)size(n, label + " receive-buffer", 0,
            Integer.MAX_VALUE, 0)));
        ifPresent(m, "buffer-size", n -> b.bufferSize((int)size(n, label + " buffer-size", 1024, Integer.MAX_VALUE,
            ListenerConfig.DEFAULT_BUFFER_SIZE)));
        ifPresent(m, "affinity", n -> b.affinity(enumValue(n, label + " affinity", Affinity.values(),
            Affinity.FLOW)));
        ifPresent(m, "max-flows", n -> b.maxFlows(integer(n, label + " max-flows", 1, 16_777_216,
            ListenerConfig.DEFAULT_MAX_FLOWS)));
        ifPresent(m, "first-byte-latency", n -> b.firstByteLatency(bool(n, label + " first-byte-latency")));
        return b.build();
    }

    private PoolConfig pool(final String name, final Node node)
    {
        final String label = "pool " + Quote.of(name);
        final Map<String, Node> m = mapping(node, label, POOL_KEYS);
        if (m == null)
        {
            return null;
        }
        final PoolConfig.Builder b = PoolConfig.builder(name).position(keyPositions.getOrDefault(node, pos(node)));
        ifPresent(m, "port", n ->
        {
            b.portsPosition(pos(n));
            b.ports(ports(n, label + " port"));
        });
        ifPresent(m, "balance", n -> b.balance(enumValue(n, label + " balance", BalanceAlgorithm.values(),
            BalanceAlgorithm.ROUND_ROBIN)));
        ifPresent(m, "on-down", n -> b.onDown(enumValue(n, label + " on-down", OnDown.values(), OnDown.KEEP)));
        ifPresent(m, "when-all-down", n -> b.allDown(enumValue(n, label + " when-all-down", AllDown.values(),
            AllDown.REJECT)));
        ifPresent(m, "slow-start", n -> b.slowStart(duration(n, label + " slow-start", PoolConfig.MAX_SLOW_START,
            Duration.ZERO)));
        ifPresent(m, "health", n -> b.health(health(n, label)));
        ifPresent(m, "resolve-interval", n -> b.resolveInterval(duration(n, label + " resolve-interval",
            PoolConfig.MAX_RESOLVE_INTERVAL, PoolConfig.DEFAULT_RESOLVE_INTERVAL)));

        final Node targets = m.get("targets");
        if (targets == null)
        {
            error(pos(node), label + " has no 'targets:'", "list the addresses of its targets under targets:");
        }
        else
        {
            final List<Node> items = sequence(targets, label + " targets");
            if (items != null && items.isEmpty())
            {
                error(pos(targets), label + " has no targets", "list at least one target address under targets:");
            }
            if (items != null)
            {
                for (final Node item : items)
                {
                    final TargetConfig target = target(item, label);
                    if (target != null)
                    {
                        b.target(target);
                    }
                }
            }
        }
        return b.build();
    }

    private TargetConfig target(final Node node, final String poolLabel)
    {
        final Node addressNode;
        int weight = 1;
        Position weightPosition = Position.NONE;
        if (node instanceof MappingNode)
        {
            final Map<String, Node> m = mapping(node, poolLabel + " target", TARGET_KEYS);
            if (m == null)
            {
                return null;
            }
            addressNode = m.get("address");
            if (addressNode == null)
            {
                error(pos(node), poolLabel + ": a target has no 'address:'", "write address: 10.0.0.1 or " +
                    "address: 10.0.0.1:9001");
                return null;
            }
            final Node weightNode = m.get("weight");
            if (weightNode != null)
            {
                weightPosition = pos(weightNode);
                weight = integer(weightNode, poolLabel + " target weight", Integer.MIN_VALUE, Integer.MAX_VALUE, 1);
            }
        }
        else
        {
            addressNode = node;
        }
        // A host name is looked up when the configuration is loaded, through its resolvers: not here.
        final Endpoint endpoint = endpoint(addressNode, poolLabel + " target", false, false, "10.0.0.1:9000");
        if (endpoint == null)
        {
            return null;
        }
        return new TargetConfig(endpoint.host(), endpoint.address(), endpoint.ports(), weight, pos(addressNode),
            weightPosition);
    }

    private HealthConfig health(final Node node, final String poolLabel)
    {
        final String label = poolLabel + " health";
        final Map<String, Node> m = mapping(node, label, HEALTH_KEYS);
        if (m == null)
        {
            return null;
        }
        final HealthConfig.Builder b = HealthConfig.builder().position(pos(node));
        ifPresent(m, "protocol", n -> b.protocol(enumValue(n, label + " protocol", HealthProtocol.values(),
            HealthProtocol.TCP)));
        ifPresent(m, "port", n ->
        {
            b.portPosition(pos(n));
            final PortRange range = ports(n, label + " port");
            if (range != null && !range.isSingle())
            {
                error(pos(n), label + " port must be one port, not a range", "write e.g. port: 8081");
            }
            else if (range != null)
            {
                b.port(range.first());
            }
        });
        ifPresent(m, "interval", n -> b.interval(positiveDuration(n, label + " interval",
            HealthConfig.MAX_DURATION, HealthConfig.DEFAULT_INTERVAL)));
        ifPresent(m, "timeout", n -> b.timeout(positiveDuration(n, label + " timeout", HealthConfig.MAX_DURATION,
            HealthConfig.DEFAULT_TIMEOUT)));
        ifPresent(m, "rise", n -> b.rise(integer(n, label + " rise", 1, 100, HealthConfig.DEFAULT_RISE)));
        ifPresent(m, "fall", n -> b.fall(integer(n, label + " fall", 1, 100, HealthConfig.DEFAULT_FALL)));
        ifPresent(m, "send", n -> b.send(string(n, label + " send")));
        ifPresent(m, "expect", n -> b.expect(string(n, label + " expect")));
        ifPresent(m, "path", n ->
        {
            final String path = string(n, label + " path");
            if (path != null && !path.startsWith("/"))
            {
                error(pos(n), label + " path " + Quote.of(path) + " does not start with '/'",
                    "write e.g. path: /healthz");
            }
            b.path(path);
        });
        ifPresent(m, "status", n ->
        {
            final String text = scalarText(n);
            final String[] parts = text == null ? new String[0] : text.split("-", -1);
            try
            {
                final int min = Integer.parseInt(parts[0].trim());
                final int max = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : min;
                if (parts.length > 2 || min < 100 || max > 599 || max < min)
                {
                    throw new NumberFormatException();
                }
                b.status(min, max);
            }
            catch (final RuntimeException ex)
            {
                error(pos(n), label + " status " + Quote.of(text) + " is not an HTTP status or range",
                    "write e.g. status: 200 or status: 200-399");
            }
        });
        return b.build();
    }

    // ---------------------------------------------------------------- typed access to nodes

    private Map<String, Node> mapping(final Node node, final String what, final List<String> allowedKeys)
    {
        if (!(node instanceof MappingNode mappingNode))
        {
            error(pos(node), what + " must be a mapping of key: value, found " + describe(node),
                allowedKeys != null ? "allowed keys: " + String.join(", ", allowedKeys) : null);
            return null;
        }
        final Map<String, Node> result = new LinkedHashMap<>();
        for (final NodeTuple tuple : mappingNode.getValue())
        {
            final Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey) || keyNode.getTag().equals(Tag.NULL))
            {
                error(pos(keyNode), what + " has a key that is not a plain name", "keys are names such as 'bind'");
                continue;
            }
            final String key = scalarKey.getValue();
            if (result.containsKey(key))
            {
                error(pos(keyNode), what + " has " + Quote.of(key) + " twice (first at line " +
                    pos(result.get(key)).line() + ")", "keep one of them");
                continue;
            }
            if (allowedKeys != null && !allowedKeys.contains(key))
            {
                error(pos(keyNode), "unknown key " + Quote.of(key) + " in " + what, Suggest.hint(key, allowedKeys));
                continue;
            }
            result.put(key, tuple.getValueNode());
            keyPositions.put(tuple.getValueNode(), pos(keyNode));
        }
        return result;
    }

    private List<Node> sequence(final Node node, final String what)
    {
        if (node instanceof SequenceNode seq)
        {
            return seq.getValue();
        }
        if (node instanceof ScalarNode && node.getTag().equals(Tag.NULL))
        {
            return List.of();
        }
        error(pos(node), what + " must be a list (lines starting with '- '), found " + describe(node), null);
        return null;
    }

    private String string(final Node node, final String what)
    {
        if (!(node instanceof ScalarNode scalar) || node.getTag().equals(Tag.NULL))
        {
            error(pos(node), what + " must be a text value, found " + describe(node), null);
            return null;
        }
        return scalar.getValue();
    }

    private int integer(final Node node, final String what, final int min, final int max, final int fallback)
    {
        if (!(node instanceof ScalarNode scalar) || !node.getTag().equals(Tag.INT))
        {
            error(pos(node), what + " must be a whole number, found " + describe(node), null);
            return fallback;
        }
        final String digits = scalar.getValue().replace("_", "").replace("+", "");
        final long value;
        try
        {
            value = Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            if (digits.matches("-?[0-9]+"))
            {
                error(pos(node), what + " is " + Quote.of(scalar.getValue()) + ", outside " + min + "-" + max, null);
            }
            else
            {
                error(pos(node), what + " must be a whole number, found " + Quote.of(scalar.getValue()), null);
            }
            return fallback;
        }
        if (value < min || value > max)
        {
            error(pos(node), what + " is " + value + ", outside " + min + "-" + max, null);
            return fallback;
        }
        return (int)value;
    }

    private Duration duration(final Node node, final String what, final Duration max, final Duration fallback)
    {
        final String text = scalarText(node);
        if (text == null)
        {
            error(pos(node), what + " must be a duration such as 250ms, 2s or 1h, found " + describe(node), null);
            return fallback;
        }
        try
        {
            return Units.parseDuration(text, max);
        }
        catch (final IllegalArgumentException ex)
        {
            error(pos(node), what + ": " + ex.getMessage(), null);
            return fallback;
        }
    }

    private Duration positiveDuration(final Node node, final String what, final Duration max,
        final Duration fallback)
    {
        final Duration d = duration(node, what, max, null);
        if (d == null)
        {
            return fallback;
        }
        if (d.isZero())
        {
            error(pos(node), what + " must be longer than zero", null);
            return fallback;
        }
        return d;
    }

    private long size(final Node node, final String what, final long min, final long max, final long fallback)
    {
        final String text = scalarText(node);
        if (text == null)
        {
            error(pos(node), what + " must be a size such as 65536, 64k or 4m, found " + describe(node), null);
            return fallback;
        }
        try
        {
            final long bytes = Units.parseSize(text, max);
            if (bytes < min)
            {
                error(pos(node), what + " is " + text + ", less than the smallest allowed, " + Units.formatSize(min),
                    null);
                return fallback;
            }
            return bytes;
        }
        catch (final IllegalArgumentException ex)
        {
            error(pos(node), what + ": " + ex.getMessage(), null);
            return fallback;
        }
    }

    private PortRange ports(final Node node, final String what)
    {
        final String text = scalarText(node);
        if (text == null)
        {
            error(pos(node), what + " must be a port (9000) or a port range (9000-9009), found " + describe(node),
                null);
            return null;
        }
        try
        {
            return Addresses.parsePorts(text);
        }
        catch (final IllegalArgumentException ex)
        {
            error(pos(node), what + ": " + ex.getMessage(), "ports run from 1 to 65535");
            return null;
        }
    }

    private Endpoint endpoint(final Node node, final String what, final boolean requirePort, final String example)
    {
        return endpoint(node, what, requirePort, true, example);
    }

    private Endpoint endpoint(final Node node, final String what, final boolean requirePort,
        final boolean resolveNames, final String example)
    {
        final String text = scalarText(node);
        if (text == null || node.getTag().equals(Tag.INT))
        {
            error(pos(node), what + " must be an address" + (requirePort ? " and port" : "") + " such as " +
                example + ", found " + describe(node), null);
            return null;
        }
        try
        {
            return Addresses.parseEndpoint(text, requirePort, resolveNames);
        }
        catch (final IllegalArgumentException ex)
        {
            error(pos(node), what + ": " + ex.getMessage(), null);
            return null;
        }
    }

    private List<java.net.InetSocketAddress> resolvers(final Node node)
    {
        final List<Node> items = sequence(node, "resolvers");
        if (items == null)
        {
            return List.of();
        }
        if (items.isEmpty())
        {
            error(pos(node), "'resolvers:' is empty", "list DNS servers as address:port, e.g. [10.0.0.53:53], or " +
                "remove the key to use the system resolver");
        }
        final Map<java.net.InetSocketAddress, Node> servers = new LinkedHashMap<>();
        for (final Node item : items)
        {
            final String text = scalarText(item);
            if (text == null || item.getTag().equals(Tag.INT))
            {
                error(pos(item), "resolvers: an item must be a DNS server's address such as 10.0.0.53:53, found " +
                    describe(item), null);
                continue;
            }
            try
            {
                final java.net.InetSocketAddress server = Addresses.parseServer(text, 53);
                final Node first = servers.putIfAbsent(server, item);
                if (first != null)
                {
                    error(pos(item), "resolvers lists " + Endpoint.format(server) + " twice (first at line " +
                        pos(first).line() + ")", "keep one of them");
                }
            }
            catch (final IllegalArgumentException ex)
            {
                error(pos(item), "resolvers: " + ex.getMessage(), "write address:port, e.g. 10.0.0.53:53; the " +
                    "port is 53 when left out");
            }
        }
        return List.copyOf(servers.keySet());
    }

    private <E extends Enum<E> & ConfigEnum> E enumValue(
        final Node node, final String what, final E[] values, final E fallback)
    {
        final List<String> names = new ArrayList<>();
        for (final E value : values)
        {
            names.add(value.configName());
        }
        final String text = scalarText(node);
        if (text != null)
        {
            for (final E value : values)
            {
                if (value.configName().equals(text))
                {
                    return value;
                }
            }
        }
        error(pos(node), what + " " + (text != null ? Quote.of(text) : describe(node)) + " is not one of " +
            String.join(", ", names), didYouMean(text, names));
        return fallback;
    }

    private boolean bool(final Node node, final String what)
    {
        if (node instanceof ScalarNode scalar && node.getTag().equals(Tag.BOOL))
        {
            return Boolean.parseBoolean(scalar.getValue().toLowerCase(java.util.Locale.ROOT));
        }
        final String text = scalarText(node);
        error(pos(node), what + " " + (text != null ? Quote.of(text) : describe(node)) + " is not true or false",
            null);
        return false;
    }

    private static String didYouMean(final String text, final List<String> names)
    {
        final String closest = text == null ? null : Suggest.closest(text, names);
        return closest == null ? null : "did you mean " + Quote.of(closest) + "?";
    }

    private static String scalarText(final Node node)
    {
        if (node instanceof ScalarNode scalar && !node.getTag().equals(Tag.NULL) && !node.getTag().equals(Tag.BOOL))
        {
            return scalar.getValue();
        }
        return null;
    }

    private static String describe(final Node node)
    {
        if (node instanceof MappingNode)
        {
            return "a mapping";
        }
        if (node instanceof SequenceNode)
        {
            return "a list";
        }
        if (node.getTag().equals(Tag.NULL))
        {
            return "nothing";
        }
        final String value = ((ScalarNode)node).getValue();
        if (node.getTag().equals(Tag.BOOL))
        {
            return "the boolean '" + value + "'";
        }
        if (node.getTag().equals(Tag.INT))
        {
            return "the number " + (value.length() > Quote.MAX_SHOWN ? Quote.of(value) : value);
        }
        return Quote.of(value);
    }

    private void ifPresent(final Map<String, Node> m, final String key, final java.util.function.Consumer<Node> c)
    {
        final Node n = m.get(key);
        if (n != null)
        {
            c.accept(n);
        }
    }

    private static Position keyPos(final Node mapping, final String key)
    {
        if (mapping instanceof MappingNode m)
        {
            for (final NodeTuple t : m.getValue())
            {
                if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key))
                {
                    return pos(s);
                }
            }
        }
        return pos(mapping);
    }

    static Position pos(final Node node)
    {
        return node.getStartMark().map(ConfigParser::toPosition).orElse(Position.NONE);
    }

    private static Position toPosition(final Mark mark)
    {
        return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    private void error(final Position at, final String message, final String hint)
    {
        diagnostics.add(new Diagnostic(Severity.ERROR, source, at, message, hint));
    }

    private void warning(final Position at, final String message, final String hint)
    {
        diagnostics.add(new Diagnostic(Severity.WARNING, source, at, message, hint));
    }

    /** Counts the nesting of the events it passes on and stops the composer before it recurses too deep. */
    private static final class DepthLimit implements Parser
    {
        private final Parser parser;
        private int depth;

        DepthLimit(final Parser parser)
        {
            this.parser = parser;
        }

        @Override
        public boolean checkEvent(final Event.ID choice)
        {
            return parser.checkEvent(choice);
        }

        @Override
        public Event peekEvent()
        {
            return parser.peekEvent();
        }

        @Override
        public boolean hasNext()
        {
            return parser.hasNext();
        }

        @Override
        public Event next()
        {
            final Event event = parser.next();
            switch (event.getEventId())
            {
                case SequenceStart, MappingStart ->
                {
                    if (++depth > MAX_DEPTH)
                    {
                        throw new TooDeep(event.getStartMark().map(ConfigParser::toPosition).orElse(Position.NONE));
                    }
                }
                case SequenceEnd, MappingEnd -> depth--;
                default ->
                {
                    // scalars, aliases, stream and document markers do not nest
                }
            }
            return event;
        }
    }

    /** Thrown by {@link DepthLimit} where the nesting passes {@link #MAX_DEPTH}. */
    private static final class TooDeep extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private final transient Position at;

        TooDeep(final Position at)
        {
            super(null, null, false, false);
            this.at = at;
        }
    }
}
