package io.portgate.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The premise of {@link SourceLimits}' choice of a full limit per worker, checked on the real kernel: connections
 * from one client address to a port that two sockets share with SO_REUSEPORT (as two workers' listeners do) are
 * spread over both sockets, so a per-worker table sees only part of a source's connections. Replays the kernel's
 * placement against one {@link SourceLimits} per socket: with the full limit per worker no client is refused below
 * its limit; with ceil(limit/2) per worker, the printed share of clients is (the figures in
 * perf-results/2026-11-28/access-parts.md).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReusePortSpreadTest
{
    private static final int CONNECTIONS = 400;
    private static final int LIMIT = 5;

    @Test
    void oneSourcesConnectionsSpreadOverTheWorkersSockets() throws IOException
    {
        try (ServerSocketChannel first = listener(0);
             ServerSocketChannel second = listener(((InetSocketAddress)first.getLocalAddress()).getPort()))
        {
            final InetSocketAddress target = (InetSocketAddress)first.getLocalAddress();
            final boolean[] toFirst = new boolean[CONNECTIONS];
            int onFirst = 0;
            for (int i = 0; i < CONNECTIONS; i++)
            {
                try (SocketChannel client = SocketChannel.open())
                {
                    client.bind(new InetSocketAddress("127.0.0.2", 0));
                    client.connect(target);
                    final int which = acceptOne(first, second);
                    toFirst[i] = which == 0;
                    onFirst += which == 0 ? 1 : 0;
                }
            }
            // Each group of LIMIT connections is one client opening LIMIT connections at once, placed as the
            // kernel placed them, against one table per worker with the full limit and with ceil(limit / 2).
            final int groups = CONNECTIONS / LIMIT;
            int refusedWithFullLimit = 0;
            int refusedWithSplitLimit = 0;
            for (int group = 0; group < groups; group++)
            {
                final long client = io.portgate.net.Ip.mappedLow(0x7F00_0000 | group);
                final SourceLimits[] full = { table(LIMIT), table(LIMIT) };
                final SourceLimits[] split = { table((LIMIT + 1) / 2), table((LIMIT + 1) / 2) };
                boolean fullRefused = false;
                boolean splitRefused = false;
                for (int i = group * LIMIT; i < (group + 1) * LIMIT; i++)
                {
                    final int worker = toFirst[i] ? 0 : 1;
                    fullRefused |= full[worker].acquire(0, client, 0) < 0;
                    splitRefused |= split[worker].acquire(0, client, 0) < 0;
                }
                refusedWithFullLimit += fullRefused ? 1 : 0;
                refusedWithSplitLimit += splitRefused ? 1 : 0;
            }
            System.out.printf("SO_REUSEPORT spread of %d connections from 127.0.0.2 over 2 sockets: %d / %d; clients " +
                "opening %d connections under a limit of %d refused below it: %d of %d with the full limit per " +
                "worker, %d of %d (%.1f %%; coin tosses: 37.5 %%) with %d per worker%n", CONNECTIONS, onFirst,
                CONNECTIONS - onFirst, LIMIT, LIMIT, refusedWithFullLimit, groups, refusedWithSplitLimit, groups,
                100.0 * refusedWithSplitLimit / groups, (LIMIT + 1) / 2);
            assertTrue(onFirst > 0 && onFirst < CONNECTIONS, "one source reached both sockets");
            assertEquals(0, refusedWithFullLimit, "the full limit per worker never refuses a client within it");
        }
    }

    private static SourceLimits table(final int limit)
    {
        return new SourceLimits(16, SourceLimits.Settings.tcp(limit, 0), 1);
    }

    private static ServerSocketChannel listener(final int port) throws IOException
    {
        final ServerSocketChannel channel = ServerSocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        channel.bind(new InetSocketAddress("127.0.0.1", port), 64);
        channel.configureBlocking(false);
        return channel;
    }

    /** Accepts the one pending connection from whichever socket the kernel queued it on: 0 or 1. */
    private static int acceptOne(final ServerSocketChannel first, final ServerSocketChannel second)
        throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            for (int which = 0; which < 2; which++)
            {
                final SocketChannel accepted = (which == 0 ? first : second).accept();
                if (accepted != null)
                {
                    accepted.close();
                    return which;
                }
            }
            Thread.onSpinWait();
        }
        throw new IllegalStateException("a connection was not accepted within 10 s");
    }
}
