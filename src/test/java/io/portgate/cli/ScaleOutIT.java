package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code ./portgate run} processes in front of the same five TCP and five UDP targets, as several instances
 * behind ECMP or anycast routes (or a VRRP address) are: each its own ports and metrics file, no shared state. For
 * 200 clients, each with an address of its own (127.0.1.x, 127.0.2.x), every instance sends a client to the same
 * target: TCP with {@code maglev} (targets listed in a different order on each instance) and with
 * {@code source-hash}, UDP with {@code affinity: client}. It then measures how many clients move when a target
 * leaves (one target removed from every instance, reloaded), and when an instance leaves (stopped: its clients go
 * through the other two, as an ECMP change sends them, and must reach the same targets). The figures are printed;
 * perf-results/2026-11-28/scale-out.md records them.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ScaleOutIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration START = Duration.ofSeconds(90);
    private static final int CLIENTS = 200;
    private static final int TARGETS = 5;
    private static final int INSTANCES = 3;
    private static final String[] LISTENERS = {"maglev", "hash", "udp"};

    @TempDir
    Path dir;

    private final List<Closeable> resources = new CopyOnWriteArrayList<>();
    private final List<PortgateProcess> processes = new ArrayList<>();
    private final int[] tcpTargets = new int[TARGETS];
    private final int[] udpTargets = new int[TARGETS];
    /** By instance and listener, the port it listens on. */
    private final int[][] ports = new int[INSTANCES][LISTENERS.length];

    @AfterEach
    void closeAll() throws Exception
    {
        for (final PortgateProcess p : processes)
        {
            p.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void everyInstancePicksTheSameTargetAndTheDisruptionIsMeasured() throws Exception
    {
        for (int t = 0; t < TARGETS; t++)
        {
            tcpTargets[t] = tcpIdServer(t);
            udpTargets[t] = udpIdServer(t);
        }
        for (int i = 0; i < INSTANCES; i++)
        {
            for (int l = 0; l < LISTENERS.length; l++)
            {
                ports[i][l] = l == 2 ? Echoes.freeUdpPort() : Echoes.freeTcpPort();
            }
            final PortgateProcess p = PortgateProcess.start(Map.of(), "run", write(i, -1).toString());
            processes.add(p);
        }
        for (final PortgateProcess p : processes)
        {
            p.awaitOut(line -> line.startsWith("portgate: running"), START);
        }

        // Every client through every instance: the same target, for each listener.
        final int[][][] before = pickAll(new int[] {0, 1, 2});
        for (int l = 0; l < LISTENERS.length; l++)
        {
            for (int c = 0; c < CLIENTS; c++)
            {
                assertEquals(before[0][l][c], before[1][l][c], LISTENERS[l] + " client " + c + ", instances 0 and 1");
                assertEquals(before[0][l][c], before[2][l][c], LISTENERS[l] + " client " + c + ", instances 0 and 2");
            }
            System.out.println("scale-out: " + LISTENERS[l] + ": " + CLIENTS + " of " + CLIENTS + " clients reach " +
                "the same target through all 3 instances; clients per target " + Arrays.toString(spread(before[0][l])));
        }

        // A target leaves: removed from every instance's file, reloaded.
        final int leaving = 2;
        for (int i = 0; i < INSTANCES; i++)
        {
            write(i, leaving);
            processes.get(i).signal("HUP");
        }
        for (final PortgateProcess p : processes)
        {
            p.awaitOut(line -> line.startsWith("portgate: reload=1 result=applied"), START);
        }
        // UDP flows to the removed target drain for drain-timeout (1s); new ones are picked from the rest.
        Thread.sleep(2_500);
        final int[][][] after = pickAll(new int[] {0, 1, 2});
        for (int l = 0; l < LISTENERS.length; l++)
        {
            int wasOnLeaving = 0;
            int othersMoved = 0;
            for (int c = 0; c < CLIENTS; c++)
            {
                assertEquals(after[0][l][c], after[1][l][c], LISTENERS[l] + " client " + c + " after the target left");
                assertEquals(after[0][l][c], after[2][l][c], LISTENERS[l] + " client " + c + " after the target left");
                assertTrue(after[0][l][c] != leaving, "nothing goes to the removed target");
                if (before[0][l][c] == leaving)
                {
                    wasOnLeaving++;
                }
                else if (after[0][l][c] != before[0][l][c])
                {
                    othersMoved++;
                }
            }
            System.out.println("scale-out: " + LISTENERS[l] + ": target " + leaving + " of " + TARGETS + " left: " +
                wasOnLeaving + " clients were on it and moved; " + othersMoved + " of the " +
                (CLIENTS - wasOnLeaving) + " on the other targets moved too");
            if (LISTENERS[l].equals("maglev"))
            {
                // Maglev's promise: the others mostly stay (its table is not perfectly stable, so a few may move).
                assertTrue(othersMoved * 20 <= CLIENTS - wasOnLeaving, "maglev moved " + othersMoved);
            }
        }

        // An instance leaves: the ECMP route through it is withdrawn, its clients arrive at the other two.
        processes.get(2).signal("TERM");
        assertEquals(0, processes.get(2).await(Duration.ofSeconds(60)).status());
        final int[][][] twoLeft = pickAll(new int[] {0, 1, 0});
        for (int l = 0; l < LISTENERS.length; l++)
        {
            int moved = 0;
            for (int c = 0; c < CLIENTS; c++)
            {
                // Client c went through instance c % 3; now it goes through instance c % 2.
                final int now = twoLeft[c % 2][l][c];
                if (now != after[c % 3][l][c])
                {
                    moved++;
                }
            }
            System.out.println("scale-out: " + LISTENERS[l] + ": instance 2 of 3 left: " + moved + " of " + CLIENTS +
                " clients reach another target than before (their flows moved to the other instances)");
            assertEquals(0, moved, LISTENERS[l] + ": the other instances pick the same targets");
        }
    }

    /**
     * Every client through the given instances.
     *
     * @param through for the three slots, which instance to ask (a slot may repeat an instance).
     * @return by slot, listener and client, the target's index.
     */
    private int[][][] pickAll(final int[] through) throws IOException
    {
        final int[][][] picked = new int[INSTANCES][LISTENERS.length][CLIENTS];
        for (int slot = 0; slot < INSTANCES; slot++)
        {
            final int instance = through[slot];
            for (int c = 0; c < CLIENTS; c++)
            {
                final InetAddress client = clientAddress(c);
                picked[slot][0][c] = tcpPick(client, ports[instance][0], c);
                picked[slot][1][c] = tcpPick(client, ports[instance][1], c);
                picked[slot][2][c] = udpPick(client, ports[instance][2], c);
            }
        }
        return picked;
    }

    private static InetAddress clientAddress(final int client) throws IOException
    {
        return InetAddress.getByAddress(new byte[] {127, 0, (byte)(1 + client / 200), (byte)(1 + client % 200)});
    }

    private static int[] spread(final int[] picks)
    {
        final int[] perTarget = new int[TARGETS];
        for (final int t : picks)
        {
            perTarget[t]++;
        }
        return perTarget;
    }

    private static byte[] nonce(final int client)
    {
        final byte[] nonce = new byte[32];
        new SplittableRandom(client * 7919L + System.nanoTime()).nextBytes(nonce);
        return nonce;
    }

    /** Connects from the client's address, sends a nonce, reads the target's id and the nonce back. */
    private static int tcpPick(final InetAddress from, final int port, final int client) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.bind(new InetSocketAddress(from, 0));
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress(LOOPBACK, port), 10_000);
            final byte[] nonce = nonce(client);
            s.getOutputStream().write(nonce);
            final byte[] reply = s.getInputStream().readNBytes(nonce.length + 1);
            assertEquals(nonce.length + 1, reply.length, "a whole reply through port " + port);
            assertArrayEquals(nonce, Arrays.copyOfRange(reply, 1, reply.length), "every byte back");
            return reply[0];
        }
    }

    private static int udpPick(final InetAddress from, final int port, final int client) throws IOException
    {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0)))
        {
            s.setSoTimeout(2_000);
            final byte[] nonce = nonce(client);
            final byte[] reply = new byte[nonce.length + 2];
            for (int attempt = 0; attempt < 5; attempt++)
            {
                s.send(new DatagramPacket(nonce, nonce.length, new InetSocketAddress(LOOPBACK, port)));
                final DatagramPacket packet = new DatagramPacket(reply, reply.length);
                try
                {
                    s.receive(packet);
                }
                catch (final SocketTimeoutException lost)
                {
                    continue;
                }
                assertEquals(nonce.length + 1, packet.getLength());
                assertArrayEquals(nonce, Arrays.copyOfRange(reply, 1, nonce.length + 1), "every byte back");
                return reply[0];
            }
            throw new AssertionError("no UDP reply through port " + port + " for client " + from);
        }
    }

    /**
     * Writes instance {@code i}'s configuration: maglev targets rotated by {@code i} (the order does not matter to
     * maglev), source-hash and UDP targets in one order (source-hash maps by position).
     *
     * @param leaving a target index left out, or -1.
     */
    private Path write(final int i, final int leaving) throws IOException
    {
        final List<String> maglev = new ArrayList<>();
        final List<String> ordered = new ArrayList<>();
        final List<String> udp = new ArrayList<>();
        for (int k = 0; k < TARGETS; k++)
        {
            final int rotated = (k + i) % TARGETS;
            if (rotated != leaving)
            {
                maglev.add("127.0.0.1:" + tcpTargets[rotated]);
            }
            if (k != leaving)
            {
                ordered.add("127.0.0.1:" + tcpTargets[k]);
                udp.add("127.0.0.1:" + udpTargets[k]);
            }
        }
        final Path file = dir.resolve("instance-" + i + ".yaml");
        Files.writeString(file, """
            workers: 2
            drain-timeout: 1s
            max-connections: 1000
            metrics-file: %s
            listeners:
              - name: maglev
                bind: 127.0.0.1:%d
                pool: m
              - name: hash
                bind: 127.0.0.1:%d
                pool: s
              - name: udp
                protocol: udp
                bind: 127.0.0.1:%d
                pool: u
                affinity: client
                max-flows: 4096
            pools:
              m:
                balance: maglev
                targets: [%s]
              s:
                balance: source-hash
                targets: [%s]
              u:
                targets: [%s]
            """.formatted(dir.resolve("instance-" + i + ".metrics"), ports[i][0], ports[i][1], ports[i][2],
            String.join(", ", maglev), String.join(", ", ordered), String.join(", ", udp)));
        return file;
    }

    /** A TCP target that answers a nonce with its id byte and the nonce. */
    private int tcpIdServer(final int id) throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 1024, LOOPBACK);
        resources.add(server);
        Thread.ofVirtual().start(() ->
        {
            try
            {
                while (true)
                {
                    final Socket s = server.accept();
                    Thread.ofVirtual().start(() ->
                    {
                        try (s)
                        {
                            final InputStream in = s.getInputStream();
                            final byte[] nonce = in.readNBytes(32);
                            final OutputStream out = s.getOutputStream();
                            out.write(id);
                            out.write(nonce);
                            out.flush();
                        }
                        catch (final IOException ignored)
                        {
                            // the client went away
                        }
                    });
                }
            }
            catch (final IOException closed)
            {
                // test over
            }
        });
        return server.getLocalPort();
    }

    /** A UDP target that answers a datagram with its id byte and the datagram. */
    private int udpIdServer(final int id) throws IOException
    {
        final DatagramSocket server = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        resources.add(server);
        Thread.ofPlatform().daemon().start(() ->
        {
            final byte[] in = new byte[2048];
            final byte[] out = new byte[2049];
            try
            {
                while (true)
                {
                    final DatagramPacket packet = new DatagramPacket(in, in.length);
                    server.receive(packet);
                    out[0] = (byte)id;
                    System.arraycopy(in, 0, out, 1, packet.getLength());
                    server.send(new DatagramPacket(out, packet.getLength() + 1, packet.getSocketAddress()));
                }
            }
            catch (final IOException closed)
            {
                // test over
            }
        });
        return server.getLocalPort();
    }
}
