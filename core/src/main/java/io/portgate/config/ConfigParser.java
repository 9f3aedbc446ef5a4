package io.portgate.config;

import java.util.ArrayList;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.Tag;

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
public final class ConfigParser extends YamlNodes
{
    /** Keys allowed at the top level. */
    public static final List<String> TOP_KEYS = Settings.keys(Settings.TOP);
    /** Keys allowed under {@code fast-paths:}. */
    public static final List<String> FAST_PATH_KEYS = Settings.keys(Settings.FAST_PATHS);
    /** Keys allowed in a listener. */
    public static final List<String> LISTENER_KEYS = Settings.keys(Settings.LISTENER);
    /** Listener keys that only TCP listeners use. */
    public static final List<String> TCP_ONLY_KEYS = Settings.TCP_ONLY;
    /** Listener keys that only UDP listeners use. */
    public static final List<String> UDP_ONLY_KEYS = Settings.UDP_ONLY;
    /** Keys allowed in a pool. */
    public static final List<String> POOL_KEYS = Settings.keys(Settings.POOL);
    /** Keys allowed in a target written as a mapping. */
    public static final List<String> TARGET_KEYS = Settings.keys(Settings.TARGET);
    /** Keys allowed under {@code health:}. */
    public static final List<String> HEALTH_KEYS = Settings.keys(Settings.HEALTH);
    /** For keys a scope reads with code of its own: nothing more to do. */
    private static final java.util.function.Consumer<Node> READ_ALREADY = n -> { };

    /**
     * The deepest nesting of lists and mappings read. A configuration needs 5 levels; the YAML composer recurses
     * once per level, so a file of 10,000 '[' overflowed the stack instead of getting an error.
     */
    public static final int MAX_DEPTH = 50;

    private final io.portgate.spi.Extensions extensions;

    private ConfigParser(final String source, final io.portgate.spi.Extensions extensions)
    {
        super(source);
        this.extensions = java.util.Objects.requireNonNull(extensions, "extensions");
    }

    /**
     * What parsing produced: a configuration (null when the file could not be read at all) and the findings.
     *
     * @param config      the configuration, or null.
     * @param diagnostics the findings.
     */
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
        return parse(source, text, io.portgate.spi.Extensions.none());
    }

    /**
     * Parses YAML text that may select registered balancing policies and health probes by name.
     *
     * @param source     the file name used in messages.
     * @param text       the YAML.
     * @param extensions the policies and probes a {@code balance:} or {@code health.protocol:} may name.
     * @return the configuration and what was found wrong with it.
     */
    public static Result parse(final String source, final String text, final io.portgate.spi.Extensions extensions)
    {
        final ConfigParser parser = new ConfigParser(source, extensions);
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
        read(top, Settings.TOP, b, "", Map.of(
            "admin", n ->
            {
                b.adminPosition(pos(n));
                b.admin(endpoint(n, "admin", true, "127.0.0.1:9990"));
            },
            "admin-token", n -> b.adminToken(string(n, "admin-token")),
            "metrics-file", n -> metricsFile(n, b),
            "resolvers", n ->
            {
                b.resolversPosition(pos(n));
                b.resolvers(resolvers(n));
            },
            "fast-paths", n ->
            {
                final Map<String, Node> fast = mapping(n, "fast-paths", FAST_PATH_KEYS);
                if (fast != null)
                {
                    read(fast, Settings.FAST_PATHS, b, "", Map.of());
                }
            }));

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

    private void metricsFile(final Node n, final PortgateConfig.Builder b)
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
        final Protocol protocol = protocolNode == null ? ListenerConfig.DEFAULT_PROTOCOL :
            (Protocol)choice(protocolNode, label + " protocol", List.of(Protocol.values()),
                ListenerConfig.DEFAULT_PROTOCOL);
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

        read(m, Settings.LISTENER, b, label, Map.of("protocol", READ_ALREADY));
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
        read(m, Settings.POOL, b, label, Map.of(
            "port", n ->
            {
                b.portsPosition(pos(n));
                b.ports(ports(n, label + " port"));
            },
            "balance", n -> balance(n, label, b),
            "health", n -> b.health(health(n, label))));
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
        read(m, Settings.HEALTH, b, label, Map.of(
            "protocol", n -> protocol(n, label, b),
            "port", n ->
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
            },
            "send", n -> b.send(string(n, label + " send")),
            "expect", n -> b.expect(string(n, label + " expect")),
            "path", n ->
            {
                final String path = string(n, label + " path");
                if (path != null && !path.startsWith("/"))
                {
                    error(pos(n), label + " path " + Quote.of(path) + " does not start with '/'",
                        "write e.g. path: /healthz");
                }
                b.path(path);
            },
            "status", n ->
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
            }));
        return b.build();
    }

    /** A built-in policy or a registered one; an unknown name is an error, and the default stays. */
    private void balance(final Node node, final String label, final PoolConfig.Builder b)
    {
        final String text = scalarText(node);
        if (text != null && extensions.policy(text) != null)
        {
            b.balance(text);
            return;
        }
        final List<String> names = new ArrayList<>(io.portgate.balance.BalanceAlgorithm.configNames());
        names.addAll(extensions.policyNames());
        error(pos(node), label + " balance " + (text != null ? Quote.of(text) : describe(node)) + " is not a " +
            "balancing policy: the built-in ones are " + String.join(", ",
            io.portgate.balance.BalanceAlgorithm.configNames()) + (extensions.policyNames().isEmpty() ?
            ", and none is registered" : ", and registered: " + String.join(", ", extensions.policyNames())),
            text != null && didYouMean(text, names) != null ? didYouMean(text, names) :
                "use one of those, or register a policy of that name (Extensions.builder().policy) and load the " +
                    "file with it (ConfigLoader.load(path, facts, extensions))");
    }

    /** A built-in probe protocol or a registered probe; an unknown name is an error, and the default stays. */
    private void protocol(final Node node, final String label, final HealthConfig.Builder b)
    {
        final String text = scalarText(node);
        final List<String> names = new ArrayList<>();
        for (final HealthProtocol protocol : HealthProtocol.values())
        {
            if (protocol.configName().equals(text))
            {
                b.protocol(protocol);
                return;
            }
            names.add(protocol.configName());
        }
        if (text != null && extensions.probe(text) != null)
        {
            b.probe(text);
            return;
        }
        final List<String> all = new ArrayList<>(names);
        all.addAll(extensions.probeNames());
        error(pos(node), label + " protocol " + (text != null ? Quote.of(text) : describe(node)) + " is not a " +
            "health probe: the built-in ones are " + String.join(", ", names) + (extensions.probeNames().isEmpty() ?
            ", and none is registered" : ", and registered: " + String.join(", ", extensions.probeNames())),
            text != null && didYouMean(text, all) != null ? didYouMean(text, all) :
                "use one of those, or register a probe of that name (Extensions.builder().probe) and load the " +
                    "file with it (ConfigLoader.load(path, facts, extensions))");
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
}
