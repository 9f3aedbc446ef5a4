package io.portgate.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One configuration setting as {@link Settings} lists it: its key, where it is written, its type and range, its
 * default, whether a reload applies it, and the text the README's configuration reference shows for it. The parser
 * reads it by this description, {@link ConfigDiff} compares it, a reload keeps the running value of one that needs a
 * restart, and a test holds the README to the same words.
 *
 * @param scope       where it is written.
 * @param key         its key there, e.g. {@code splice}.
 * @param kind        what kind of value it takes.
 * @param min         the smallest number or size.
 * @param max         the largest number or size.
 * @param maxDuration the longest duration.
 * @param values      the values of a {@link Kind#CHOICE}.
 * @param defaults    the default, as the configuration holds it when the key is not written (null for none).
 * @param defaultText the default as the README shows it.
 * @param onReload    what a reload does with it.
 * @param compared    whether {@link ConfigDiff} names a change of it.
 * @param secret      whether its value is a secret, never printed.
 * @param doc         the README's words for it (Markdown).
 * @param getter      reads it from the record holding it.
 * @param setter      sets it on that record's builder.
 * @param <O> the configuration record that holds it ({@link PortgateConfig}, {@link ListenerConfig}, ...).
 * @param <B> that record's builder.
 */
public record Setting<O, B>(Scope scope, String key, Kind kind, long min, long max, Duration maxDuration,
    List<? extends ConfigEnum> values, Supplier<?> defaults, String defaultText, OnReload onReload, boolean compared,
    boolean secret, String doc, Function<O, ?> getter, BiConsumer<B, Object> setter)
{
    /** Where a setting is written. */
    public enum Scope
    {
        /** The top level of the file. */
        TOP("", "Top level"),
        /** Under {@code fast-paths:}, shown with the top level as {@code fast-paths.KEY}. */
        FAST_PATHS("fast-paths.", "Top level"),
        /** An item of {@code listeners:}. */
        LISTENER("", "Listener (`listeners:` items)"),
        /** An entry of {@code pools:}. */
        POOL("", "Pool (`pools:` entries)"),
        /** A target written as a mapping, described with {@code targets}. */
        TARGET("", null),
        /** The {@code health:} block of a pool. */
        HEALTH("", "Health probe (`health:` of a pool)");

        private final String prefix;
        private final String heading;

        Scope(final String prefix, final String heading)
        {
            this.prefix = prefix;
            this.heading = heading;
        }

        /**
         * The README heading (after {@code ### }) of the table that documents it, or null for none.
         *
         * @return the README heading (after {@code ### }) of the table that documents it, or null for none.
         */
        public String heading()
        {
            return heading;
        }
    }

    /** What kind of value it takes; the parser reads each kind its own way. */
    public enum Kind
    {
        /** A whole number in {@link #min()}..{@link #max()}. */
        NUMBER,
        /** A size such as {@code 64k}, in {@link #min()}..{@link #max()} bytes. */
        SIZE,
        /** A duration such as {@code 2s}, at most {@link #maxDuration()}, zero allowed. */
        DURATION,
        /** A duration longer than zero, at most {@link #maxDuration()}. */
        POSITIVE_DURATION,
        /** One of {@link #values()}. */
        CHOICE,
        /** {@code true} or {@code false}. */
        FLAG,
        /** Anything else (text, addresses, ports, lists, mappings): read by the parser's own code for that key. */
        OTHER
    }

    /** What a reload does with a changed value. */
    public enum OnReload
    {
        /** The reload applies it. */
        APPLIES,
        /** The running value is kept until a restart; the reload names it. */
        RESTART;

        private final String text = name().toLowerCase(java.util.Locale.ROOT);

        /**
         * The word the README uses: the name in lower case.
         *
         * @return the word the README uses: the name in lower case.
         */
        public String text()
        {
            return text;
        }
    }

    /**
     * Starts describing a setting.
     *
     * @param scope where it is written.
     * @param key   its key there.
     * @param kind  what it takes.
     * @param <O>   the record holding it.
     * @param <B>   that record's builder.
     * @return a builder.
     */
    static <O, B> Builder<O, B> of(final Scope scope, final String key, final Kind kind)
    {
        return new Builder<>(scope, key, kind);
    }

    /**
     * Its full name as messages and the README give it, e.g. {@code fast-paths.splice}.
     *
     * @return its full name as messages and the README give it, e.g. {@code fast-paths.splice}.
     */
    public String name()
    {
        return scope.prefix + key;
    }

    /**
     * The default, as the configuration holds it when the key is not written (null for none).
     *
     * @return the default, as the configuration holds it when the key is not written (null for none).
     */
    public Object defaultValue()
    {
        return defaults.get();
    }

    /**
     * Its value in a configuration.
     *
     * @param owner the record holding it.
     * @return the value.
     */
    public Object get(final O owner)
    {
        return getter.apply(owner);
    }

    /**
     * Sets it on a builder.
     *
     * @param builder the builder.
     * @param value   the value, of the type the record holds.
     */
    public void set(final B builder, final Object value)
    {
        setter.accept(builder, value);
    }

    /**
     * Whether two values of it are the same setting. Endpoints compare by address and ports: "localhost" and
     * "127.0.0.1" bind the same socket.
     *
     * @param before one value.
     * @param after  the other.
     * @return true when they are the same.
     */
    public static boolean same(final Object before, final Object after)
    {
        return before instanceof Endpoint x && after instanceof Endpoint y ?
            Objects.equals(x.address(), y.address()) && x.ports().equals(y.ports()) : Objects.equals(before, after);
    }

    /**
     * A value as messages and the README write it: a choice by its name, a duration as {@code 30s}, none as
     * {@code none}.
     *
     * @param value the value.
     * @return the text.
     */
    public static String format(final Object value)
    {
        return value instanceof ConfigEnum e ? e.configName() : value instanceof Duration d ?
            Units.formatDuration(d) : value == null ? "none" : String.valueOf(value);
    }


    /**
     * Describes a setting; {@link #doc} is required, everything else has a default.
     *
     * @param <O> the record holding it.
     * @param <B> that record's builder.
     */
    static final class Builder<O, B>
    {
        private final Scope scope;
        private final String key;
        private final Kind kind;
        private long min;
        private long max = Integer.MAX_VALUE;
        private Duration maxDuration = ListenerConfig.MAX_TIMEOUT;
        private List<? extends ConfigEnum> values = List.of();
        private Supplier<?> defaultValue = () -> null;
        private String defaultText;
        private OnReload onReload = OnReload.APPLIES;
        private boolean compared = true;
        private boolean secret;
        private String doc;
        private Function<O, ?> get = owner -> null;
        private BiConsumer<B, Object> set = (builder, value) -> { };

        private Builder(final Scope scope, final String key, final Kind kind)
        {
            this.scope = scope;
            this.key = key;
            this.kind = kind;
        }

        Builder<O, B> range(final long min, final long max)
        {
            this.min = min;
            this.max = max;
            return this;
        }

        Builder<O, B> atMost(final Duration max)
        {
            this.maxDuration = max;
            return this;
        }

        Builder<O, B> values(final ConfigEnum[] values)
        {
            this.values = List.of(values);
            return this;
        }

        Builder<O, B> byDefault(final Object value)
        {
            this.defaultValue = () -> value;
            return this;
        }

        Builder<O, B> byDefault(final Supplier<?> value, final String text)
        {
            this.defaultValue = value;
            this.defaultText = text;
            return this;
        }

        Builder<O, B> shownDefault(final String text)
        {
            this.defaultText = text;
            return this;
        }

        Builder<O, B> restart()
        {
            this.onReload = OnReload.RESTART;
            return this;
        }

        Builder<O, B> notCompared()
        {
            this.compared = false;
            return this;
        }

        Builder<O, B> secret()
        {
            this.secret = true;
            return this;
        }

        Builder<O, B> doc(final String doc)
        {
            this.doc = doc;
            return this;
        }

        @SuppressWarnings("unchecked")
        <V> Builder<O, B> access(final Function<O, V> get, final BiConsumer<B, V> set)
        {
            this.get = get;
            this.set = (builder, value) -> set.accept(builder, (V)value);
            return this;
        }

        Setting<O, B> build()
        {
            final Object value = defaultValue.get();
            final String text = defaultText != null ? defaultText :
                "`" + (kind == Kind.SIZE ? Units.formatSize(((Number)value).longValue()) : format(value)) + "`";
            return new Setting<>(scope, key, kind, min, max, maxDuration, values, defaultValue, text, onReload,
                compared, secret, Objects.requireNonNull(doc, key), get, set);
        }
    }
}
