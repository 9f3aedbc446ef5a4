package io.portgate.dns;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DnsName}: the text a configuration writes, the wire form, and DNS's notion of equal. */
class DnsNameTest
{
    @Test
    void aNameIsItsLabelsLengthPrefixedEndingInTheRoot()
    {
        final DnsName name = DnsName.parse("Web.Portgate.TEST");

        assertEquals("03776562" + "08706f727467617465" + "0474657374" + "00", HexFormat.of().formatHex(name.wire()));
        assertEquals(3, name.labels());
        assertEquals("web.portgate.test", name.toString());
        assertEquals(name, DnsName.parse("web.portgate.test."), "a trailing dot changes nothing on the wire");
        assertEquals(DnsName.ROOT, DnsName.parse("."));
        assertTrue(DnsName.ROOT.isRoot());
    }

    @Test
    void namesAreEqualWithoutRegardToCaseButByteForByteOtherwise()
    {
        assertEquals(DnsName.parse("WEB.example"), DnsName.parse("web.EXAMPLE"));
        assertEquals(DnsName.parse("WEB.example").hashCode(), DnsName.parse("web.EXAMPLE").hashCode());
        assertNotEquals(DnsName.parse("web1.example"), DnsName.parse("web.example"));
        // Only ASCII letters fold (RFC 4343): bytes above 127 read from the wire compare as they are.
        final DnsName upper = DnsName.ofWire(new byte[]{ 1, (byte)0xC4, 0 }, 1);
        final DnsName lower = DnsName.ofWire(new byte[]{ 1, (byte)0xE4, 0 }, 1);
        assertNotEquals(upper, lower);
        assertEquals("\\196", upper.toString());
    }

    @Test
    void labelsAndNamesHaveTheirLimits()
    {
        final String label63 = "a".repeat(63);
        final byte[] wire = DnsName.parse(label63 + ".b").wire();
        assertEquals(63, wire[0]);
        assertEquals(1, wire[64], "the next label's length right after the 63 bytes");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse("a".repeat(64) + ".b"))
            .getMessage().contains("label of 64 characters"));

        // 253 characters of text are 255 bytes on the wire: the longest name there is.
        final String longest = label63 + "." + label63 + "." + label63 + "." + "a".repeat(61);
        assertEquals(253, longest.length());
        assertEquals(255, DnsName.parse(longest).wire().length);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse(longest + "a"))
            .getMessage().contains("256 bytes long"));
    }

    @Test
    void whatIsNotANameSaysWhy()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse("a..b")).getMessage()
            .contains("empty label"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse(".a")).getMessage()
            .contains("empty label"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse("")).getMessage()
            .contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse("a b")).getMessage()
            .contains("a space"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse("a\\.b")).getMessage()
            .contains("backslash"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DnsName.parse("caf\u00e9.example"))
            .getMessage().contains("U+00E9"));
    }

    @Test
    void appendingASearchDomainStopsAt255Bytes()
    {
        assertEquals(DnsName.parse("web.corp.example"), DnsName.parse("web").append(DnsName.parse("corp.example")));
        assertEquals(3, DnsName.parse("web").append(DnsName.parse("corp.example")).labels());
        final DnsName big = DnsName.parse("a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63));
        assertEquals(193, big.wire().length);
        assertEquals(255, big.append(DnsName.parse("d".repeat(61))).wire().length);
        assertNull(big.append(DnsName.parse("d".repeat(62))));
    }

    @Test
    void toStringEscapesWhatTextCannotHold()
    {
        // A label holding a dot and a backslash, as a server may send it.
        final DnsName odd = DnsName.ofWire(new byte[]{ 3, 'a', '.', '\\', 1, 7, 0 }, 2);

        assertEquals("a\\.\\\\.\\007", odd.toString());
        assertEquals(".", DnsName.ROOT.toString());
    }
}
