package io.portgate.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HostsFile}: hosts(5) as glibc's {@code files} source reads it. */
class HostsFileTest
{
    @TempDir
    Path dir;

    private static List<InetAddress> addresses(final String... literals)
    {
        return java.util.Arrays.stream(literals).map(InetAddress::ofLiteral).toList();
    }

    @Test
    void aNameHasEveryAddressOfEveryLineThatListsIt() throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, """
            # a comment
            10.0.0.1   web.example web   # the first
            10.0.0.2\tWEB.example
            2001:db8::1 web.example
            10.0.0.1   web.example
            10.0.0.300 web.example
            10.1       web.example
            not-an-address web.example
            10.0.0.3   bad..name web.example
            10.0.0.4
            """);
        final HostsFile hosts = new HostsFile(file);

        assertEquals(addresses("10.0.0.1", "10.0.0.2", "2001:db8::1", "10.0.0.3"),
            hosts.addresses(DnsName.parse("Web.Example")), "in file order, each once, case aside");
        assertEquals(addresses("10.0.0.1"), hosts.addresses(DnsName.parse("web")));
        assertEquals(List.of(), hosts.addresses(DnsName.parse("other.example")));
        // toString shows a name the address carries before the slash (and never looks one up).
        assertEquals("/10.0.0.1", hosts.addresses(DnsName.parse("web")).getFirst().toString(),
            "an address carries no name: tables show the address alone");
    }

    @Test
    void anEditAppliesToTheNextLookup() throws IOException
    {
        final Path file = dir.resolve("hosts");
        Files.writeString(file, "10.0.0.1 web.example\n");
        final HostsFile hosts = new HostsFile(file);
        assertEquals(addresses("10.0.0.1"), hosts.addresses(DnsName.parse("web.example")));

        // Same size, and the modification time of the first version: only the inode tells, as when an editor or a
        // configuration tool writes a new file and renames it over the old.
        final FileTime before = Files.getLastModifiedTime(file);
        final Path next = dir.resolve("hosts.new");
        Files.writeString(next, "10.0.0.2 web.example\n");
        Files.setLastModifiedTime(next, before);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertEquals(addresses("10.0.0.2"), hosts.addresses(DnsName.parse("web.example")));

        // Written in place, later.
        Files.writeString(file, "10.0.0.3 web.example\n10.0.0.4 web.example\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(addresses("10.0.0.3", "10.0.0.4"), hosts.addresses(DnsName.parse("web.example")));

        Files.delete(file);
        assertEquals(List.of(), hosts.addresses(DnsName.parse("web.example")));
    }

    @Test
    void theMachinesOwnFileListsLocalhost()
    {
        final List<InetAddress> localhost = new HostsFile(HostResolver.HOSTS_FILE).addresses(
            DnsName.parse("localhost"));

        assertTrue(!localhost.isEmpty() && localhost.stream().allMatch(InetAddress::isLoopbackAddress),
            localhost.toString());
    }
}
