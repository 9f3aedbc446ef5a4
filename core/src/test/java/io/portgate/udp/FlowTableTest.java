package io.portgate.udp;

import io.portgate.loop.IntrusiveList;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The flow table on its own: keys, activity order, IPv6 hash chains and the pool of ended flows. */
class FlowTableTest
{
    private final FlowTable table = new FlowTable();

    private static UdpFlow flow4(final int address, final int port, final int portOffset)
    {
        final UdpFlow flow = new UdpFlow(null, 2);
        flow.address4 = address;
        flow.port = port;
        flow.portOffset = portOffset;
        return flow;
    }

    private static UdpFlow flow6(final long high, final long low, final int port, final int portOffset)
    {
        final UdpFlow flow = new UdpFlow(null, 2);
        flow.ipv6 = true;
        flow.address6High = high;
        flow.address6Low = low;
        flow.port = port;
        flow.portOffset = portOffset;
        return flow;
    }

    private static List<UdpFlow> inOrder(final FlowTable table)
    {
        final List<UdpFlow> flows = new ArrayList<>();
        for (IntrusiveList.Link<UdpFlow> link = table.head(); link != null; link = link.next())
        {
            flows.add(link.element());
        }
        return flows;
    }

    @Test
    void anIpv4ClientIsFoundByAddressPortAndListenerPort()
    {
        final UdpFlow flow = flow4(0x7F00_0001, 40_000, 0);
        table.add(flow);
        assertSame(flow, table.find4(0, 0x7F00_0001, 40_000));
        assertNull(table.find4(1, 0x7F00_0001, 40_000), "another port of the listener's range is another flow");
        assertNull(table.find4(0, 0x7F00_0001, 40_001));
        assertNull(table.find4(0, 0x7F00_0002, 40_000));
        table.remove(flow);
        assertNull(table.find4(0, 0x7F00_0001, 40_000));
        assertEquals(0, table.size());
    }

    @Test
    void flowsAreKeptFromTheLongestIdleToTheMostRecentlyActive()
    {
        final UdpFlow a = flow4(1, 1, 0);
        final UdpFlow b = flow4(2, 2, 0);
        final UdpFlow c = flow4(3, 3, 0);
        table.add(a);
        table.add(b);
        table.add(c);
        assertEquals(List.of(a, b, c), inOrder(table));
        table.touch(a);
        assertEquals(List.of(b, c, a), inOrder(table));
        assertSame(b, table.oldest());
        table.remove(c);
        assertEquals(List.of(b, a), inOrder(table));
        assertEquals(2, table.size());
    }

    @Test
    void ipv6ClientsWhoseKeysCollideAreToldApartFieldByField()
    {
        // Every client hashes alike, as two real addresses might: the chain still finds each exactly.
        final FlowTable colliding = new FlowTable((high, low, port, portOffset) -> 42L);
        final UdpFlow a = flow6(0x2001_0db8_0000_0000L, 1, 5000, 0);
        final UdpFlow b = flow6(0x2001_0db8_0000_0000L, 2, 5000, 0);
        final UdpFlow c = flow6(0x2001_0db8_0000_0000L, 1, 5001, 0);
        colliding.add(a);
        colliding.add(b);
        colliding.add(c);
        assertSame(a, colliding.find6(0, 0x2001_0db8_0000_0000L, 1, 5000));
        assertSame(b, colliding.find6(0, 0x2001_0db8_0000_0000L, 2, 5000));
        assertSame(c, colliding.find6(0, 0x2001_0db8_0000_0000L, 1, 5001));
        assertNull(colliding.find6(1, 0x2001_0db8_0000_0000L, 1, 5000));
        colliding.remove(b);
        assertNull(colliding.find6(0, 0x2001_0db8_0000_0000L, 2, 5000));
        assertSame(a, colliding.find6(0, 0x2001_0db8_0000_0000L, 1, 5000));
        assertSame(c, colliding.find6(0, 0x2001_0db8_0000_0000L, 1, 5001));
        colliding.remove(c);
        colliding.remove(a);
        assertNull(colliding.find6(0, 0x2001_0db8_0000_0000L, 1, 5000));
        assertEquals(0, colliding.size());
    }

    @Test
    void anEndedFlowIsReusedUntilAReloadForgetsThePool()
    {
        final UdpFlow flow = flow4(1, 1, 0);
        table.add(flow);
        table.remove(flow);
        table.recycle(flow);
        assertSame(flow, table.reuse());
        assertNull(table.reuse());
        table.recycle(flow);
        table.forgetPooled();
        assertNull(table.reuse());
        final UdpFlow other = flow4(1, 1, 0);
        table.add(other);
        assertNotSame(flow, table.find4(0, 1, 1));
    }
}
