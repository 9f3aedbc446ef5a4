package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code portgate run} as its own process: forwards, drains on SIGTERM and exits 0; refuses bad starts with 2;
 * reloads on SIGHUP and with {@code --watch}, and keeps forwarding when a reload is rejected.
 */
// A separate thread, so that a test blocked reading a process that never prints what it waits for fails at the
// timeout instead of hanging the build; the process is killed after each test, which ends that read.
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RunCommandTest
{
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        STARTED.forEach(Process::destroyForcibly);
        STARTED.clear();
        for (final AutoCloseable r : resources)
        {
            r.close();
        }
    }

    private static Process start(final String... args) throws IOException
    {
        return start(List.of(), args);
    }

    private static Process start(final List<String> prefix, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports",
            "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(Arrays.asList(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        STARTED.add(process);
        return process;
    }

    private int echoServer() throws IOException
    {
        return echoServer(new AtomicInteger());
    }

    private int echoServer(final AtomicInteger accepted) throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        resources.add(server);
        Thread.ofVirtual().start(() ->
        {
            try
            {
                while (true)
                {
                    final Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() ->
                    {
                        try (s)
                        {
                            s.getInputStream().transferTo(s.getOutputStream());
                        }
                        catch (final IOException ignored)
                        {
                            // client gone
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

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK))
        {
            return s.getLocalPort();
        }
    }

    private Path config(final int listenPort, final int targetPort) throws IOException
    {
        final Path file = dir.resolve("run.yaml");
        Files.writeString(file, configText(listenPort, targetPort));
        return file;
    }

    private String configText(final int listenPort, final int... targetPorts)
    {
        final StringBuilder targets = new StringBuilder();
        for (final int port : targetPorts)
        {
            targets.append("          - 127.0.0.1:").append(port).append('\n');
        }
        // Its own metrics file, last so that no line moves: the default one is shared with every balancer of the user.
        return """
            workers: 1
            drain-timeout: 2s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                targets:
            """.formatted(listenPort) + targets + "metrics-file: " + dir.resolve("portgate.metrics") + "\n";
    }

    private static void sighup(final Process process) throws Exception
    {
        final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -HUP " + process.pid());
    }

    private static void assertForwards(final int listen) throws IOException
    {
        final byte[] payload = new byte[4096];
        new SplittableRandom(listen).nextBytes(payload);
        try (Socket client = new Socket(LOOPBACK, listen))
        {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(payload);
            assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length));
        }
    }

    private static void stopAndExpectZero(final Process process, final BufferedReader out) throws Exception
    {
        assertTrue(process.toHandle().destroy());
        readUntil(out, "portgate: stopped");
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
        assertEquals(0, process.exitValue());
    }

    private static String readUntil(final BufferedReader reader, final String marker) throws IOException
    {
        final StringBuilder seen = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null)
        {
            seen.append(line).append('\n');
            if (line.contains(marker))
            {
                return seen.toString();
            }
        }
        throw new AssertionError("process ended before printing '" + marker + "':\n" + seen);
    }

    @Test
    void forwardsUntilSigtermThenDrainsAndExitsZero() throws Exception
    {
        final int listen = freePort();
        final Process process = start("run", config(listen, echoServer()).toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            final String banner = readUntil(out, "portgate: running");
            assertTrue(banner.contains("listener 'web' tcp 127.0.0.1:" + listen + " -> pool 'web'"), banner);

            final byte[] payload = new byte[256 * 1024];
            new SplittableRandom(3).nextBytes(payload);
            try (Socket client = new Socket(LOOPBACK, listen))
            {
                client.setSoTimeout(10_000);
                Thread.ofVirtual().start(() ->
                {
                    try
                    {
                        client.getOutputStream().write(payload);
                    }
                    catch (final IOException ignored)
                    {
                        // the read below fails the test
                    }
                });
                assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length));
            }

            // SIGTERM through the handle: Process.destroy() would also close our end of its output.
            assertTrue(process.toHandle().destroy());
            final String rest = readUntil(out, "portgate: stopped");
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            assertTrue(rest.contains("portgate: stopping"), rest);
            assertEquals(0, process.exitValue());
        }
        finally
        {
            process.destroyForcibly();
        }
        assertThrows(IOException.class, () -> new Socket(LOOPBACK, listen).close(), "nothing listens any more");
    }

    @Test
    void sighupAppliesAValidFileAndRejectsABadOneWhileForwarding() throws Exception
    {
        final int listen = freePort();
        final AtomicInteger firstAccepted = new AtomicInteger();
        final AtomicInteger secondAccepted = new AtomicInteger();
        final int first = echoServer(firstAccepted);
        final int second = echoServer(secondAccepted);
        final Path file = config(listen, first);
        final Process process = start("run", file.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            final String banner = readUntil(out, "portgate: running");
            assertTrue(banner.contains("SIGHUP reloads " + file), banner);
            assertForwards(listen);

            assertRejectsBadFile(process, out, file, configText(listen, first, second));
            assertForwards(listen);
            assertEquals(0, secondAccepted.get(), "the rejected file's new target is not used");

            Files.writeString(file, configText(listen, first, second));
            sighup(process);
            final String applied = readUntil(out, "portgate: reload");
            assertTrue(applied.contains("portgate: reload=1 result=applied changes=1: pool web: +target 127.0.0.1:" +
                second), applied);
            // Round robin over the two targets now: the added one takes connections.
            for (int i = 0; i < 4; i++)
            {
                assertForwards(listen);
            }
            assertTrue(secondAccepted.get() >= 1, "the target the reload added was used: " + secondAccepted);

            // Rejected after an applied reload, the running configuration is the reloaded one: both targets.
            assertRejectsBadFile(process, out, file, configText(listen, first));
            final int firstBefore = firstAccepted.get();
            final int secondBefore = secondAccepted.get();
            for (int i = 0; i < 4; i++)
            {
                assertForwards(listen);
            }
            assertEquals(firstBefore + secondBefore + 4, firstAccepted.get() + secondAccepted.get(),
                "the previous configuration still forwards to its targets");
            assertTrue(firstAccepted.get() > firstBefore && secondAccepted.get() > secondBefore,
                "both targets of the previous configuration still serve: " + firstAccepted + ", " + secondAccepted);

            stopAndExpectZero(process, out);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void sighupReloadsEvenWhenStartedWithItIgnored() throws Exception
    {
        final int listen = freePort();
        final int first = echoServer();
        final AtomicInteger secondAccepted = new AtomicInteger();
        final int second = echoServer(secondAccepted);
        final Path file = config(listen, first);
        // As nohup does: SIGHUP ignored, which the JVM keeps unless told otherwise.
        final Process process = start(List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\""), "run",
            file.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            final String banner = readUntil(out, "portgate: running");
            assertTrue(!banner.contains("SIGHUP is ignored"), banner);
            Files.writeString(file, configText(listen, first, second));
            sighup(process);
            final String applied = readUntil(out, "portgate: reload");
            assertTrue(applied.contains("portgate: reload=1 result=applied changes=1"), applied);
            for (int i = 0; i < 4; i++)
            {
                assertForwards(listen);
            }
            assertTrue(secondAccepted.get() >= 1, "the target the reload added was used");
            stopAndExpectZero(process, out);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    /** Writes {@code valid} with the listener sent to a pool that does not exist, sends SIGHUP, checks the answer. */
    private static void assertRejectsBadFile(final Process process, final BufferedReader out, final Path file,
        final String valid) throws Exception
    {
        Files.writeString(file, valid.replace("pool: web", "pool: nope"));
        sighup(process);
        final String rejected = readUntil(out, "portgate: reload");
        assertTrue(rejected.contains(file + ":6:11: error: listener 'web' forwards to pool 'nope'"), rejected);
        assertTrue(rejected.contains("portgate: reload result=rejected reason=1 error in " + file +
            "; still running the previous configuration"), rejected);
        assertTrue(process.isAlive(), "a rejected reload does not stop portgate");
    }

    @Test
    void watchReloadsWhenTheFileIsReplacedOrRewritten() throws Exception
    {
        final int listen = freePort();
        final int first = echoServer();
        final int second = echoServer();
        final int third = echoServer();
        final Path file = config(listen, first);
        final Process process = start("run", "--watch", file.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            final String banner = readUntil(out, "portgate: running");
            assertTrue(banner.contains("portgate: watching " + file), banner);

            // Saving the same content reloads nothing: the first reload seen below is then number 1.
            Files.writeString(file, configText(listen, first));
            final String unchanged = readUntil(out, "portgate: watch: ");
            assertTrue(unchanged.contains("portgate: watch: " + file.toAbsolutePath() + " was saved without a " +
                "change: nothing to reload"), unchanged);

            // The way many editors save: a new file renamed over the old one.
            final Path saved = dir.resolve(".run.yaml.tmp");
            Files.writeString(saved, configText(listen, first, second));
            Files.move(saved, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            final String replaced = readUntil(out, "portgate: reload");
            assertTrue(replaced.contains("portgate: reload=1 result=applied changes=1: pool web: +target " +
                "127.0.0.1:" + second), replaced);

            // And in place.
            Files.writeString(file, configText(listen, first, second, third));
            final String rewritten = readUntil(out, "portgate: reload");
            assertTrue(rewritten.contains("portgate: reload=2 result=applied changes=1: pool web: +target " +
                "127.0.0.1:" + third), rewritten);
            assertFalse(rewritten.contains("rejected"), rewritten);
            assertForwards(listen);

            stopAndExpectZero(process, out);
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void aConfigurationWithErrorsStartsNothing() throws Exception
    {
        final int listen = freePort();
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(config(listen, 9)).replace("pool: web", "pool: nope"));
        final Process process = start("run", file.toString());
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        assertTrue(output.contains("bad.yaml:6:11: error: listener 'web' forwards to pool 'nope'"), output);
        assertTrue(output.contains("not starting"), output);
    }

    @Test
    void aPortInUseIsNamedAndNothingIsLeftListening() throws Exception
    {
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress(LOOPBACK, 0));
            final Process process = start("run", config(taken.getLocalPort(), echoServer()).toString());
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(2, process.exitValue(), output);
            assertTrue(output.contains("listener 'web' cannot bind"), output);
        }
    }
}
