package io.portgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding a port the way a second balancer would: bound with SO_REUSEADDR and SO_REUSEPORT, so that
 * a socket of the same user with SO_REUSEPORT could join it without an error. Started as a JVM of its own from the
 * test's class path; it holds the port until closed.
 */
public final class PortSquatter implements AutoCloseable
{
    private static final String READY = "holding";

    private final Process process;

    private PortSquatter(final Process process)
    {
        this.process = process;
    }

    /**
     * Starts a process holding a port, and returns once it holds it.
     *
     * @param protocol {@code tcp} (listening) or {@code udp}.
     * @param address  the address to bind, such as 127.0.0.1 or 0.0.0.0.
     * @param port     the port.
     * @return the running process.
     */
    public static PortSquatter hold(final String protocol, final String address, final int port)
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            PortSquatter.class.getName(), protocol, address, Integer.toString(port)))
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        try
        {
            final Process process = builder.start();
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            final String line = out.readLine();
            if (!READY.equals(line))
            {
                process.destroyForcibly();
                throw new IllegalStateException("the squatter did not take " + protocol + " " + address + ":" + port +
                    ": it said " + line);
            }
            return new PortSquatter(process);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the holding process's pid. */
    public long pid()
    {
        return process.pid();
    }

    /** Ends the process, which frees the port, and waits for it. */
    @Override
    public void close() throws Exception
    {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Binds and holds until standard input ends.
     *
     * @param args protocol, address, port.
     */
    public static void main(final String[] args) throws Exception
    {
        final InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        final NetworkChannel channel;
        if (args[0].equals("tcp"))
        {
            final ServerSocketChannel server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            server.bind(address, 16);
            channel = server;
        }
        else
        {
            final DatagramChannel datagrams = DatagramChannel.open();
            datagrams.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            datagrams.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            datagrams.bind(address);
            channel = datagrams;
        }
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // holding
        }
        channel.close();
    }
}
