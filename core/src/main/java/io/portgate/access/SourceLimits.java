package io.portgate.access;

import io.portgate.balance.Hashing;
import io.portgate.net.Ip;

/**
 * One worker's per-source limits for one listener: for each client address, how many connections (TCP) or flows
 * (UDP) it has open, and a rate limit on its new connections (TCP) or its datagrams (UDP). A fixed-size table:
 * every array is allocated by the constructor, nothing grows, and no operation allocates. Worker thread only (no
 * lock, no atomic); the counters are plain fields for the worker to copy into its metrics.
 *
 * <h2>Operations</h2>
 * <ul>
 *   <li>{@link #acquire(long, long, long)} when a connection or flow opens: checks the source's count against
 *       {@link Settings#maxConcurrent()} and, for TCP, charges its rate; answers a handle (≥ 0) to keep with the
 *       connection, or {@code -}{@link #CONCURRENCY_LIMIT} / {@code -}{@link #RATE_LIMIT}.</li>
 *   <li>{@link #release(long, long)} with that handle when it closes. The handle names the table entry and its
 *       generation, so a release costs no hash lookup and a release for an entry evicted since is ignored
 *       (counted in {@link #staleReleases()}) instead of decrementing a newer entry of the same source.</li>
 *   <li>{@link #charge(long, long, long)} for each UDP datagram: the rate alone, answers {@link #ADMITTED} or
 *       {@link #RATE_LIMIT}.</li>
 * </ul>
 *
 * <h2>The rate limit</h2>
 * A token bucket of {@link Settings#burst()} tokens refilled at {@link Settings#perSecond()}, kept as one long per
 * source with the generic cell rate algorithm (GCRA): the time at which the bucket would be full again. A new source
 * starts with a full bucket; the emission interval is {@code 1e9 / perSecond} ns rounded down, so the rate is met or
 * exceeded by less than one part in a billion. Time is the caller's clock in nanoseconds (the loop's, read once per
 * duty cycle), compared by difference, so tests move it by hand.
 *
 * <h2>When the table is full</h2>
 * A new source takes the entry of, in this order: (1) a source with nothing open and a full bucket, looked for among
 * the {@value #EVICTION_SCAN} longest idle ones (nothing is lost); (2) the longest idle source with nothing open (its
 * rate debt is forgotten); (3) the least recently used source with connections open (its count is forgotten, so it
 * may open up to the limit again). Every eviction is counted in {@link #evictions()}, those that forgot something
 * also in {@link #lossyEvictions()}. A source whose last connection closes with a full bucket is dropped at once, so
 * with rate limits off the table holds only sources with something open. Memory is fixed at about
 * {@value #BYTES_PER_ENTRY} bytes per entry.
 *
 * <h2>Several workers: each enforces the full limit</h2>
 * Every worker binds the listener with SO_REUSEPORT, and Linux picks the socket by a hash of the connection's
 * addresses and ports, so one client's connections (from different source ports) spread over the N workers. This
 * table is per worker; each worker enforces the whole configured limit, not limit/N. Measured on this project's
 * machines (see {@code perf-results/2026-11-28/access-parts.md}), a source's connections split between workers like
 * coin tosses; with limit/N per worker a client within its limit would be refused whenever its connections happen
 * to split unevenly (37.5 % of the time for 5 connections under a limit of 5 on 2 workers), which is a false refusal
 * of a well-behaved client. With the full limit per worker no client is ever refused below its limit, and one
 * source can hold at most N times the limit (at most the limit with one worker), a bounded and documented excess.
 * A deployment that needs the exact figure runs the listener on one worker, or steers each source to one worker
 * (a reuseport BPF program hashing the source address only), after which the per-worker limit is exact.
 */
