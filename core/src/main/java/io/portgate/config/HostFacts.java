package io.portgate.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What validation needs to know about the machine: which ports this process may bind and which ports the kernel
 * hands out to outgoing connections. Tests supply their own facts; {@link #system()} reads Linux's.
 */
public interface HostFacts
{
    /**
     * The lowest port an unprivileged process may bind.
     *
     * @return 1024 unless the kernel was told otherwise.
     */
    int unprivilegedPortStart();

    /**
     * Whether this process may bind ports below {@link #unprivilegedPortStart()}.
     *
     * @return true when it holds CAP_NET_BIND_SERVICE.
     */
    boolean canBindPrivilegedPorts();

    /**
     * The ports the kernel picks for outgoing connections.
     *
     * @return the ephemeral range.
     */
    PortRange ephemeralPorts();

    /**
     * Whether an address belongs to this machine, so that a wildcard listener receives traffic sent to it.
     *
     * @param address the address.
     * @return true for loopback and the machine's own interface addresses.
     */
    boolean isLocalAddress(InetAddress address);

    /**
     * The facts of the machine this process runs on.
     *
     * @return facts read from /proc and the network interfaces, with the Linux defaults where they cannot be read.
     */
    static HostFacts system()
    {
        return SystemHostFacts.INSTANCE;
    }

    /** Reads Linux's facts once. */
    final class SystemHostFacts implements HostFacts
    {
        static final SystemHostFacts INSTANCE = new SystemHostFacts();
        private static final long CAP_NET_BIND_SERVICE_BIT = 1L << 10;

        private final int unprivilegedPortStart;
        private final boolean canBindPrivileged;
        private final PortRange ephemeral;

        private SystemHostFacts()
        {
            unprivilegedPortStart = readInt(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start"), 1024);
            canBindPrivileged = (readEffectiveCapabilities() & CAP_NET_BIND_SERVICE_BIT) != 0;
            ephemeral = readRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"), new PortRange(32768, 60999));
        }

        @Override
        public int unprivilegedPortStart()
        {
            return unprivilegedPortStart;
        }

        @Override
        public boolean canBindPrivilegedPorts()
        {
            return canBindPrivileged;
        }

        @Override
        public PortRange ephemeralPorts()
        {
            return ephemeral;
        }

        @Override
        public boolean isLocalAddress(final InetAddress address)
        {
            if (address.isLoopbackAddress() || address.isAnyLocalAddress())
            {
                return true;
            }
            try
            {
                return NetworkInterface.getByInetAddress(address) != null;
            }
            catch (final SocketException ex)
            {
                return false;
            }
        }

        private static long readEffectiveCapabilities()
        {
            try
            {
                for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
                {
                    if (line.startsWith("CapEff:"))
                    {
                        return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // Not Linux, or /proc hidden: say nothing about privileged ports rather than guess wrong.
                return CAP_NET_BIND_SERVICE_BIT;
            }
            return CAP_NET_BIND_SERVICE_BIT;
        }

        private static int readInt(final Path file, final int fallback)
        {
            try
            {
                return Integer.parseInt(Files.readString(file).trim());
            }
            catch (final IOException | RuntimeException ex)
            {
                return fallback;
            }
        }

        private static PortRange readRange(final Path file, final PortRange fallback)
        {
            try
            {
                final String[] parts = Files.readString(file).trim().split("\\s+");
                return new PortRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
            catch (final IOException | RuntimeException ex)
            {
                return fallback;
            }
        }

    }
}
