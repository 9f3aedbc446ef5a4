package io.portgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two configurations, in words an operator greps for: what a reload logs in one line.
 *
 * @param changes one entry per change, e.g. {@code pool web: +target 10.0.0.3:9000}.
 */
public record ConfigDiff(List<String> changes)
{
    /**
     * Copies the list.
     */
    public ConfigDiff
    {
        changes = List.copyOf(changes);
    }

    /**
     * Compares two configurations.
     *
     * @param before the running configuration.
     * @param after  the new one.
     * @return the changes, in file order; empty when nothing changed.
     */
    public static ConfigDiff between(final PortgateConfig before, final PortgateConfig after)
    {
        final List<String> changes = new ArrayList<>();
        compare(changes, "", Settings.global(), before, after);

        final Map<String, ListenerConfig> oldListeners = byName(before.listeners());
        final Map<String, ListenerConfig> newListeners = byName(after.listeners());
        oldListeners.forEach((name, l) ->
        {
            if (!newListeners.containsKey(name))
            {
                changes.add("-listener " + name + " (" + l.protocol() + " " + l.bind() + ")");
            }
        });
        newListeners.forEach((name, l) ->
        {
            final ListenerConfig old = oldListeners.get(name);
            if (old == null)
            {
                changes.add("+listener " + name + " (" + l.protocol() + " " + l.bind() + " -> " + l.pool() + ")");
            }
            else
            {
                compare(changes, "listener " + name + ": ", Settings.LISTENER, old, l);
            }
        });

        before.pools().forEach((name, pool) ->
        {
            if (!after.pools().containsKey(name))
            {
                changes.add("-pool " + name);
            }
        });
        after.pools().forEach((name, pool) ->
        {
            final PoolConfig old = before.pools().get(name);
            if (old == null)
            {
                changes.add("+pool " + name + " (" + pool.targets().size() + " targets)");
                return;
            }
            pool(changes, old, pool);
        });
        return new ConfigDiff(changes);
    }

    /**
     * Whether anything changed.
     *
     * @return true when the configurations differ.
     */
    public boolean isEmpty()
    {
        return changes.isEmpty();
    }

    @Override
    public String toString()
    {
        return changes.isEmpty() ? "no change" : String.join("; ", changes);
    }

    private static void pool(final List<String> changes, final PoolConfig old, final PoolConfig pool)
    {
        final String prefix = "pool " + pool.name() + ": ";
        for (final Setting<PoolConfig, PoolConfig.Builder> setting : Settings.POOL)
        {
            if (setting.key().equals("health"))
            {
                health(changes, prefix, old.health(), pool.health());
            }
            compare(changes, prefix, List.of(setting), old, pool);
        }
        final Map<String, TargetConfig> oldTargets = targets(old);
        final Map<String, TargetConfig> newTargets = targets(pool);
        oldTargets.forEach((label, t) ->
        {
            if (!newTargets.containsKey(label))
            {
                changes.add(prefix + "-target " + label);
            }
        });
        newTargets.forEach((label, t) ->
        {
            final TargetConfig before = oldTargets.get(label);
            if (before == null)
            {
                changes.add(prefix + "+target " + label);
            }
            else if (before.weight() != t.weight())
            {
                changes.add(prefix + "target " + label + " weight " + before.weight() + " -> " + t.weight());
            }
        });
    }

    private static Map<String, TargetConfig> targets(final PoolConfig pool)
    {
        final Map<String, TargetConfig> byLabel = new LinkedHashMap<>();
        for (final TargetConfig t : pool.targets())
        {
            byLabel.put(pool.ports() == null && t.ports() == null ? t.addressText() : t.label(pool), t);
        }
        return byLabel;
    }

    private static Map<String, ListenerConfig> byName(final List<ListenerConfig> listeners)
    {
        final Map<String, ListenerConfig> byName = new LinkedHashMap<>();
        listeners.forEach(l -> byName.put(l.name(), l));
        return byName;
    }

    /** Names each compared setting whose value differs, as {@code PREFIX KEY BEFORE -> AFTER}. */
    private static <O> void compare(final List<String> changes, final String prefix,
        final List<? extends Setting<O, ?>> settings, final O before, final O after)
    {
        for (final Setting<O, ?> setting : settings)
        {
            if (!setting.compared())
            {
                continue;
            }
            // A secret is compared as it is shown, so a changed secret is not revealed by being named.
            final Object was = shown(setting, setting.get(before));
            final Object is = shown(setting, setting.get(after));
            if (!Setting.same(was, is))
            {
                changes.add(prefix + setting.name() + " " + Setting.format(was) + " -> " + Setting.format(is));
            }
        }
    }

    private static Object shown(final Setting<?, ?> setting, final Object value)
    {
        return setting.secret() && value != null ? "***" : value;
    }

    private static void health(final List<String> changes, final String prefix, final HealthConfig a,
        final HealthConfig b)
    {
        if (a == null || b == null)
        {
            if (a != b)
            {
                changes.add(prefix + "health " + (a == null ? "none" : a.protocolName()) + " -> " +
                    (b == null ? "none" : b.protocolName()));
            }
            return;
        }
        compare(changes, prefix + "health ", Settings.HEALTH, a, b);
    }
}
