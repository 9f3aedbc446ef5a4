package io.portgate.access;

import io.portgate.net.Ip;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessRulesTest
{
    private static final int LOOPBACK_1 = 0x7F00_0001;
    private static final int LOOPBACK_2 = 0x7F00_0002;
    private static final int LOOPBACK_3 = 0x7F00_0003;

    @Test
    void denyWinsOverAllow()
    {
        final AccessRules rules = AccessRules.of(list("allow", "127.0.0.0/8"), list("deny", "127.0.0.2"));
        assertEquals(AccessRules.ALLOWED, rules.check4(LOOPBACK_1));
        assertEquals(AccessRules.DENIED, rules.check4(LOOPBACK_2));
        assertEquals(AccessRules.NOT_ALLOWED, rules.check4(0x0A00_0001));
        assertTrue(rules.restricts());
    }

    @Test
    void withoutAnAllowListOnlyDenyRefuses()
    {
        final AccessRules rules = AccessRules.of(null, list("deny", "127.0.0.2", "2001:db8::/32"));
        assertEquals(AccessRules.ALLOWED, rules.check4(LOOPBACK_1));
        assertEquals(AccessRules.DENIED, rules.check4(LOOPBACK_2));
        assertEquals(AccessRules.DENIED, rules.check(0x2001_0db8_0000_0000L, 1));
        assertEquals(AccessRules.ALLOWED, rules.check(0x2001_0db9_0000_0000L, 1));
        assertEquals(AccessRules.DENIED, rules.check(0, Ip.mappedLow(LOOPBACK_2)), "an IPv4 client on [::]");
    }

    @Test
    void anEmptyAllowListRefusesEveryone()
    {
        final AccessRules rules = AccessRules.of(list("allow"), null);
        assertEquals(AccessRules.NOT_ALLOWED, rules.check4(LOOPBACK_3));
        assertEquals(AccessRules.NOT_ALLOWED, rules.check(0, 1));
    }

    @Test
    void allowAllLetsEveryoneIn()
    {
        assertFalse(AccessRules.ALLOW_ALL.restricts());
        assertEquals(AccessRules.ALLOWED, AccessRules.ALLOW_ALL.check4(LOOPBACK_3));
        assertFalse(AccessRules.of((CidrTable)null, null).restricts());
    }

    @Test
    void bothFamiliesAreCoveredOnlyByBothAllBlocks()
    {
        final AccessRules ipv6Only = AccessRules.of(list("allow", "::/0"), null);
        assertEquals(AccessRules.NOT_ALLOWED, ipv6Only.check4(LOOPBACK_1));
        final AccessRules both = AccessRules.of(list("allow", "::/0", "0.0.0.0/0"), null);
        assertEquals(AccessRules.ALLOWED, both.check4(LOOPBACK_1));
        assertEquals(AccessRules.ALLOWED, both.check(0, 1));
    }

    @Test
    void refusesListsWithErrorsAndNamesVerdicts()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> AccessRules.of(null, CidrList.parse("deny", List.of("10.0.0.0/33"))));
        assertTrue(error.getMessage().startsWith("the deny list has errors: "), error.getMessage());
        assertEquals("allowed", AccessRules.reasonName(AccessRules.ALLOWED));
        assertEquals("denied", AccessRules.reasonName(AccessRules.DENIED));
        assertEquals("not_allowed", AccessRules.reasonName(AccessRules.NOT_ALLOWED));
        assertThrows(IllegalArgumentException.class, () -> AccessRules.reasonName(3));
    }

    private static CidrList list(final String name, final String... entries)
    {
        return CidrList.parse(name, List.of(entries));
    }
}
