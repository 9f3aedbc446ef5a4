package io.portgate.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ResolvConf}: resolv.conf as glibc reads it (resolv.conf(5)). */
class ResolvConfTest
{
    @TempDir
    Path dir;

    private static ResolvConf parse(final String text)
    {
        return ResolvConf.parse(text.lines().toList(), Map.of(), 53);
    }

    private static InetSocketAddress at(final String address)
    {
        return new InetSocketAddress(InetAddress.ofLiteral(address), 53);
    }

    private static List<DnsName> names(final String... names)
    {
        return java.util.Arrays.stream(names).map(DnsName::parse).toList();
    }

    @Test
    void nameserversInOrderAtMostThreeAndOnlyAddresses()
    {
        final ResolvConf conf = parse("""
            # the local resolver first
            nameserver 10.0.0.53
            ; a comment glibc also skips
            nameserver   2001:db8::53  # trailing words are ignored
            nameserver dns.example
            nameserver
            nameserver 10.0.0.54
            nameserver 10.0.0.55
            """);

        assertEquals(List.of(at("10.0.0.53"), at("2001:db8::53"), at("10.0.0.54")), conf.servers());
    }

    @Test
    void withoutNameserversTheLocalHostIsAsked()
    {
        assertEquals(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53)), parse("").servers());
        assertEquals(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353)),
            ResolvConf.parse(List.of("search example"), Map.of(), 5353).servers());
    }

    @Test
    void theLastDomainOrSearchLineIsTheSearchList()
    {
        assertEquals(names("a.example", "b.example"), parse("domain x.example\nsearch a.example b.example\n")
            .search());
        assertEquals(names("x.example"), parse("search a.example b.example\ndomain x.example y.example\n")
            .search());
        assertEquals(names("a.example", "c.example"), parse("search a.example a..example A.EXAMPLE c.example .\n")
            .search(), "names that are not names, repeats and the root are left out");
        assertEquals(List.of(), parse("search a.example\nsearch\n").search());
    }

    @Test
    void optionsAreCappedAsGlibcCapsThem()
    {
        final ResolvConf defaults = parse("nameserver 10.0.0.53\n");
        assertEquals(1, defaults.ndots());
        assertEquals(5, defaults.timeout());
        assertEquals(2, defaults.attempts());

        final ResolvConf set = parse("options rotate ndots:3 timeout:2 attempts:4 edns0\n");
        assertEquals(List.of(3, 2, 4), List.of(set.ndots(), set.timeout(), set.attempts()));

        final ResolvConf capped = parse("options ndots:99 timeout:99 attempts:99\n");
        assertEquals(List.of(15, 30, 5), List.of(capped.ndots(), capped.timeout(), capped.attempts()));

        final ResolvConf low = parse("options ndots:0 timeout:0 attempts:0\n");
        assertEquals(List.of(0, 1, 1), List.of(low.ndots(), low.timeout(), low.attempts()));

        final ResolvConf bad = parse("options ndots:x timeout:-1 attempts:\noptions ndots:99999999999\n");
        assertEquals(List.of(1, 5, 2), List.of(bad.ndots(), bad.timeout(), bad.attempts()));
    }

    @Test
    void theEnvironmentOverridesTheSearchListAndOptions()
    {
        final ResolvConf conf = ResolvConf.parse(List.of("search a.example", "options ndots:2 attempts:3"),
            Map.of("LOCALDOMAIN", " b.example  c.example ", "RES_OPTIONS", "ndots:4"), 53);

        assertEquals(names("b.example", "c.example"), conf.search());
        assertEquals(4, conf.ndots());
        assertEquals(3, conf.attempts(), "an option the environment does not set stays as the file set it");
    }

    @Test
    void aFileIsReadAndAMissingOneGivesTheDefaults() throws IOException
    {
        final Path file = dir.resolve("resolv.conf");
        Files.write(file, new byte[]{ 'n', 'a', 'm', 'e', 's', 'e', 'r', 'v', 'e', 'r', ' ', '1', '0', '.', '0', '.',
            '0', '.', '1', '\n', 's', 'e', 'a', 'r', 'c', 'h', ' ', (byte)0xE9, ' ', 'x', '.', 'e', 'x', '\n' });

        final ResolvConf conf = ResolvConf.read(file, Map.of(), 53);

        assertEquals(List.of(at("10.0.0.1")), conf.servers(), "a byte that is not UTF-8 spoils nothing");
        assertEquals(names("x.ex"), conf.search());
        assertEquals(parse(""), ResolvConf.read(dir.resolve("missing"), Map.of(), 53));
    }

    @Test
    void theMachinesOwnFileReads()
    {
        // Whatever it says, it gives at least one server, each on port 53.
        final ResolvConf conf = ResolvConf.read(ResolvConf.PATH, Map.of(), 53);

        assertFalse(conf.servers().isEmpty());
        assertTrue(conf.servers().stream().allMatch(s -> s.getPort() == 53 && s.getAddress() != null));
    }
}
