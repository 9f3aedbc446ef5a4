package io.portgate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link HostFacts#system()} against what the machine's own tools print: the same /proc files read by {@code cat},
 * the open-file limit by {@code prlimit}, the addresses by {@code ip}.
 */
@EnabledOnOs(OS.LINUX)
class HostFactsTest
{
    private static String run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out.trim();
    }

    @Test
    void unprivilegedPortStartIsWhatCatPrints() throws Exception
    {
        final String catted = run("cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start");
        assertEquals(Integer.parseInt(catted), HostFacts.system().unprivilegedPortStart());
    }

    @Test
    void ephemeralRangeIsWhatCatPrints() throws Exception
    {
        final String[] catted = run("cat", "/proc/sys/net/ipv4/ip_local_port_range").split("\\s+");
        assertEquals(new PortRange(Integer.parseInt(catted[0]), Integer.parseInt(catted[1])),
            HostFacts.system().ephemeralPorts());
    }

    @Test
    void openFileLimitIsWhatPrlimitPrintsForThisProcess() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        final String soft = run("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()), "--nofile",
            "--output", "SOFT", "--noheadings");
        final long expected = soft.equals("unlimited") ? HostFacts.UNLIMITED : Long.parseLong(soft);
        assertEquals(expected, HostFacts.system().openFileLimit());
    }

    @Test
    void privilegedPortCapabilityIsWhatStatusSays() throws Exception
    {
        // capsh decodes the same mask independently: cap_net_bind_service is in it or not.
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/capsh")) || Files.isExecutable(Path.of("/sbin/capsh")),
            "capsh is not installed");
        String mask = null;
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("CapEff:"))
            {
                mask = line.substring("CapEff:".length()).trim();
            }
        }
        final String decoded = run("capsh", "--decode=" + mask);
        assertEquals(decoded.contains("cap_net_bind_service"), HostFacts.system().canBindPrivilegedPorts(), decoded);
    }

    @Test
    void everyAddressIpListsIsLocalAndOthersAreNot() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
            "ip (iproute2) is not installed");
        final List<InetAddress> listed = new ArrayList<>();
        // "2: eth0    inet 192.0.2.2/24 brd ..." for every address of every interface that is up
        for (final String line : run("ip", "-o", "addr", "show", "up").split("\n"))
        {
            final String[] fields = line.trim().split("\\s+");
            for (int i = 0; i + 1 < fields.length; i++)
            {
                if (fields[i].equals("inet") || fields[i].equals("inet6"))
                {
                    listed.add(InetAddress.ofLiteral(fields[i + 1].substring(0, fields[i + 1].indexOf('/'))));
                }
            }
        }
        assertFalse(listed.isEmpty());
        final HostFacts host = HostFacts.system();
        for (final InetAddress address : listed)
        {
            assertTrue(host.isLocalAddress(address), address + " is one of this host's addresses");
            assertTrue(host.localAddresses().contains(address), address + " in " + host.localAddresses());
        }
        for (final String other : List.of("10.9.9.9", "fe80::1", "2001:db8::9"))
        {
            final InetAddress address = InetAddress.ofLiteral(other);
            if (!listed.contains(address))
            {
                assertFalse(host.isLocalAddress(address), other + " is not on this host");
            }
        }
        assertTrue(host.isLocalAddress(InetAddress.ofLiteral("127.0.0.2")), "all of 127/8 is bindable");
    }

    @Test
    void nonLocalBindIsWhatCatPrints() throws Exception
    {
        for (final String family : List.of("ipv4", "ipv6"))
        {
            final Path file = Path.of("/proc/sys/net/" + family + "/ip_nonlocal_bind");
            assumeTrue(Files.exists(file), file + " is missing");
            final boolean expected = !run("cat", file.toString()).equals("0");
            final InetAddress sample = InetAddress.ofLiteral(family.equals("ipv4") ? "10.9.9.9" : "2001:db8::9");
            assertEquals(expected, HostFacts.system().allowsNonLocalBind(sample), family);
        }
    }
}
