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
            else if (!sameListener(old, l))
            {
                changes.add("listener " + name + " changed");
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
        if (!sameHealth(old.health(), pool.health()))
        {
            changes.add(prefix + "health changed");
        }
        if (old.onDown() != pool.onDown() || old.allDown() != pool.allDown() ||
            !old.slowStart().equals(pool.slowStart()))
        {
            changes.add(prefix + "on-down/when-all-down/slow-start changed");
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
            byLabel.put(pool.ports() == null && t.ports() == null ? Endpoint.literal(t.address()) : t.label(pool), t);
        }
        return byLabel;
    }

    private static Map<String, ListenerConfig> byName(final List<ListenerConfig> listeners)
    {
        final Map<String, ListenerConfig> byName = new LinkedHashMap<>();
        listeners.forEach(l -> byName.put(l.name(), l));
        return byName;
    }

    private static boolean sameListener(final ListenerConfig a, final ListenerConfig b)
    {
        return a.protocol() == b.protocol() && a.bind().address().equals(b.bind().address()) &&
            a.bind().ports().equals(b.bind().ports()) && Objects.equals(a.pool(), b.pool()) &&
            a.maxConnections() == b.maxConnections() && a.connectTimeout().equals(b.connectTimeout()) &&
            a.connectAttempts() == b.connectAttempts() && a.idleTimeout().equals(b.idleTimeout()) &&
            a.backlog() == b.backlog() && a.sendBuffer() == b.sendBuffer() &&
            a.receiveBuffer() == b.receiveBuffer() && a.bufferSize() == b.bufferSize() &&
            a.affinity() == b.affinity() && a.maxFlows() == b.maxFlows();
    }

    private static boolean sameHealth(final HealthConfig a, final HealthConfig b)
    {
        if (a == null || b == null)
        {
            return a == b;
        }
        return a.protocol() == b.protocol() && Objects.equals(a.port(), b.port()) &&
            a.interval().equals(b.interval()) && a.timeout().equals(b.timeout()) && a.rise() == b.rise() &&
            a.fall() == b.fall() && Objects.equals(a.send(), b.send()) && Objects.equals(a.expect(), b.expect()) &&
            Objects.equals(a.path(), b.path()) && a.statusMin() == b.statusMin() && a.statusMax() == b.statusMax();
    }

    private static void global(final List<String> changes, final String key, final Object before, final Object after)
    {
        if (!Objects.equals(before, after))
        {
            changes.add(key + " " + before + " -> " + after);
        }
    }
}
