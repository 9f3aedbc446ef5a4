package io.portgate.ports;

import io.portgate.config.Protocol;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which processes hold a port, as Linux's {@code /proc} tells it: the sockets bound to the port are found in
 * {@code /proc/net/tcp}, {@code tcp6}, {@code udp} and {@code udp6} by address and port, and each socket's inode is
 * looked for among the {@code /proc/PID/fd} links of every process this user may see. Slow (it walks every process),
 * so only called once a port has been found taken. Not on the data path.
 */
public final class PortHolders
{
    /** TCP state LISTEN in /proc/net/tcp. */
    private static final String TCP_LISTEN = "0A";
    private static final int MAX_COMMAND = 160;
    /** The most of a command line read: its end is the part shown. */
    private static final int MAX_COMMAND_LINE = 128 * 1024;

    private final Path proc;

    /**
     * A socket bound to the port.
     *
     * @param inode   the socket's inode.
     * @param address the local address it is bound to.
     * @param pid     the process holding it, or -1 when /proc does not say (another user's process, or another
     *                network namespace).
     * @param command that process's command line, or null.
     */
    public record Holder(long inode, InetAddress address, long pid, String command)
    {
        /**
         * For a message: {@code pid 1234 (java -jar portgate.jar run a.yaml)}.
         *
         * @return the description.
         */
        public String describe()
        {
            if (pid < 0)
            {
                return "a socket of a process /proc does not show to this user (socket inode " + inode + ")";
            }
            final String self = pid == ProcessHandle.current().pid() ? "this process, " : "";
            return self + "pid " + pid + (command == null || command.isEmpty() ? "" : " (" + command + ")");
        }
    }

    private PortHolders(final Path proc)
    {
        this.proc = proc;
    }

    /**
     * Reads this machine's {@code /proc}.
     *
     * @return the reader.
     */
    public static PortHolders system()
    {
        return new PortHolders(Path.of("/proc"));
    }

    /**
     * Reads another directory laid out as {@code /proc}, for tests of what this machine cannot produce.
     *
     * @param proc the directory.
     * @return the reader.
     */
    public static PortHolders at(final Path proc)
    {
        return new PortHolders(proc);
    }

    /**
     * The sockets that stand in the way of binding an address and port: for TCP those listening on it (or, when none
     * does, any other bound to it; a connection in TIME_WAIT belongs to no process and is left out), for UDP any
     * bound to it, in both cases on the same address, a wildcard, or (for a wildcard) any address of its family.
     *
     * @param protocol tcp or udp.
     * @param address  the address to bind, possibly a wildcard.
     * @param port     the port.
     * @return the holders, each with its process where /proc tells it; empty when /proc names none (not Linux, or
     * a socket in another network namespace).
     */
    public List<Holder> holders(final Protocol protocol, final InetAddress address, final int port)
    {
        final Map<Long, InetAddress> sockets = new LinkedHashMap<>();
        final String name = protocol == Protocol.TCP ? "tcp" : "udp";
        for (final String table : new String[] {name, name + "6"})
        {
            readTable(proc.resolve("net").resolve(table), protocol == Protocol.TCP, address, port, sockets);
        }
        if (sockets.isEmpty() && protocol == Protocol.TCP)
        {
            // No listener: a socket merely bound to the port (or connected from it) without SO_REUSEADDR blocks it too.
            for (final String table : new String[] {name, name + "6"})
            {
                readTable(proc.resolve("net").resolve(table), false, address, port, sockets);
            }
        }
        if (sockets.isEmpty())
        {
            return List.of();
        }
        final Map<Long, Long> pids = pidsOf(sockets.keySet());
        final Map<Long, String> commands = new HashMap<>();
        final List<Holder> holders = new ArrayList<>();
        for (final Map.Entry<Long, InetAddress> socket : sockets.entrySet())
        {
            final long pid = pids.getOrDefault(socket.getKey(), -1L);
            final String command = pid < 0 ? null : commands.computeIfAbsent(pid, this::commandOf);
            holders.add(new Holder(socket.getKey(), socket.getValue(), pid, command));
        }
        return holders;
    }

