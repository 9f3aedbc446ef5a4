package io.portgate.bench.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every scenario gets: the repository, a scratch directory, whether the run is the quick one, free ports and
 * configuration files with a metrics file of their own.
 */
final class SuiteContext
{
    private final Path root;
    private final Path work;
    private final boolean quick;
    private final String javaOpts;
    private final AtomicInteger files = new AtomicInteger();
    private final java.util.Map<String, Object> measured = new java.util.concurrent.ConcurrentHashMap<>();

    SuiteContext(final Path root, final Path work, final boolean quick, final String javaOpts)
    {
        this.root = root;
        this.work = work;
        this.quick = quick;
        this.javaOpts = javaOpts;
    }

    /**
     * Keeps a measurement for a later scenario that judges it.
     *
     * @param key   its name.
     * @param value the measurement.
     */
    void keep(final String key, final Object value)
    {
        measured.put(key, value);
    }

    /**
     * A measurement an earlier scenario kept.
     *
     * @param key its name.
     * @return the measurement, or null.
     */
    Object kept(final String key)
    {
        return measured.get(key);
    }

    /** @return the repository root, where {@code ./portgate} is. */
    Path root()
    {
        return root;
    }

    /** @return the {@code PORTGATE_JAVA_OPTS} the suite runs balancers with, or null for the launcher's defaults. */
    String javaOpts()
    {
        return javaOpts;
    }

    /** @return whether this is the quick run (smaller counts, shorter phases). */
    boolean quick()
    {
        return quick;
    }

    /**
     * Picks the quick or the full value.
     *
     * @param full  the full run's.
     * @param quick the quick run's.
     * @return the one that applies.
     */
    int scale(final int full, final int quick)
    {
        return this.quick ? quick : full;
    }

    /**
     * A configuration file and the metrics file it names.
     *
     * @param file    the configuration.
     * @param metrics its {@code metrics-file}, which another process can read while the balancer runs.
     */
    record ConfigFile(Path file, Path metrics)
    {
    }

    /**
     * Writes a configuration file. {@code %METRICS%} in the text becomes a metrics file of its own.
     *
     * @param yaml the configuration.
     * @return the file.
     */
    ConfigFile config(final String yaml) throws IOException
    {
        final int n = files.incrementAndGet();
        final Path file = work.resolve("portgate-" + n + ".yaml");
        final Path metrics = work.resolve("portgate-" + n + ".metrics");
        Files.writeString(file, yaml.replace("%METRICS%", metrics.toString()));
        return new ConfigFile(file, metrics);
    }

    /**
     * Writes another version of a configuration file in place, for a reload.
     *
     * @param config the file.
     * @param yaml   the new text; {@code %METRICS%} as for {@link #config(String)}.
     */
    static void rewrite(final ConfigFile config, final String yaml) throws IOException
    {
        final Path tmp = config.file().resolveSibling(config.file().getFileName() + ".new");
        Files.writeString(tmp, yaml.replace("%METRICS%", config.metrics().toString()));
        Files.move(tmp, config.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Starts {@code ./portgate run} on a configuration, with the suite's {@code PORTGATE_JAVA_OPTS} if any.
     *
     * @param config    the file.
     * @param adminPort its admin port, or 0.
     * @param nofile    an open-file limit for it, or 0.
     * @return the running balancer.
     */
    PortgateRun start(final ConfigFile config, final int adminPort, final int nofile) throws IOException
    {
        return PortgateRun.start(root, config.file(), adminPort, nofile, javaOpts);
    }

    /** @return a TCP port free on 127.0.0.1 a moment ago. */
    static int freeTcpPort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    /** @return a UDP port free on 127.0.0.1 a moment ago. */
    static int freeUdpPort() throws IOException
    {
        try (DatagramChannel c = DatagramChannel.open())
        {
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress)c.getLocalAddress()).getPort();
        }
    }

    /**
     * This process's open-file limit, from {@code /proc/self/limits}.
     *
     * @return the soft limit.
     */
    static long openFileLimit() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/limits")))
        {
            if (line.startsWith("Max open files"))
            {
                return Long.parseLong(line.substring("Max open files".length()).strip().split("\\s+")[0]);
            }
        }
        return 1024;
    }
}