public final class SourceLimits
{
    /** {@link #charge} answer: the datagram may pass. */
    public static final int ADMITTED = 0;
    /** The source has {@link Settings#maxConcurrent()} connections or flows open. */
    public static final int CONCURRENCY_LIMIT = 1;
    /** The source's rate is spent. */
    public static final int RATE_LIMIT = 2;
    /** The largest code; size a counter array {@code MAX_CODE + 1}. */
    public static final int MAX_CODE = 2;

    /** How many of the longest idle entries are looked at for one that can go without losing anything. */
    public static final int EVICTION_SCAN = 8;
    /** The table's memory per entry: key, rate state, count, generation, list links and two hash slots. */
    public static final int BYTES_PER_ENTRY = 8 * 3 + 4 * 4 + 4 * 2;

    private static final String[] NAMES = { "admitted", "concurrency_limit", "rate_limit" };
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int NONE = -1;

    /**
     * A listener's per-source limits.
     *
     * @param maxConcurrent     connections (TCP) or flows (UDP) one source may have open, 0 for no limit.
     * @param perSecond         new connections (TCP) or datagrams (UDP) per second from one source, 0 for no limit;
     *                          at most one per nanosecond.
     * @param burst             how many may come at once after a quiet spell, at least 1; {@link #of} uses
     *                          {@code perSecond} (one second's worth).
     * @param ipv6PrefixLength  how much of an IPv6 address names a source: 128 for the address, 64 for its subnet
     *                          (one client can pick any of 2^64 addresses in its /64). IPv4 sources are whole
     *                          addresses.
     * @param rateOnAcquire     whether {@link #acquire} charges the rate (TCP: the rate is of connections) or not
     *                          (UDP: the rate is of datagrams, charged by {@link #charge}).
     */
    public record Settings(int maxConcurrent, long perSecond, long burst, int ipv6PrefixLength,
        boolean rateOnAcquire)
    {
        /**
         * Checks the values.
         */
        public Settings
        {
            if (maxConcurrent < 0 || perSecond < 0 || perSecond > NANOS_PER_SECOND || burst < 1 ||
                ipv6PrefixLength < 1 || ipv6PrefixLength > 128)
            {
                throw new IllegalArgumentException("per-source limits out of range: max " + maxConcurrent +
                    ", rate " + perSecond + "/s (0 to 1e9), burst " + burst + " (at least 1), IPv6 prefix /" +
                    ipv6PrefixLength + " (1 to 128)");
            }
        }

        /**
         * TCP limits: concurrent connections and new connections per second, burst one second's worth, each IPv6
         * address a source.
         *
         * @param maxConnections       0 for no limit.
         * @param connectionsPerSecond 0 for no limit.
         * @return the settings.
         */
        public static Settings tcp(final int maxConnections, final long connectionsPerSecond)
        {
            return new Settings(maxConnections, connectionsPerSecond, Math.max(1, connectionsPerSecond), 128, true);
        }

        /**
         * UDP limits: flows and datagrams per second, burst one second's worth, each IPv6 address a source.
         *
         * @param maxFlows           0 for no limit.
         * @param datagramsPerSecond 0 for no limit.
         * @return the settings.
         */
        public static Settings udp(final int maxFlows, final long datagramsPerSecond)
        {
            return new Settings(maxFlows, datagramsPerSecond, Math.max(1, datagramsPerSecond), 128, false);
        }

        long intervalNs()
        {
            return perSecond == 0 ? 0 : NANOS_PER_SECOND / perSecond;
        }
    }

    private final int capacity;
    private final int slotMask;
    private final long seed;
    private final int[] slots;
    private final long[] keyHigh;
    private final long[] keyLow;
    /** GCRA: when the source's bucket is full again. */
    private final long[] fullAtNs;
    private final int[] count;
    private final int[] generation;
    private final int[] prev;
    private final int[] next;

    private int maxConcurrent;
    private boolean rateOnAcquire;
    private long intervalNs;
    private long toleranceNs;
    private long ipv6MaskHigh;
    private long ipv6MaskLow;

    private int size;
    private int freeHead;
    private int idleHead = NONE;
    private int idleTail = NONE;
    private int busyHead = NONE;
    private int busyTail = NONE;