    private static void readTable(final Path table, final boolean listenersOnly, final InetAddress address,
        final int port, final Map<Long, InetAddress> sockets)
    {
        final List<String> lines;
        try
        {
            // readAllLines, not readString: /proc files report a size of 0 and readString trusts it.
            lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
        }
        catch (final IOException | RuntimeException ex)
        {
            return;
        }
        for (int i = 1; i < lines.size(); i++)
        {
            final String[] fields = lines.get(i).trim().split("\\s+");
            if (fields.length < 10)
            {
                continue;
            }
            final int colon = fields[1].indexOf(':');
            if (colon < 0)
            {
                continue;
            }
            try
            {
                if (Integer.parseInt(fields[1].substring(colon + 1), 16) != port ||
                    listenersOnly && !TCP_LISTEN.equals(fields[3]))
                {
                    continue;
                }
                final InetAddress bound = parseAddress(fields[1].substring(0, colon));
                final long inode = Long.parseLong(fields[9]);
                if (inode != 0 && overlaps(bound, address))
                {
                    sockets.putIfAbsent(inode, bound);
                }
            }
            catch (final NumberFormatException | UnknownHostException ex)
            {
                // A line this reader does not understand names nobody.
            }
        }
    }

    /**
     * An address as /proc/net prints it: the bytes of each 32-bit word in the machine's order, in hex.
     *
     * @param hex 8 or 32 hex digits.
     * @return the address, IPv4-mapped IPv6 addresses as IPv4.
     */
    static InetAddress parseAddress(final String hex) throws UnknownHostException
    {
        final byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++)
        {
            int value = (int)Long.parseLong(hex.substring(word * 8, word * 8 + 8), 16);
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)
            {
                value = Integer.reverseBytes(value);
            }
            bytes[word * 4] = (byte)(value >>> 24);
            bytes[word * 4 + 1] = (byte)(value >>> 16);
            bytes[word * 4 + 2] = (byte)(value >>> 8);
            bytes[word * 4 + 3] = (byte)value;
        }
        // getByAddress turns an IPv4-mapped address into an Inet4Address.
        return InetAddress.getByAddress(bytes);
    }

    /**
     * Whether two bound addresses take the same traffic: equal, or one a wildcard of the other's family. An IPv6
     * wildcard is taken to be dual-stack (Linux's default), so it also covers IPv4.
     */
    static boolean overlaps(final InetAddress a, final InetAddress b)
    {
        if (a.equals(b))
        {
            return true;
        }
        if (a.isAnyLocalAddress() && b.isAnyLocalAddress())
        {
            return true;
        }
        return covers(a, b) || covers(b, a);
    }

    private static boolean covers(final InetAddress wildcard, final InetAddress other)
    {
        if (!wildcard.isAnyLocalAddress())
        {
            return false;
        }
        return wildcard instanceof Inet6Address || other instanceof Inet4Address;
    }

    /** Walks every process's descriptors once, until every socket is found. */
    private Map<Long, Long> pidsOf(final java.util.Set<Long> inodes)
    {
        final Map<Long, Long> pids = new HashMap<>();
        final Map<String, Long> wanted = new HashMap<>();
        for (final long inode : inodes)
        {
            wanted.put("socket:[" + inode + "]", inode);
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString())))
        {
            for (final Path process : processes)
            {
                if (pids.size() == inodes.size())
                {
                    break;
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd")))
                {
                    for (final Path fd : fds)
                    {
                        final Long inode = wanted.get(linkOf(fd));
                        if (inode != null)
                        {
                            pids.putIfAbsent(inode, Long.parseLong(process.getFileName().toString()));
                        }
                    }
                }
                catch (final IOException | RuntimeException ex)
                {
                    // Another user's process, or one that just ended: it names nobody.
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return pids;
        }
        return pids;
    }

    private static String linkOf(final Path fd)
    {
        try
        {
            return Files.readSymbolicLink(fd).toString();
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }

    private static boolean isPid(final String name)
    {
        if (name.isEmpty())
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A long command line keeps its program and its end, which names what it runs (a jar or main class and its
     * arguments); a class path in between is what goes.
     */
    static String shorten(final String line)
    {
        if (line.length() <= MAX_COMMAND)
        {
            return line;
        }
        final int space = line.indexOf(' ');
        final String program = space > 0 && space < MAX_COMMAND / 2 ? line.substring(0, space) : "";
        return program + " ..." + line.substring(line.length() - (MAX_COMMAND - program.length() - 4));
    }

    /** The command line, its arguments separated by spaces, shortened; the command name when it has none. */
    private String commandOf(final long pid)
    {
        final Path process = proc.resolve(Long.toString(pid));
        try (InputStream in = Files.newInputStream(process.resolve("cmdline")))
        {
            final byte[] bytes = in.readNBytes(MAX_COMMAND_LINE);
            final String line = new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (!line.isEmpty())
            {
                return shorten(line);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Fall back to the command name.
        }
        try
        {
            return Files.readAllLines(process.resolve("comm"), StandardCharsets.UTF_8).stream().findFirst()
                .map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
