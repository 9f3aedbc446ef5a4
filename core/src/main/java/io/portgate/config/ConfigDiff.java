package io.portgate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
        global(changes, "workers", before.workers(), after.workers());
        global(changes, "admin", before.admin(), after.admin());
        global(changes, "admin-token", before.adminToken() == null ? null : "***",
            after.adminToken() == null ? null : "***");
        global(changes, "idle-strategy", before.idleStrategy(), after.idleStrategy());
        global(changes, "drain-timeout", before.drainTimeout(), after.drainTimeout());
        global(changes, "max-connections", before.maxConnections(), after.maxConnections());
        global(changes, "buffer-memory", before.bufferMemory(), after.bufferMemory());
        global(changes, "fast-paths.splice", before.splice(), after.splice());
        global(changes, "fast-paths.udp-batching", before.udpBatching(), after.udpBatching());
        global(changes, "fast-paths.udp-gso", before.udpGso(), after.udpGso());

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
                listener(changes, old, l);
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
        if (!Objects.equals(old.ports(), pool.ports()))
        {
            changes.add(prefix + "port " + old.ports() + " -> " + pool.ports());
        }
        if (old.balance() != pool.balance())
        {
            changes.add(prefix + "balance " + old.balance().configName() + " -> " + pool.balance().configName());
        }
        health(changes, prefix, old.health(), pool.health());
        setting(changes, prefix, "on-down", old.onDown(), pool.onDown());
        setting(changes, prefix, "when-all-down", old.allDown(), pool.allDown());
        setting(changes, prefix, "slow-start", old.slowStart(), pool.slowStart());
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

    private static void listener(final List<String> changes, final ListenerConfig old, final ListenerConfig l)
    {
        final String prefix = "listener " + l.name() + ": ";
        setting(changes, prefix, "protocol", old.protocol(), l.protocol());
        setting(changes, prefix, "bind", old.bind(), l.bind());
        setting(changes, prefix, "pool", old.pool(), l.pool());
        setting(changes, prefix, "max-connections", old.maxConnections(), l.maxConnections());
        setting(changes, prefix, "connect-timeout", old.connectTimeout(), l.connectTimeout());
        setting(changes, prefix, "connect-attempts", old.connectAttempts(), l.connectAttempts());
        setting(changes, prefix, "idle-timeout", old.idleTimeout(), l.idleTimeout());
        setting(changes, prefix, "backlog", old.backlog(), l.backlog());
        setting(changes, prefix, "send-buffer", old.sendBuffer(), l.sendBuffer());
        setting(changes, prefix, "receive-buffer", old.receiveBuffer(), l.receiveBuffer());
        setting(changes, prefix, "buffer-size", old.bufferSize(), l.bufferSize());
        setting(changes, prefix, "affinity", old.affinity(), l.affinity());
        setting(changes, prefix, "max-flows", old.maxFlows(), l.maxFlows());
        setting(changes, prefix, "first-byte-latency", old.firstByteLatency(), l.firstByteLatency());
    }

    private static void setting(final List<String> changes, final String prefix, final String key, final Object before,
        final Object after)
    {
        // Endpoints are compared by address and ports: "localhost" and "127.0.0.1" bind the same socket.
        final boolean same = before instanceof Endpoint x && after instanceof Endpoint y ?
            Objects.equals(x.address(), y.address()) && x.ports().equals(y.ports()) : Objects.equals(before, after);
        if (!same)
        {
            changes.add(prefix + key + " " + text(before) + " -> " + text(after));
        }
    }

    private static String text(final Object value)
    {
        return value instanceof ConfigEnum e ? e.configName() : value instanceof java.time.Duration d ?
            Units.formatDuration(d) : value == null ? "none" : String.valueOf(value);
    }

    private static void health(final List<String> changes, final String prefix, final HealthConfig a,
        final HealthConfig b)
    {
        if (a == null || b == null)
        {
            if (a != b)
            {
                changes.add(prefix + "health " + (a == null ? "none" : a.protocol().configName()) + " -> " +
                    (b == null ? "none" : b.protocol().configName()));
            }
            return;
        }
        final String health = prefix + "health ";
        setting(changes, health, "protocol", a.protocol(), b.protocol());
        setting(changes, health, "port", a.port(), b.port());
        setting(changes, health, "interval", a.interval(), b.interval());
        setting(changes, health, "timeout", a.timeout(), b.timeout());
        setting(changes, health, "rise", a.rise(), b.rise());
        setting(changes, health, "fall", a.fall(), b.fall());
        setting(changes, health, "send", a.send(), b.send());
        setting(changes, health, "expect", a.expect(), b.expect());
        setting(changes, health, "path", a.path(), b.path());
        setting(changes, health, "status", a.statusMin() + "-" + a.statusMax(), b.statusMin() + "-" + b.statusMax());
    }

    private static void global(final List<String> changes, final String key, final Object before, final Object after)
    {
        setting(changes, "", key, before, after);
    }
}
