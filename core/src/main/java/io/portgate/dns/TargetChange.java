package io.portgate.dns;

import io.portgate.config.Endpoint;
import io.portgate.config.TargetConfig;

import java.net.InetAddress;
import java.util.List;

/**
 * A named target's addresses changed: what to start and what to drain, as a reload would.
 *
 * @param pool    the pool.
 * @param target  the target as written (its name, ports, weight and position); its address is meaningless here.
 * @param added   addresses that are new, in {@link AddressRecord#ADDRESS_ORDER}.
 * @param removed addresses that are gone, in {@link AddressRecord#ADDRESS_ORDER}.
 * @param records every address the name has now, with TTLs, in {@link AddressRecord#ADDRESS_ORDER}.
 */
public record TargetChange(String pool, TargetConfig target, List<InetAddress> added, List<InetAddress> removed,
    List<AddressRecord> records)
{
    /**
     * Copies the lists so the record stays immutable.
     */
    public TargetChange
    {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        records = List.copyOf(records);
    }

    /**
     * The host name.
     *
     * @return the name as written.
     */
    public String name()
    {
        return target.name();
    }

    /**
     * The targets to start, one per added address.
     *
     * @return the target as written at each added address.
     */
    public List<TargetConfig> addedTargets()
    {
        return added.stream().map(target::withAddress).toList();
    }

    /**
     * The targets to drain, one per removed address.
     *
     * @return the target as written at each removed address.
     */
    public List<TargetConfig> removedTargets()
    {
        return removed.stream().map(target::withAddress).toList();
    }

    /**
     * The change in one line: {@code +10.0.0.3 -10.0.0.1}.
     *
     * @return added addresses with {@code +}, removed with {@code -}.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        added.forEach(a -> sb.append(sb.isEmpty() ? "" : " ").append('+').append(Endpoint.literal(a)));
        removed.forEach(a -> sb.append(sb.isEmpty() ? "" : " ").append('-').append(Endpoint.literal(a)));
        return sb.toString();
    }
}
