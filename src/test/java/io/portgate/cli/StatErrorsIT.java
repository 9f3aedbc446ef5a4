package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A running balancer's unexpected errors, read by another process: {@code ./portgate run} under an open-file limit
 * too low for the UDP flows its clients start, so opening a flow's socket to its target fails (EMFILE), and
 * {@code ./portgate stat --errors} prints the failure from the metrics file, once, with how often it happened.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StatErrorsIT
{
    private static final int LIMIT = 512;
    private static final int CLIENTS = 700;
    private static final Pattern COUNT = Pattern.compile("^(\\d+) time\\(s\\), first \\S+, last \\S+:$");

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable c : open.reversed())
        {
            c.close();
        }
    }

    @Test
    void errorsOfARunningBalancerAreReadFromAnotherProcess() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        final DatagramChannel target = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        open.add(target);
        final Path metrics = dir.resolve("portgate.metrics");
        final int listen = NonEphemeralPort.free();
        final Path config = dir.resolve("portgate.yaml");
        Files.writeString(config, """
            workers: 1
            metrics-file: %s
            drain-timeout: 1s
            listeners:
              - name: dns
                protocol: udp
                bind: 127.0.0.1:%d
                pool: dns
            pools:
              dns:
                targets: [127.0.0.1:%d]
            """.formatted(metrics, listen, ((InetSocketAddress)target.getLocalAddress()).getPort()));

        final PortgateProcess none = PortgateProcess.start(Map.of(), "run", config.toString());
        open.add(none);
        none.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        final PortgateProcess.Result clean = PortgateProcess.run("stat", "--errors", "--file", metrics.toString());
        assertEquals(0, clean.status(), clean.toString());
        assertTrue(clean.out().startsWith("portgate pid " + none.pid() + ": 0 distinct error(s)"), clean.toString());
        none.signal("TERM");
        assertEquals(0, none.await(Duration.ofSeconds(60)).status());

        final PortgateProcess portgate = PortgateProcess.start(List.of("prlimit", "--nofile=" + LIMIT + ":" + LIMIT),
            Map.of(), "run", config.toString());
        open.add(portgate);
        portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        // Each client is a flow, and each flow a socket of the balancer's: far more than its limit allows.
        final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), listen);
        final List<DatagramChannel> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++)
        {
            final DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            open.add(client);
            clients.add(client);
        }
        // Waits until the balancer has hit its limit more than once: every flow past it fails alike. Every client
        // sends again each round: a burst larger than the listening socket's receive queue loses datagrams in the
        // kernel, and a client whose datagram was lost has no flow yet.
        PortgateProcess.Result errors = null;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        do
        {
            for (int i = 0; i < CLIENTS; i++)
            {
                clients.get(i).send(ByteBuffer.wrap(("flow " + i).getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII)), front);
            }
            errors = PortgateProcess.run("stat", "--errors", "--file", metrics.toString());
        }
        while (timesLogged(errors) < 2 && System.nanoTime() - deadline < 0);
        assertEquals(0, errors.status(), errors.toString());
        assertTrue(errors.out().startsWith("portgate pid " + portgate.pid() + ": 1 distinct error(s), oldest first"),
            errors.toString());
        assertTrue(timesLogged(errors) >= 2, errors.toString());
        assertTrue(errors.out().lines().toList().get(3).contains("Too many open files"), errors.toString());
        assertTrue(errors.out().contains("\tat "), "with its stack trace: " + errors);

        final PortgateProcess.Result json = PortgateProcess.run("stat", "--errors", "--format", "json", "--file",
            metrics.toString());
        assertEquals(0, json.status(), json.toString());
        assertTrue(json.out().contains("\"pid\":" + portgate.pid()), json.toString());
        assertTrue(json.out().contains("Too many open files"), json.toString());
        // The balancer's own log has it once, however often it happened.
        assertEquals(1, portgate.err().lines().filter(l -> l.contains("Too many open files") &&
            !l.startsWith("Caused by: ")).count(), portgate.err());
        portgate.signal("TERM");
        assertEquals(0, portgate.await(Duration.ofSeconds(60)).status(), portgate.toString());
    }

    /** How many times the one error {@code stat --errors} printed happened, or 0 when it printed none. */
    private static int timesLogged(final PortgateProcess.Result errors)
    {
        final List<String> lines = errors.out().lines().toList();
        final Matcher count = lines.size() > 2 ? COUNT.matcher(lines.get(2)) : null;
        return count != null && count.matches() ? Integer.parseInt(count.group(1)) : 0;
    }
}
