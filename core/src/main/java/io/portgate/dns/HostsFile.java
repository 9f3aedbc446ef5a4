package io.portgate.dns;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hosts file as the system resolver reads it (hosts(5)): an IP address, then the names it belongs to, a
 * {@code #} starting a comment. A name has every address of every line that lists it, as glibc's {@code files}
 * source gives them; names are compared as DNS compares them, without regard to case. The file is read again when
 * it changes (its modification time, size or inode), so that an edit applies to the next lookup; a line it cannot
 * read is skipped, and a file that is missing or unreadable lists nothing.
 */
final class HostsFile
{
    /** What a version of the file says, and how that version is recognised. */
    private record Snapshot(Object key, long modified, long size, Map<DnsName, List<InetAddress>> names)
    {
        boolean isOf(final BasicFileAttributes a)
        {
            return a != null && a.lastModifiedTime().toMillis() == modified && a.size() == size &&
                java.util.Objects.equals(a.fileKey(), key);
        }
    }

    private static final Snapshot NOTHING = new Snapshot(null, -1, -1, Map.of());

    private final Path path;
    private Snapshot snapshot = NOTHING;

    /**
     * A hosts file, read at its first lookup.
     *
     * @param path the file, normally {@code /etc/hosts}.
     */
    HostsFile(final Path path)
    {
        this.path = path;
    }

    /**
     * The file.
     *
     * @return its path.
     */
    Path path()
    {
        return path;
    }

    /**
     * The addresses the file gives a name.
     *
     * @param name the name.
     * @return its addresses in file order, each once; empty when the file does not list it.
     */
    synchronized List<InetAddress> addresses(final DnsName name)
    {
        final BasicFileAttributes now = attributes(path);
        if (now == null)
        {
            snapshot = NOTHING;
        }
        else if (!snapshot.isOf(now))
        {
            snapshot = new Snapshot(now.fileKey(), now.lastModifiedTime().toMillis(), now.size(), read(path));
        }
        return snapshot.names.getOrDefault(name, List.of());
    }

    /**
     * Reads the lines of a hosts file.
     *
     * @param lines the lines.
     * @return each name's addresses, in file order, each once.
     */
    static Map<DnsName, List<InetAddress>> parse(final List<String> lines)
    {
        final Map<DnsName, List<InetAddress>> names = new HashMap<>();
        for (final String line : lines)
        {
            final int comment = line.indexOf('#');
            final String[] words = (comment < 0 ? line : line.substring(0, comment)).strip().split("[ \t]+");
            if (words.length < 2)
            {
                continue;
            }
            final InetAddress address = address(words[0]);
            if (address == null)
            {
                continue;
            }
            for (int i = 1; i < words.length; i++)
            {
                try
                {
                    final List<InetAddress> list = names.computeIfAbsent(DnsName.parse(words[i]),
                        k -> new ArrayList<>(2));
                    if (!list.contains(address))
                    {
                        list.add(address);
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    // not a name: skipped
                }
            }
        }
        return names;
    }

    private static Map<DnsName, List<InetAddress>> read(final Path path)
    {
        try (InputStream in = Files.newInputStream(path))
        {
            return parse(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList());
        }
        catch (final IOException | RuntimeException ex)
        {
            // Unreadable: DNS is asked, as glibc does when the file cannot be opened.
            return Map.of();
        }
    }

    private static BasicFileAttributes attributes(final Path path)
    {
        try
        {
            return Files.readAttributes(path, BasicFileAttributes.class);
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /** The address a line starts with, as inet_pton reads it: four decimal numbers, or IPv6; null for others. */
    private static InetAddress address(final String text)
    {
        if (text.indexOf(':') < 0 && !text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))
        {
            return null;
        }
        try
        {
            // Without the name it was listed under, so tables and messages show the address alone.
            return InetAddress.getByAddress(InetAddress.ofLiteral(text).getAddress());
        }
        catch (final IllegalArgumentException | java.net.UnknownHostException ex)
        {
            return null;
        }
    }
}
