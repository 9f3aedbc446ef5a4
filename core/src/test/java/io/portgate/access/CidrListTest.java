package io.portgate.access;

import io.portgate.access.CidrFinding.Kind;
import io.portgate.access.CidrFinding.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrListTest
{
    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, true, 8, 10.0.0.0/8", "0.0.0.0/0, true, 0, 0.0.0.0/0", "::/0, false, 0, ::/0",
        "2001:db8::/32, false, 32, 2001:db8::/32", "192.0.2.1, true, 32, 192.0.2.1/32", "::1, false, 128, ::1/128",
        "::ffff:10.0.0.0/104, true, 8, 10.0.0.0/8", "::ffff:0:0/96, true, 0, 0.0.0.0/0",
        "::/80, false, 80, ::/80", "2001:DB8:0:0::/64, false, 64, 2001:db8::/64" })
    void parsesEveryForm(final String text, final boolean ipv4, final int prefix, final String canonical)
    {
        final CidrList list = CidrList.parse("allow", List.of(text));
        assertEquals(List.of(), list.findings().stream().filter(f -> f.level() != Level.NOTE).toList());
        final Cidr cidr = list.entries().getFirst();
        assertEquals(ipv4, cidr.ipv4());
        assertEquals(prefix, cidr.prefixLength());
        assertEquals(canonical, cidr.canonical());
        assertEquals(text, cidr.text());
    }

    @Test
    void aPrefixTooLongForTheFamilyIsAnErrorAtThePrefix()
    {
        final CidrList list = CidrList.parse("deny", List.of("10.0.0.0/8", "10.0.0.0/33", "::/129", "10.0.0.0/x",
            "10.0.0.0/08", "10.0.0.0/", "::ffff:10.0.0.0/129"));
        assertTrue(list.hasErrors());
        assertEquals(1, list.entries().size());
        final List<CidrFinding> findings = list.findings();
        assertEquals(6, findings.size(), findings::toString);
        for (final CidrFinding finding : findings)
        {
            assertEquals(Level.ERROR, finding.level());
            assertEquals(Kind.INVALID_PREFIX, finding.kind());
            assertEquals("deny", finding.list());
        }
        final CidrFinding first = findings.getFirst();
        assertEquals(1, first.index());
        assertEquals(9, first.column(), "the column of '33' in '10.0.0.0/33'");
        assertEquals("prefix length 33 in '10.0.0.0/33' is more than 32, the bits of an IPv4 address",
            first.message());
        assertEquals("write a number from 0 to 32 without leading zeros, e.g. 10.0.0.0/24", first.hint());
        assertEquals(3, findings.get(1).column(), "the column of '129' in '::/129'");
    }

    @Test
    void whatIsNoAddressIsAnErrorAtTheEntry()
    {
        final CidrList list = CidrList.parse("allow", List.of("10.0.0.256/8", "", "010.0.0.0/8", "fe80::1%eth0",
            "[::1]/128", "10.0.0.0 /8", "host.example/32"));
        assertEquals(7, list.findings().size(), list.findings()::toString);
        for (final CidrFinding finding : list.findings())
        {
            assertEquals(Level.ERROR, finding.level());
            assertEquals(Kind.INVALID_ADDRESS, finding.kind());
            assertEquals(0, finding.column());
        }
        assertEquals("'10.0.0.256' in '10.0.0.256/8' is not an IPv4 or IPv6 address",
            list.findings().getFirst().message());
        assertTrue(list.entries().isEmpty());
    }

    @Test
    void hostBitsSetIsAWarningAndTheNetworkIsUsed()
    {
        final CidrList list = CidrList.parse("allow", List.of("10.0.0.1/8", "2001:db8::1/32"));
        assertFalse(list.hasErrors());
        assertEquals(2, list.findings().size());
        final CidrFinding warning = list.findings().getFirst();
        assertEquals(Level.WARNING, warning.level());
        assertEquals(Kind.HOST_BITS_SET, warning.kind());
        assertEquals("'10.0.0.1/8' has bits set after its first 8; it means 10.0.0.0/8", warning.message());
        assertEquals("write 10.0.0.0/8, or 10.0.0.1/32 for the single address", warning.hint());
        assertEquals("2001:db8::/32", list.entries().get(1).canonical());
        assertTrue(list.table().contains4(0x0A63_0000));
    }

    @Test
    void notesDuplicatesAndBlocksInsideOthersWithTheInnermostContainer()
    {
        final CidrList list = CidrList.parse("deny", List.of("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
            "192.0.2.0/24", "10.1.0.0/16", "2001:db8::/32", "2001:db8:1::/48", "0.0.0.0/0"));
        final List<CidrFinding> notes = list.findings();
        assertEquals(List.of(
                "deny[0]:0: note: '10.0.0.0/8' lies inside entry 8 ('0.0.0.0/0') and adds nothing; remove it",
                "deny[1]:0: note: '10.1.0.0/16' lies inside entry 1 ('10.0.0.0/8') and adds nothing; remove it",
                "deny[2]:0: note: '10.1.2.0/24' lies inside entry 2 ('10.1.0.0/16') and adds nothing; remove it",
                "deny[3]:0: note: '192.0.2.0/24' lies inside entry 8 ('0.0.0.0/0') and adds nothing; remove it",
                "deny[4]:0: note: '10.1.0.0/16' repeats entry 2 ('10.1.0.0/16'); remove it",
                "deny[6]:0: note: '2001:db8:1::/48' lies inside entry 6 ('2001:db8::/32') and adds nothing; " +
                    "remove it"),
            notes.stream().map(CidrFinding::toString).toList());
        assertEquals(Kind.DUPLICATE, notes.get(4).kind());
        assertEquals(1, notes.get(4).relatedIndex());
        assertEquals(Kind.REDUNDANT, notes.get(2).kind());
    }

    @Test
    void notesAnIpv6BlockThatIpv4ClientsNeverMatchOnlyWhenTheListHasNoIpv4Entry()
    {
        final CidrList ipv6Only = CidrList.parse("allow", List.of("::/0"));
        assertEquals(Kind.IPV6_BLOCK_SKIPS_IPV4, ipv6Only.findings().getFirst().kind());
        assertFalse(ipv6Only.table().contains4(0x7F00_0001));
        assertTrue(CidrList.parse("allow", List.of("::/0", "0.0.0.0/0")).findings().isEmpty());
        assertTrue(CidrList.parse("allow", List.of("2001:db8::/32")).findings().isEmpty());
    }

    @Test
    void notesAllowAndDenyBlocksThatOverlap()
    {
        final CidrList allow = CidrList.parse("allow", List.of("10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"));
        final CidrList deny = CidrList.parse("deny", List.of("10.9.0.0/16", "192.0.0.0/16", "172.16.0.0/12",
            "2001:db8::/32"));
        assertEquals(List.of(
                "allow[1]:0: note: '192.0.2.0/24' has no effect: it lies inside deny entry 2 ('192.0.0.0/16'), " +
                    "and deny wins; remove one of them",
                "allow[2]:0: note: '2001:db8::/32' has no effect: it lies inside deny entry 4 ('2001:db8::/32'), " +
                    "and deny wins; remove one of them",
                "deny[0]:0: note: '10.9.0.0/16' lies inside allow entry 1 ('10.0.0.0/8'): its clients are refused, " +
                    "as deny wins"),
            AccessRules.overlaps(allow, deny).stream().map(CidrFinding::toString).toList());
        assertTrue(AccessRules.overlaps(allow, null).isEmpty());
        final CidrFinding denyNote = AccessRules.overlaps(allow, deny).get(2);
        assertEquals("allow", denyNote.relatedList());
        assertEquals(0, denyNote.relatedIndex());
    }
}
