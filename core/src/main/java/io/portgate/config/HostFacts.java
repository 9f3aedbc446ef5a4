package io.portgate.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What validation needs to know about the machine: which ports this process may bind, which ports the kernel hands
 * out to outgoing connections, which addresses are its own and how many files it may open. Tests may wrap
 * {@link #system()} to add a case the machine cannot produce; {@link #system()} reads Linux's.
 */
public interface HostFacts
{
    /** What {@link #openFileLimit()} returns when there is no limit or it cannot be read. */
    long UNLIMITED = Long.MAX_VALUE;

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
     * Whether an address belongs to this machine, so that a wildcard listener receives traffic sent to it and a
     * listener may bind it.
     *
     * @param address the address.
     * @return true for IPv4 loopback (127.0.0.0/8), the wildcard and the machine's own interface addresses.
     */
    boolean isLocalAddress(InetAddress address);

    /**
     * The machine's own addresses, for a message that lists them.
     *
     * @return the addresses of every interface that is up, loopback first.
     */
    List<InetAddress> localAddresses();

    /**
     * Whether the kernel lets a process bind an address that is not the machine's
     * ({@code net.ipv4.ip_nonlocal_bind}, {@code net.ipv6.ip_nonlocal_bind}).
     *
     * @param address the address, for its family.
     * @return true when such a bind succeeds.
     */
    boolean allowsNonLocalBind(InetAddress address);

    /**
     * How many files (sockets, pipes, epoll instances...) this process may have open: the soft RLIMIT_NOFILE.
     *
     * @return the limit, or {@link #UNLIMITED}.
     */
    long openFileLimit();

    /**
     * Whether UDP datagrams can move in recvmmsg/sendmmsg batches through the Panama layer here, which is what lets a
     * UDP listener on the wildcard reply from the address each datagram arrived on.
     *
     * @return true when the start-up probe of the batched path succeeds.
     */
    default boolean udpBatchingWorks()
    {
        return io.portgate.ffm.UdpBatching.probe().isAvailable();
    }

    /**
     * Facts that are another's except where a subclass overrides them: a machine as a service manager shapes it
     * (more open files, a capability), or a case the host cannot produce, on top of the real readings.
     */
    class Delegating implements HostFacts
    {
        private final HostFacts host;

        /**
         * Answers as {@code host} does.
         *
         * @param host the facts to pass through.
         */
        public Delegating(final HostFacts host)
        {
            this.host = java.util.Objects.requireNonNull(host, "host");
        }

        @Override
        public int unprivilegedPortStart()
        {
            return host.unprivilegedPortStart();
        }

        @Override
        public boolean canBindPrivilegedPorts()
        {
            return host.canBindPrivilegedPorts();
        }

        @Override
        public PortRange ephemeralPorts()
        {
            return host.ephemeralPorts();
        }

        @Override
        public boolean isLocalAddress(final InetAddress address)
        {
            return host.isLocalAddress(address);
        }

        @Override
        public List<InetAddress> localAddresses()
        {
            return host.localAddresses();
        }

        @Override
        public boolean allowsNonLocalBind(final InetAddress address)
        {
            return host.allowsNonLocalBind(address);
        }

        @Override
        public long openFileLimit()
        {
            return host.openFileLimit();
        }

        @Override
        public boolean udpBatchingWorks()
        {
            return host.udpBatchingWorks();
        }
    }

    /**
     * The facts of the machine this process runs on.
     *
     * @return facts read from /proc and the network interfaces, with the Linux defaults where they cannot be read.
     */
    static HostFacts system()
    {
        return SystemHostFacts.INSTANCE;
    }

    /**
     * Reads a /proc or /sys file whole. Not {@code Files.readString}: a /proc/sys file reports size 0, so the JDK
     * sizes its read from that and gets one byte ({@code ip_local_port_range} reads as {@code 3}).
     *
     * @param file the file.
     * @return its text.
     * @throws IOException when it cannot be read.
     */
    private static String readProcFile(final Path file) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            final char[] chunk = new char[4096];
            for (int n; (n = reader.read(chunk)) >= 0; )
            {
                sb.append(chunk, 0, n);
            }
        }
        return sb.toString();
    }

    /** Reads Linux's facts once; the addresses each time, as interfaces come and go. */
    final class SystemHostFacts implements HostFacts
    {
        static final SystemHostFacts INSTANCE = new SystemHostFacts();
        private static final long CAP_NET_BIND_SERVICE_BIT = 1L << 10;

        private final int unprivilegedPortStart;
        private final boolean canBindPrivileged;
        private final PortRange ephemeral;
        private final long openFileLimit;

        private SystemHostFacts()
        {
            unprivilegedPortStart = readInt(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start"), 1024);
            canBindPrivileged = (readEffectiveCapabilities() & CAP_NET_BIND_SERVICE_BIT) != 0;
            ephemeral = readRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"), new PortRange(32768, 60999));
            openFileLimit = readOpenFileLimit(Path.of("/proc/self/limits"));
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
        public long openFileLimit()
        {
            return openFileLimit;
        }

        @Override
        public boolean isLocalAddress(final InetAddress address)
        {
            // All of 127.0.0.0/8 is routed to lo and bindable, though only 127.0.0.1 is assigned; ::1 is not implied.
            if (address.isAnyLocalAddress() || address instanceof Inet4Address && address.isLoopbackAddress())
            {
                return true;
            }
            try
            {
                return NetworkInterface.getByInetAddress(address) != null;
            }
            catch (final SocketException ex)
            {
                return address.isLoopbackAddress();
            }
        }

        @Override
        public List<InetAddress> localAddresses()
        {
            final List<InetAddress> loopback = new ArrayList<>();
            final List<InetAddress> others = new ArrayList<>();
            try
            {
                for (final NetworkInterface nic : NetworkInterface.networkInterfaces().toList())
                {
                    if (nic.isUp())
                    {
                        for (final InetAddress a : nic.inetAddresses().toList())
                        {
                            (a.isLoopbackAddress() ? loopback : others).add(a);
                        }
                    }
                }
            }
            catch (final SocketException ex)
            {
                // what was found so far
            }
            loopback.addAll(others);
            return loopback;
        }

        @Override
        public boolean allowsNonLocalBind(final InetAddress address)
        {
            final String family = address instanceof Inet6Address ? "ipv6" : "ipv4";
            return readInt(Path.of("/proc/sys/net/" + family + "/ip_nonlocal_bind"), 0) != 0;
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

        private static long readOpenFileLimit(final Path limits)
        {
            try
            {
                // "Max open files            20000                20000                files"
                for (final String line : readProcFile(limits).split("\n"))
                {
                    if (line.startsWith("Max open files"))
                    {
                        final String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                        return soft.equals("unlimited") ? UNLIMITED : Long.parseLong(soft);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // Not Linux: no warning rather than a wrong one.
                return UNLIMITED;
            }
            return UNLIMITED;
        }

        private static int readInt(final Path file, final int fallback)
        {
            try
            {
                return Integer.parseInt(readProcFile(file).trim());
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
                final String[] parts = readProcFile(file).trim().split("\\s+");
                return new PortRange(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
            catch (final IOException | RuntimeException ex)
            {
                return fallback;
            }
        }
    }
}
