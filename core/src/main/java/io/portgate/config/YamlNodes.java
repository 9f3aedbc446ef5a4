package io.portgate.config;

import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads typed values out of YAML nodes for {@link ConfigParser}, strictly: every value that is not what its setting
 * takes becomes a {@link Diagnostic} naming the file, line and column, and the setting keeps its fallback. Keys of
 * simple kinds are read straight from the {@link Settings} table. Public only as {@link ConfigParser}'s superclass:
 * none of its members is visible outside this package.
 */
public abstract class YamlNodes
{
    final String source;
    final List<Diagnostic> diagnostics = new ArrayList<>();
    final Map<Node, Position> keyPositions = new java.util.IdentityHashMap<>();

    YamlNodes(final String source)
    {
        this.source = source;
    }

    /**
     * Reads every key of a scope that is written, in the table's order: those of a simple kind by the table's
     * range and default, the others by their own code in {@code special}.
     */
    <O, B> void read(final Map<String, Node> m, final List<Setting<O, B>> settings, final B builder,
        final String label, final Map<String, java.util.function.Consumer<Node>> special)
    {
        for (final Setting<O, B> setting : settings)
        {
            final Node n = m.get(setting.key());
            if (n == null)
            {
                continue;
            }
            final java.util.function.Consumer<Node> own = special.get(setting.key());
            if (own != null)
            {
                own.accept(n);
            }
            else if (setting.kind() != Setting.Kind.OTHER)
            {
                setting.set(builder, value(setting, n, label.isEmpty() ? setting.name() : label + " " + setting.key()));
            }
        }
    }

    Object value(final Setting<?, ?> setting, final Node n, final String what)
    {
        return switch (setting.kind())
        {
            case NUMBER -> integer(n, what, (int)setting.min(), (int)setting.max(), (Integer)setting.defaultValue());
            case SIZE ->
            {
                final long bytes = size(n, what, setting.min(), setting.max(), ((Number)setting.defaultValue())
                    .longValue());
                yield setting.max() <= Integer.MAX_VALUE ? (Object)(int)bytes : (Object)bytes;
            }
            case DURATION -> duration(n, what, setting.maxDuration(), (Duration)setting.defaultValue());
            case POSITIVE_DURATION -> positiveDuration(n, what, setting.maxDuration(),
                (Duration)setting.defaultValue());
            case CHOICE -> choice(n, what, setting.values(), (ConfigEnum)setting.defaultValue());
            case FLAG -> bool(n, what);
            case OTHER -> throw new IllegalStateException(setting.name() + " is read by its own code");
        };
    }

    Map<String, Node> mapping(final Node node, final String what, final List<String> allowedKeys)
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

    List<Node> sequence(final Node node, final String what)
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

    String string(final Node node, final String what)
    {
        if (!(node instanceof ScalarNode scalar) || node.getTag().equals(Tag.NULL))
        {
            error(pos(node), what + " must be a text value, found " + describe(node), null);
            return null;
        }
        return scalar.getValue();
    }

    int integer(final Node node, final String what, final int min, final int max, final int fallback)
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

    Duration duration(final Node node, final String what, final Duration max, final Duration fallback)
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

    Duration positiveDuration(final Node node, final String what, final Duration max,
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

    long size(final Node node, final String what, final long min, final long max, final long fallback)
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

    PortRange ports(final Node node, final String what)
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

    Endpoint endpoint(final Node node, final String what, final boolean requirePort, final String example)
    {
        return endpoint(node, what, requirePort, true, example);
    }

    Endpoint endpoint(final Node node, final String what, final boolean requirePort, final boolean resolveNames,
        final String example)
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

    ConfigEnum choice(final Node node, final String what, final List<? extends ConfigEnum> values,
        final ConfigEnum fallback)
    {
        final List<String> names = new ArrayList<>();
        for (final ConfigEnum value : values)
        {
            names.add(value.configName());
        }
        final String text = scalarText(node);
        if (text != null)
        {
            for (final ConfigEnum value : values)
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

    boolean bool(final Node node, final String what)
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

    static String didYouMean(final String text, final List<String> names)
    {
        final String closest = text == null ? null : Suggest.closest(text, names);
        return closest == null ? null : "did you mean " + Quote.of(closest) + "?";
    }

    static String scalarText(final Node node)
    {
        if (node instanceof ScalarNode scalar && !node.getTag().equals(Tag.NULL) && !node.getTag().equals(Tag.BOOL))
        {
            return scalar.getValue();
        }
        return null;
    }

    static String describe(final Node node)
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

    static Position keyPos(final Node mapping, final String key)
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

    static Position toPosition(final Mark mark)
    {
        return new Position(mark.getLine() + 1, mark.getColumn() + 1);
    }

    void error(final Position at, final String message, final String hint)
    {
        diagnostics.add(new Diagnostic(Severity.ERROR, source, at, message, hint));
    }

    void warning(final Position at, final String message, final String hint)
    {
        diagnostics.add(new Diagnostic(Severity.WARNING, source, at, message, hint));
    }

    /** Counts the nesting of the events it passes on and stops the composer before it recurses too deep. */
    static final class DepthLimit implements Parser
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
                    if (++depth > ConfigParser.MAX_DEPTH)
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

    /** Thrown by {@link DepthLimit} where the nesting passes {@link ConfigParser#MAX_DEPTH}. */
    static final class TooDeep extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final transient Position at;

        TooDeep(final Position at)
        {
            super(null, null, false, false);
            this.at = at;
        }
    }
}
