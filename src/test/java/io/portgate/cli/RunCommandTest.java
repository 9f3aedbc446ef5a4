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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate run} as its own process: forwards, drains on SIGTERM and exits 0; refuses bad starts with 2. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunCommandTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable r : resources)
        {
            r.close();
        }
    }

    private static Process start(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports",
            "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-cp",
            System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private int echoServer() throws IOException
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
        Files.writeString(file, """
            workers: 1
            drain-timeout: 2s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                targets:
                  - 127.0.0.1:%d
            """.formatted(listenPort, targetPort));
        return file;
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
