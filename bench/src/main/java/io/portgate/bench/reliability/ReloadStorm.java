package io.portgate.bench.reliability;

import io.portgate.bench.harness.BenchServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reloads one after another (SIGHUP, each changing a target's weight) while TCP and UDP round trips run through the
 * balancer: every reload must apply, no round trip may fail or come back wrong, and no file descriptor may leak.
 */
final class ReloadStorm implements Scenario
{
    @Override
    public String name()
    {
        return "reload-storm";
    }

    @Override
    public String what()
    {
        return "100 reloads in about 20 s (20 in --quick) by SIGHUP, each changing a weight, under 4 TCP and 2 UDP " +
            "round-trip loops; PASS when every reload applies, no round trip fails or comes back wrong, and the " +
            "balancer's open files are the same after as before";
    }

    @Override
    public boolean required()
    {
        return true;
    }

    @Override
    public Outcome run(final SuiteContext context) throws Exception
    {
        final List<String> notes = new ArrayList<>();
        final int reloads = context.scale(100, 20);
        try (TargetProcess tcpA = TargetProcess.start(context.root(), "--echo", "tcp", 0);
             TargetProcess tcpB = TargetProcess.start(context.root(), "--echo", "tcp", 0);
             BenchServer udpEcho = BenchServer.start(BenchServer.Kind.UDP_ECHO,
                 new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final int tcpPort = SuiteContext.freeTcpPort();
            final int udpPort = SuiteContext.freeUdpPort();
            final int admin = SuiteContext.freeTcpPort();
            final String template = """
                workers: 2
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                listeners:
                  - name: tcp
                    bind: 127.0.0.1:%d
                    pool: tcp
                  - name: udp
                    protocol: udp
                    bind: 127.0.0.1:%d
                    pool: udp
                pools:
                  tcp:
                    targets:
                      - address: 127.0.0.1:%d
                        weight: WEIGHT
                      - 127.0.0.1:%d
                  udp:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, tcpPort, udpPort, tcpA.port(), tcpB.port(), udpEcho.localAddress().getPort());
            final SuiteContext.ConfigFile config = context.config(template.replace("WEIGHT", "1"));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final AtomicBoolean stop = new AtomicBoolean();
                final AtomicLong roundTrips = new AtomicLong();
                final AtomicLong failures = new AtomicLong();
                final List<String> firstFailures = java.util.Collections.synchronizedList(new ArrayList<>());
                final List<Thread> loops = new ArrayList<>();
                for (int i = 0; i < 4; i++)
                {
                    final long seed = i;
                    loops.add(Thread.ofPlatform().daemon().start(() -> tcpLoop(tcpPort, seed, stop, roundTrips,
                        failures, firstFailures)));
                }
                for (int i = 0; i < 2; i++)
                {
                    final long seed = 100 + i;
                    loops.add(Thread.ofPlatform().daemon().start(() -> udpLoop(udpPort, seed, stop, roundTrips,
                        failures, firstFailures)));
                }
                PortgateRun.sleep(1000);
                final int fds0 = portgate.openFiles();
                final long rss0 = portgate.rssKiB();
                int applied = 0;
                final long start = System.nanoTime();
                for (int r = 1; r <= reloads; r++)
                {
                    SuiteContext.rewrite(config, template.replace("WEIGHT", Integer.toString(1 + r % 3)));
                    portgate.signal("HUP");
                    final long deadline = System.nanoTime() + 5_000_000_000L;
                    while (System.nanoTime() - deadline < 0)
                    {
                        final double now = AdminClient.sum(portgate.admin().metrics(), "portgate_reloads_total",
                            "applied");
                        if (now >= r)
                        {
                            applied = (int)now;
                            break;
                        }
                        PortgateRun.sleep(20);
                    }
                    // About 5 reloads a second: 100 in 20 s.
                    final long due = start + r * 200_000_000L;
                    final long wait = (due - System.nanoTime()) / 1_000_000;
                    if (wait > 0)
                    {
                        PortgateRun.sleep(wait);
                    }
                }
                final double seconds = (System.nanoTime() - start) / 1e9;
                PortgateRun.sleep(1000);
                stop.set(true);
                for (final Thread t : loops)
                {
                    t.join(10_000);
                }
                final double rejected = AdminClient.sum(portgate.admin().metrics(), "portgate_reloads_total",
                    "rejected");
                final int fds1 = portgate.openFiles();
                final long rss1 = portgate.rssKiB();
                notes.add(String.format(Locale.ROOT, "%d reloads signalled in %.1f s: %d applied, %.0f rejected",
                    reloads, seconds, applied, rejected));
                notes.add(String.format(Locale.ROOT, "%d round trips (TCP and UDP), %d failed%s", roundTrips.get(),
                    failures.get(), firstFailures.isEmpty() ? "" : ": " + firstFailures));
                notes.add(String.format(Locale.ROOT, "balancer open files %d -> %d; resident memory %.1f -> %.1f MiB",
                    fds0, fds1, rss0 / 1024.0, rss1 / 1024.0));
                final boolean passed = applied == reloads && rejected == 0 && failures.get() == 0 &&
                    roundTrips.get() > 0 && fds1 <= fds0;
                return Outcome.of(passed, String.format(Locale.ROOT, "%d of %d reloads applied under load; %d of " +
                    "%d round trips failed; open files %d -> %d", applied, reloads, failures.get(), roundTrips.get(),
                    fds0, fds1), notes);
            }
        }
    }

    private static void tcpLoop(final int port, final long seed, final AtomicBoolean stop, final AtomicLong ok,
        final AtomicLong failures, final List<String> first)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] message = new byte[64];
        final byte[] back = new byte[64];
        while (!stop.get())
        {
            // A new connection now and then: reloads must not disturb connects either.
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                s.setSoTimeout(5_000);
                final OutputStream out = s.getOutputStream();
                final InputStream in = s.getInputStream();
                for (int i = 0; i < 200 && !stop.get(); i++)
                {
                    random.nextBytes(message);
                    out.write(message);
                    int got = 0;
                    while (got < back.length)
                    {
                        final int n = in.read(back, got, back.length - got);
                        if (n < 0)
                        {
                            throw new IOException("closed by the balancer");
                        }
                        got += n;
                    }
                    if (!Arrays.equals(message, back))
                    {
                        throw new IOException("a round trip came back changed");
                    }
                    ok.incrementAndGet();
                    PortgateRun.sleep(1);
                }
            }
            catch (final IOException ex)
            {
                fail(failures, first, "tcp: " + ex.getMessage());
            }
        }
    }

    private static void udpLoop(final int port, final long seed, final AtomicBoolean stop, final AtomicLong ok,
        final AtomicLong failures, final List<String> first)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(2_000);
            final byte[] message = new byte[64];
            final DatagramPacket reply = new DatagramPacket(new byte[128], 128);
            while (!stop.get())
            {
                random.nextBytes(message);
                socket.send(new DatagramPacket(message, message.length));
                try
                {
                    socket.receive(reply);
                    if (reply.getLength() != 64 || !Arrays.equals(message, 0, 64, reply.getData(), 0, 64))
                    {
                        fail(failures, first, "udp: a reply came back changed");
                    }
                    else
                    {
                        ok.incrementAndGet();
                    }
                }
                catch (final SocketTimeoutException lost)
                {
                    fail(failures, first, "udp: no reply within 2 s");
                }
                PortgateRun.sleep(1);
            }
        }
        catch (final IOException ex)
        {
            fail(failures, first, "udp: " + ex.getMessage());
        }
    }

    private static void fail(final AtomicLong failures, final List<String> first, final String what)
    {
        failures.incrementAndGet();
        if (first.size() < 3)
        {
            first.add(what);
        }
    }
}
