package io.portgate.examples;

import io.portgate.ListenerStats;
import io.portgate.Portgate;
import io.portgate.balance.BalanceAlgorithm;
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
     * @return the listener's counters before the balancer stopped.
     * @throws IOException when the exchange fails.
     */
    public static ListenerStats run(final int frontPort, final int backendPort) throws IOException
    {
        // README-BEGIN
        PortgateConfig config = PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + frontPort).pool("backends").build())
            .pool(PoolConfig.builder("backends")
                .balance(BalanceAlgorithm.LEAST_CONN)
                .target(InetAddress.getLoopbackAddress(), backendPort)
                .build())
            .build();

        try (Portgate portgate = Portgate.start(config)) // validates, binds, starts the workers
        {
            InetSocketAddress front = portgate.boundAddresses("web").getFirst();
            try (Socket client = new Socket(front.getAddress(), front.getPort()))
            {
                client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = client.getInputStream().readNBytes(6);
                System.out.println("echoed: " + new String(reply, StandardCharsets.US_ASCII).trim());
            }
            ListenerStats web = portgate.stats().listener("web");
            System.out.println(web.totalConnections() + " connection, " + web.bytesIn() + " bytes in");
            return web;
        } // close() stops accepting, drains open connections (up to drain-timeout) and stops the workers
        // README-END
    }
}
