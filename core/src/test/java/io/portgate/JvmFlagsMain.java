package io.portgate;

import io.portgate.config.FastPath;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Run by {@link JvmFlagsTest} in a JVM of its own, started with some of the library's flags left out: prints what
 * {@link JvmFlags} found, then starts a balancer and sends bytes through it.
 */
public final class JvmFlagsMain
{
    private JvmFlagsMain()
    {
    }

    /**
     * Prints {@code missing=...}, then {@code fast-paths=...} and {@code bytes=ok} once a round trip through a
     * balancer came back whole, or {@code start-failed=MESSAGE}.
     *
     * @param args none.
     * @throws Exception when the round trip fails.
     */
    public static void main(final String[] args) throws Exception
    {
        System.out.println("missing=" + JvmFlags.check().missingOptions());
        try (EchoServer echo = EchoServer.start())
        {
            final PortgateConfig config = PortgateConfig.builder()
                .workers(1)
                .splice(FastPath.AUTO)
                .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("back").build())
                .pool(PoolConfig.builder("back").target(InetAddress.getLoopbackAddress(), echo.port()).build())
                .build();
            final Portgate portgate;
            try
            {
                portgate = Portgate.start(config);
            }
            catch (final IllegalStateException ex)
            {
                System.out.println("start-failed=" + ex.getMessage());
                return;
            }
            try (portgate)
            {
                System.out.println("fast-paths=" + portgate.fastPaths());
                final byte[] payload = Exchange.random(4096);
                System.out.println(Arrays.equals(payload, Exchange.roundTrip(portgate.boundAddresses("web")
                    .getFirst(), payload)) ? "bytes=ok" : "bytes=wrong");
            }
        }
    }
}
