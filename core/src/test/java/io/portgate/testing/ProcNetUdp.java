package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's own count of datagrams dropped at the UDP sockets bound to a local port: the last column of the real
 * {@code /proc/net/udp} and {@code /proc/net/udp6}, as the reliability suite's flood scenario reads it.
 */
public final class ProcNetUdp
{
    private ProcNetUdp()
    {
    }

    /**
     * Drops over every UDP socket bound to a port.
     *
     * @param port the local port.
     * @return the kernel's drop count, summed.
     */
    public static long drops(final int port)
    {
        long drops = 0;
        for (final String file : new String[] {"/proc/net/udp", "/proc/net/udp6"})
        {
            final Path path = Path.of(file);
            if (!Files.exists(path))
            {
                continue;
            }
            try
            {
                for (final String line : Files.readAllLines(path))
                {
                    final String[] f = line.strip().split("\\s+");
                    if (f.length < 13 || !f[1].contains(":") || f[0].equals("sl"))
                    {
                        continue;
                    }
                    if (Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16) == port)
                    {
                        drops += Long.parseLong(f[f.length - 1]);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return drops;
    }
}
