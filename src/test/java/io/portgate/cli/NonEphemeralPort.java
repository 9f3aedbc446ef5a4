package io.portgate.cli;

import io.portgate.config.HostFacts;
import io.portgate.config.PortRange;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free port outside the kernel's ephemeral range, for a listener that check must pass without the warning that a
 * port the kernel hands out (as {@code new ServerSocket(0)} does) gets.
 */
final class NonEphemeralPort
{
    private NonEphemeralPort()
    {
    }

    /**
     * Finds a port free for TCP and UDP on 127.0.0.1, between 10000 and the ephemeral range.
     *
     * @return the port.
     */
    static int free()
    {
        final PortRange ephemeral = HostFacts.system().ephemeralPorts();
        final int low = 10_000;
        final int high = Math.max(low + 1000, ephemeral.first());
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            final int port = ThreadLocalRandom.current().nextInt(low, high);
            if (ephemeral.contains(port))
            {
                continue;
            }
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)))
            {
                return port;
            }
            catch (final IOException taken)
            {
                // try another
            }
        }
        throw new IllegalStateException("no free port between " + low + " and " + high);
    }
}