    private long evictions;
    private long lossyEvictions;
    private long staleReleases;
    private long refusedConcurrency;
    private long refusedRate;

    /**
     * A table.
     *
     * @param capacity how many sources it remembers at once, at least 1; its memory is fixed by this.
     * @param settings the limits.
     * @param seed     seeds the hash, so that sources cannot be chosen to collide; any value.
     */
    public SourceLimits(final int capacity, final Settings settings, final long seed)
    {
        if (capacity < 1 || capacity > 1 << 28)
        {
            throw new IllegalArgumentException("a per-source table holds 1 to 2^28 sources, not " + capacity);
        }
        this.capacity = capacity;
        this.seed = Hashing.mix64(seed);
        final int slotCount = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.slotMask = slotCount - 1;
        this.slots = new int[slotCount];
        this.keyHigh = new long[capacity];
        this.keyLow = new long[capacity];
        this.fullAtNs = new long[capacity];
        this.count = new int[capacity];
        this.generation = new int[capacity];
        this.prev = new int[capacity];
        this.next = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            next[i] = i + 1 < capacity ? i + 1 : NONE;
        }
        freeHead = 0;
        reconfigure(settings);
    }

    /**
     * Applies new limits (a reload) and keeps every source's state: counts stay, and a count above a lowered limit
     * refuses new connections until it drops below. Worker thread only.
     *
     * @param settings the limits now.
     */
    public void reconfigure(final Settings settings)
    {
        maxConcurrent = settings.maxConcurrent();
        rateOnAcquire = settings.rateOnAcquire();
        intervalNs = settings.intervalNs();
        toleranceNs = intervalNs * (settings.burst() - 1);
        ipv6MaskHigh = Cidr.maskHigh(settings.ipv6PrefixLength());
        ipv6MaskLow = Cidr.maskLow(settings.ipv6PrefixLength());
    }

    /**
     * A connection or flow from a source opens.
     *
     * @param high  the source's address, high 64 bits.
     * @param low   its low 64 bits (IPv4 in mapped form).
     * @param nowNs the loop's clock.
     * @return a handle (≥ 0) for {@link #release}, or {@code -}{@link #CONCURRENCY_LIMIT} or
     *         {@code -}{@link #RATE_LIMIT}; a refused source's state is unchanged but for its recency.
     */
    public long acquire(final long high, final long low, final long nowNs)
    {
        final int entry = findOrAdd(high, low, nowNs);
        if (maxConcurrent > 0 && count[entry] >= maxConcurrent)
        {
            refusedConcurrency++;
            touch(entry);
            return -CONCURRENCY_LIMIT;
        }
        if (rateOnAcquire && intervalNs > 0 && !takeToken(entry, nowNs))
        {
            refusedRate++;
            touch(entry);
            return -RATE_LIMIT;
        }
        if (count[entry]++ == 0)
        {
            unlink(entry);
            appendBusy(entry);
        }
        else
        {
            touch(entry);
        }
        return (long)generation[entry] << 32 | entry;
    }

    /**
     * A connection or flow that {@link #acquire} admitted closes.
     *
     * @param handle what {@link #acquire} answered.
     * @param nowNs  the loop's clock.
     */
    public void release(final long handle, final long nowNs)
    {
        final int entry = (int)handle;
        if (handle < 0 || entry < 0 || entry >= capacity || generation[entry] != (int)(handle >>> 32) || count[entry] == 0)
        {
            staleReleases++;
            return;
        }
        if (--count[entry] > 0)
        {
            return;
        }
        unlink(entry);
        if (fullAtNs[entry] - nowNs <= 0)
        {
            remove(entry);
        }
        else
        {
            appendIdle(entry);
        }
    }

    /**
     * A datagram from a source arrives (UDP): charges the source's rate.
     *
     * @param high  the source's address, high 64 bits.
     * @param low   its low 64 bits (IPv4 in mapped form).
     * @param nowNs the loop's clock.
     * @return {@link #ADMITTED} or {@link #RATE_LIMIT}.
     */
    public int charge(final long high, final long low, final long nowNs)
    {
        if (intervalNs == 0)
        {
            return ADMITTED;
        }
        final int entry = findOrAdd(high, low, nowNs);
        touch(entry);
        if (!takeToken(entry, nowNs))
        {
            refusedRate++;
            return RATE_LIMIT;
        }
        return ADMITTED;
    }

    /**
     * How many connections or flows a source has open, as this table knows it. Does not change recency.
     *
     * @param high the source's address, high 64 bits.
     * @param low  its low 64 bits.
     * @return the count, 0 for a source not in the table.
     */
    public int concurrent(final long high, final long low)
    {
        final int entry = find(keyOfHigh(high, low), keyOfLow(high, low));
        return entry == NONE ? 0 : count[entry];
    }

    /**
     * Whether a source is in the table.
     *
     * @param high the source's address, high 64 bits.
     * @param low  its low 64 bits.
     * @return true when it has an entry.
     */
    public boolean tracks(final long high, final long low)
    {
        return find(keyOfHigh(high, low), keyOfLow(high, low)) != NONE;
    }

    /** @return sources in the table now. */
    public int size()
    {
        return size;
    }

    /** @return the most sources it holds. */
    public int capacity()
    {
        return capacity;
    }

    /** @return entries taken for a new source because the table was full. */
    public long evictions()
    {
        return evictions;
    }

    /** @return evictions that forgot open connections or rate debt. */
    public long lossyEvictions()
    {
        return lossyEvictions;
    }

    /** @return releases ignored because their entry had been evicted (or released twice). */
    public long staleReleases()
    {
        return staleReleases;
    }

    /** @return acquisitions refused by the concurrency limit. */
    public long refusedConcurrency()
    {
        return refusedConcurrency;
    }

    /** @return acquisitions and datagrams refused by the rate limit. */
    public long refusedRate()
    {
        return refusedRate;
    }

    /**
     * The counter name of a code.
     *
     * @param code {@link #ADMITTED}, {@link #CONCURRENCY_LIMIT} or {@link #RATE_LIMIT}.
     * @return {@code admitted}, {@code concurrency_limit} or {@code rate_limit}.
     */
    public static String reasonName(final int code)
    {
        if (code < 0 || code > MAX_CODE)
        {
            throw new IllegalArgumentException("no per-source limit verdict has code " + code);
        }
        return NAMES[code];
    }

    // ---- rate

    private boolean takeToken(final int entry, final long nowNs)
    {
        final long fullAt = fullAtNs[entry];
        final long from = fullAt - nowNs > 0 ? fullAt : nowNs;
        if (from - nowNs > toleranceNs)
        {
            return false;
        }
        fullAtNs[entry] = from + intervalNs;
        return true;
    }

    // ---- hash index: linear probing over entry numbers + 1, deletion by backward shift (no tombstones)

    private long keyOfHigh(final long high, final long low)
    {
        return Ip.isIpv4(high, low) ? high : high & ipv6MaskHigh;
    }

    private long keyOfLow(final long high, final long low)
    {
        return Ip.isIpv4(high, low) ? low : low & ipv6MaskLow;
    }

    private int home(final long high, final long low)
    {
        return (int)Hashing.mix64(high ^ Hashing.mix64(low ^ seed)) & slotMask;
    }

    private int find(final long high, final long low)
    {
        for (int slot = home(high, low); ; slot = (slot + 1) & slotMask)
        {
            final int entry = slots[slot] - 1;
            if (entry == NONE)
            {
                return NONE;
            }
            if (keyHigh[entry] == high && keyLow[entry] == low)
            {
                return entry;
            }
        }
    }

    private int findOrAdd(final long addressHigh, final long addressLow, final long nowNs)
    {
        final long high = keyOfHigh(addressHigh, addressLow);
        final long low = keyOfLow(addressHigh, addressLow);
        int slot = home(high, low);
        while (true)
        {
            final int entry = slots[slot] - 1;
            if (entry == NONE)
            {
                break;
            }
            if (keyHigh[entry] == high && keyLow[entry] == low)
            {
                return entry;
            }
            slot = (slot + 1) & slotMask;
        }
        if (freeHead == NONE)
        {
            evict(nowNs);
            // The eviction may have shifted entries back into the probe sequence: look for the free slot again.
            slot = home(high, low);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & slotMask;
            }
        }
        final int entry = freeHead;
        freeHead = next[entry];
        // 31 bits, so that a handle is never negative.
        generation[entry] = (generation[entry] + 1) & Integer.MAX_VALUE;
        keyHigh[entry] = high;
        keyLow[entry] = low;
        fullAtNs[entry] = nowNs;
        count[entry] = 0;
        slots[slot] = entry + 1;
        size++;
        appendIdle(entry);
        return entry;
    }

    private void remove(final int entry)
    {
        int hole = home(keyHigh[entry], keyLow[entry]);
        while (slots[hole] != entry + 1)
        {
            hole = (hole + 1) & slotMask;
        }
        for (int slot = (hole + 1) & slotMask; slots[slot] != 0; slot = (slot + 1) & slotMask)
        {
            final int moving = slots[slot] - 1;
            final int wanted = home(keyHigh[moving], keyLow[moving]);
            // The entry may move back to the hole unless its home lies cyclically in (hole, slot].
            final boolean stays = hole <= slot ? hole < wanted && wanted <= slot : hole < wanted || wanted <= slot;
            if (!stays)
            {
                slots[hole] = slots[slot];
                hole = slot;
            }
        }
        slots[hole] = 0;
        count[entry] = 0;
        next[entry] = freeHead;
        freeHead = entry;
        size--;
    }

    private void evict(final long nowNs)
    {
        int victim = NONE;
        int scanned = 0;
        for (int entry = idleHead; entry != NONE && scanned < EVICTION_SCAN; entry = next[entry], scanned++)
        {
            if (fullAtNs[entry] - nowNs <= 0)
            {
                victim = entry;
                break;
            }
        }
        if (victim == NONE)
        {
            victim = idleHead != NONE ? idleHead : busyHead;
            lossyEvictions++;
        }
        evictions++;
        unlink(victim);
        remove(victim);
    }

    // ---- recency lists: idle (nothing open) and busy, each from least to most recently used

    private void touch(final int entry)
    {
        unlink(entry);
        if (count[entry] > 0)
        {
            appendBusy(entry);
        }
        else
        {
            appendIdle(entry);
        }
    }

    /** Takes an entry out of whichever list holds it; an entry without a predecessor is its list's head. */
    private void unlink(final int entry)
    {
        final int before = prev[entry];
        final int after = next[entry];
        if (before != NONE)
        {
            next[before] = after;
        }
        else if (busyHead == entry)
        {
            busyHead = after;
        }
        else if (idleHead == entry)
        {
            idleHead = after;
        }
        if (after != NONE)
        {
            prev[after] = before;
        }
        else if (busyTail == entry)
        {
            busyTail = before;
        }
        else if (idleTail == entry)
        {
            idleTail = before;
        }
        prev[entry] = NONE;
        next[entry] = NONE;
    }

    private void appendIdle(final int entry)
    {
        prev[entry] = idleTail;
        next[entry] = NONE;
        if (idleTail != NONE)
        {
            next[idleTail] = entry;
        }
        else
        {
            idleHead = entry;
        }
        idleTail = entry;
    }

    private void appendBusy(final int entry)
    {
        prev[entry] = busyTail;
        next[entry] = NONE;
        if (busyTail != NONE)
        {
            next[busyTail] = entry;
        }
        else
        {
            busyHead = entry;
        }
        busyTail = entry;
    }
}
