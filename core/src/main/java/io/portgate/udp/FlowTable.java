package io.portgate.udp;

import io.portgate.balance.Hashing;
import io.portgate.loop.IntrusiveList;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * One listener's flows on one worker, found by their client and kept in order of activity. Worker thread only.
 *
 * <p>IPv4 clients are keyed exactly by one long (address, port and the listener port's offset); IPv6 clients by a
 * hash of the same, with a chain of flows per hash compared field by field. Flows are listed from the longest idle
 * to the most recently active: the oldest is the one to expire or evict first. Flows that ended wait in a pool for
 * the next client, so a busy table allocates nothing in steady state.
 */
final class FlowTable
{
    private static final int INITIAL_CAPACITY = 256;
    private static final float LOAD_FACTOR = 0.65f;

    /** How an IPv6 client is hashed to its key; the table's own, or one a test picks to make keys collide. */
    @FunctionalInterface
    interface Ipv6Hash
    {
        long hash(long high, long low, int port, int portOffset);
    }

    private final Long2ObjectHashMap<UdpFlow> byKey4 = new Long2ObjectHashMap<>(INITIAL_CAPACITY, LOAD_FACTOR);
    private final Long2ObjectHashMap<UdpFlow> byHash6 = new Long2ObjectHashMap<>(INITIAL_CAPACITY, LOAD_FACTOR);
    private final IntrusiveList<UdpFlow> byActivity = new IntrusiveList<>();
    private final ArrayDeque<UdpFlow> free = new ArrayDeque<>();
    private final Ipv6Hash ipv6Hash;

    FlowTable()
    {
        this(FlowTable::hash6);
    }

    FlowTable(final Ipv6Hash ipv6Hash)
    {
        this.ipv6Hash = ipv6Hash;
    }

    static long key4(final int address, final int port, final int portOffset)
    {
        return ((long)address << 32) | ((long)(port & 0xFFFF) << 16) | (portOffset & 0xFFFF);
    }

    static long hash6(final long high, final long low, final int port, final int portOffset)
    {
        return Hashing.mix64(high ^ Hashing.mix64(low ^ (((long)port << 16) | portOffset)));
    }

    UdpFlow find4(final int portOffset, final int address, final int port)
    {
        return byKey4.get(key4(address, port, portOffset));
    }

    UdpFlow find6(final int portOffset, final long high, final long low, final int port)
    {
        for (UdpFlow flow = byHash6.get(ipv6Hash.hash(high, low, port, portOffset)); flow != null;
            flow = flow.nextWithSameHash)
        {
            if (flow.matches6(high, low, port, portOffset))
            {
                return flow;
            }
        }
        return null;
    }

    /**
     * Adds a flow whose client fields are set, as the most recently active.
     *
     * @param flow the flow, in no table.
     */
    void add(final UdpFlow flow)
    {
        if (flow.ipv6)
        {
            flow.key = ipv6Hash.hash(flow.address6High, flow.address6Low, flow.port, flow.portOffset);
            flow.nextWithSameHash = byHash6.put(flow.key, flow);
        }
        else
        {
            flow.key = key4(flow.address4, flow.port, flow.portOffset);
            flow.nextWithSameHash = null;
            byKey4.put(flow.key, flow);
        }
        byActivity.addLast(flow.activityLink);
    }

    /**
     * Makes a flow the most recently active.
     *
     * @param flow a flow of this table.
     */
    void touch(final UdpFlow flow)
    {
        byActivity.moveToTail(flow.activityLink);
    }

    /**
     * Takes a flow out; it is no longer found.
     *
     * @param flow a flow of this table.
     */
    void remove(final UdpFlow flow)
    {
        if (!flow.ipv6)
        {
            byKey4.remove(flow.key);
        }
        else
        {
            unchain(flow);
        }
        byActivity.remove(flow.activityLink);
        flow.nextWithSameHash = null;
    }

    private void unchain(final UdpFlow flow)
    {
        final UdpFlow head = byHash6.get(flow.key);
        if (head == flow)
        {
            if (flow.nextWithSameHash == null)
            {
                byHash6.remove(flow.key);
            }
            else
            {
                byHash6.put(flow.key, flow.nextWithSameHash);
            }
            return;
        }
        for (UdpFlow previous = head; previous != null; previous = previous.nextWithSameHash)
        {
            if (previous.nextWithSameHash == flow)
            {
                previous.nextWithSameHash = flow.nextWithSameHash;
                return;
            }
        }
    }

    /** @return the longest idle flow, or null when empty. */
    UdpFlow oldest()
    {
        return byActivity.first();
    }

    /** @return the flows from the longest idle on, to walk with {@link IntrusiveList.Link#next()}. */
    IntrusiveList.Link<UdpFlow> head()
    {
        return byActivity.head();
    }

    /** @return how many flows it holds. */
    int size()
    {
        return byActivity.size();
    }

    /** @return a pooled flow to reuse, or null when there is none. */
    UdpFlow reuse()
    {
        return free.pollFirst();
    }

    /**
     * Pools a flow that ended, for a later client.
     *
     * @param flow a flow no longer in the table.
     */
    void recycle(final UdpFlow flow)
    {
        free.addFirst(flow);
    }

    /** Drops the pooled flows, after a reload changed how many targets a flow has sockets for. */
    void forgetPooled()
    {
        free.clear();
    }
}
