package io.portgate.access;

import io.portgate.net.Ip;
import io.portgate.net.IpText;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTableTest
{
    @Test
    void matchesTheEdgesOfEachBlockAndNothingBeside()
    {
        final CidrTable table = table("10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32", "::1");
        assertTrue(contains(table, "10.0.0.0"));
        assertTrue(contains(table, "10.255.255.255"));
        assertFalse(contains(table, "9.255.255.255"));
        assertFalse(contains(table, "11.0.0.0"));
        assertTrue(contains(table, "192.0.2.255"));
        assertFalse(contains(table, "192.0.3.0"));
        assertTrue(contains(table, "2001:db8::"));
        assertTrue(contains(table, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertFalse(contains(table, "2001:db9::"));
        assertFalse(contains(table, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertTrue(contains(table, "::1"));
        assertFalse(contains(table, "::2"));
        assertFalse(contains(table, "::"));
    }

    @Test
    void ipv4ClientsMatchIpv4BlocksWhateverSocketTheyCameOn()
    {
        final CidrTable ipv4 = table("127.0.0.0/8");
        assertTrue(ipv4.contains4(0x7F00_0002));
        assertTrue(contains(ipv4, "::ffff:127.0.0.2"));
        assertFalse(ipv4.contains4(0x8000_0000));
        final CidrTable mappedForm = table("::ffff:127.0.0.0/104");
        assertTrue(mappedForm.contains4(0x7F00_0002));

        final CidrTable allIpv6 = table("::/0");
        assertFalse(allIpv6.contains4(0x7F00_0002), "::/0 is every IPv6 client, not IPv4 ones");
        assertTrue(contains(allIpv6, "::1"));
        assertTrue(contains(allIpv6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        final CidrTable allIpv4 = table("0.0.0.0/0");
        assertTrue(allIpv4.contains4(0));
        assertTrue(allIpv4.contains4(-1));
        assertFalse(contains(allIpv4, "::1"));
    }

    @Test
    void anEmptyTableHoldsNothing()
    {
        assertTrue(CidrTable.EMPTY.isEmpty());
        assertFalse(CidrTable.EMPTY.contains4(0));
        assertFalse(CidrTable.EMPTY.contains(0, 0));
        assertEquals(0, CidrTable.EMPTY.rangeCount());
    }

    @Test
    void mergesNestedAndAdjacentBlocks()
    {
        final CidrTable table = table("10.0.0.0/9", "10.128.0.0/9", "10.1.0.0/16", "11.0.0.0/8", "13.0.0.0/8",
            "2001:db8::/33", "2001:db8:8000::/33", "::/1", "8000::/1");
        assertEquals(9, table.blockCount());
        assertEquals(3, table.rangeCount(), "10/8+11/8, 13/8, and all IPv6");
        assertTrue(contains(table, "11.255.255.255"));
        assertFalse(contains(table, "12.0.0.0"));
    }

    @Test
    void agreesWithACheckOfEveryBlockOnThousandsOfRandomLists()
    {
        final SplittableRandom random = new SplittableRandom(2026);
        for (int round = 0; round < 200; round++)
        {
            final int size = round == 0 ? 5_000 : 1 + random.nextInt(round < 20 ? 1_200 : 40);
            final List<Cidr> blocks = new ArrayList<>();
            for (int i = 0; i < size; i++)
            {
                blocks.add(randomBlock(random, i));
            }
            final CidrTable table = new CidrTable(blocks);
            for (int q = 0; q < 500; q++)
            {
                final long high;
                final long low;
                if (random.nextInt(3) == 0)
                {
                    // Right at, before or after an edge of some block.
                    final Cidr edge = blocks.get(random.nextInt(size));
                    final int pick = random.nextInt(4);
                    final long baseHigh = pick < 2 ? edge.firstHigh() : edge.lastHigh();
                    final long baseLow = pick < 2 ? edge.firstLow() : edge.lastLow();
                    final long delta = (pick & 1) == 0 ? 0 : (pick < 2 ? -1 : 1);
                    low = baseLow + delta;
                    high = delta < 0 && baseLow == 0 ? baseHigh - 1 : delta > 0 && low == 0 ? baseHigh + 1 : baseHigh;
                }
                else if (random.nextBoolean())
                {
                    high = 0;
                    low = Ip.mappedLow(random.nextInt());
                }
                else
                {
                    high = random.nextLong() >>> random.nextInt(64);
                    low = random.nextLong();
                }
                assertEquals(bruteForce(blocks, high, low), table.contains(high, low),
                    () -> Ip.toString(high, low) + " in a list of " + blocks.size());
            }
        }
    }

    private static Cidr randomBlock(final SplittableRandom random, final int index)
    {
        final boolean ipv4 = random.nextBoolean();
        final int prefix = ipv4 ? 8 + random.nextInt(25) : random.nextInt(129);
        // Few distinct top bits, so blocks nest and touch often.
        final long high = ipv4 ? 0 : (random.nextLong(4) << 62) | (random.nextLong() >>> 40);
        final long low = ipv4 ? Ip.mappedLow((random.nextInt(4) << 30) | (random.nextInt() >>> 12)) : random.nextLong();
        final int bits = ipv4 ? 96 + prefix : prefix;
        final Cidr cidr = new Cidr(index, "", ipv4, high & Cidr.maskHigh(bits), low & Cidr.maskLow(bits), prefix);
        if (!ipv4 && Ip.isIpv4(cidr.firstHigh(), cidr.firstLow()))
        {
            return new Cidr(index, "", false, 0, 0, 0);
        }
        return cidr;
    }

    private static boolean bruteForce(final List<Cidr> blocks, final long high, final long low)
    {
        final boolean ipv4 = Ip.isIpv4(high, low);
        for (final Cidr cidr : blocks)
        {
            if (cidr.ipv4() == ipv4 && (high & Cidr.maskHigh(cidr.bits())) == cidr.firstHigh() &&
                (low & Cidr.maskLow(cidr.bits())) == cidr.firstLow())
            {
                return true;
            }
        }
        return false;
    }

    static CidrTable table(final String... entries)
    {
        final CidrList list = CidrList.parse("test", List.of(entries));
        assertFalse(list.hasErrors(), list.findings()::toString);
        return list.table();
    }

    static boolean contains(final CidrTable table, final String address)
    {
        final IpText text = new IpText();
        assertTrue(text.parse(address), address);
        return table.contains(text.high(), text.low());
    }
}
