package io.portgate.dns;

import io.portgate.config.PortRange;

import java.util.List;

/**
 * Where the lookups of one named target of a pool stand: what {@code /api/pools}, {@code ports --live} and the
 * metrics file show of it.
 *
 * @param pool                the pool.
 * @param name                the host name as written.
 * @param ports               the target's own ports, or null when it takes the pool's.
 * @param records             its last good set of addresses (kept through failed lookups), in
 *                            {@link AddressRecord#ADDRESS_ORDER}; the addresses it was loaded with until the first
 *                            lookup ends.
 * @param lookups             lookups ended, successful or not.
 * @param failures            lookups that failed.
 * @param changes             lookups that changed the set of addresses.
 * @param consecutiveFailures failed lookups since the last one that succeeded.
 * @param lastOutcome         how the last lookup ended, or null before the first ended.
 * @param lastReason          why the last lookup failed, or null when it did not.
 * @param resolver            who is asked.
 */
public record NameStatus(String pool, String name, PortRange ports, List<AddressRecord> records, long lookups,
    long failures, long changes, int consecutiveFailures, LookupOutcome lastOutcome, String lastReason,
    String resolver)
{
    /**
     * Copies the records so the record stays immutable.
     */
    public NameStatus
    {
        records = List.copyOf(records);
    }
}
