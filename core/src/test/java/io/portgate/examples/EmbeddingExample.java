package io.portgate.examples;

import io.portgate.ListenerStats;
import io.portgate.Portgate;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** The embedding example of the README, verbatim between the markers; {@link EmbeddingExampleTest} runs it. */
public final class EmbeddingExample
{
    private EmbeddingExample()
    {
    }

    /**
     * Starts a balancer in front of one backend, sends a line through it and stops it.
     *
     * @param frontPort   the port the balancer listens on, on 127.0.0.1.
     * @param backendPort the port of an echo backend on 127.0.0.1.
     * @return what came back through the balancer.
     * @throws IOException when the exchange fails.
     */
    public static String run(final int frontPort, final int backendPort) throws IOException
    {
        // README-BEGIN
        PortgateConfig config = PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + frontPort).pool("backends").build())
            .pool(PoolConfig.builder("backends")
                .balance("least-conn")
                .target(InetAddress.getLoopbackAddress(), backendPort)
                .build())
            .build();

        try (Portgate portgate = Portgate.start(config)) // validates, binds, starts the workers
        {
            InetSocketAddress front = portgate.boundAddresses("web").getFirst();
            try (Socket client = new Socket(front.getAddress(), front.getPort()))
            {
                client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new String(client.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
                ListenerStats web = portgate.stats().listener("web"); // counters, readable from any thread
                System.out.println("echoed " + reply.trim() + "; connections so far: " + web.totalConnections());
                return reply;
            }
        } // close() stops accepting, drains open connections (up to drain-timeout) and stops the workers
        // README-END
    }
}
