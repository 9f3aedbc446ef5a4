package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime image as an operator uses it on a machine without a JDK: {@code env -i PATH=/usr/bin:/bin
 * src/target/image/bin/portgate ...}. It validates, forwards real bytes with the Panama fast path on, serves the admin
 * endpoint, stops on SIGTERM; its launcher reports its own failures with exit 3; the tarball unpacks anywhere and
 * runs; its man pages render and its completion script completes; systemd accepts the unit pointed at it.
 *
 * <p>Runs when the build made the image ({@code ./mvnw -B -Pimage verify}, which sets {@code portgate.image.dir});
 * otherwise every test is reported skipped with that reason.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static Path image;
    private static Path launcher;

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void findImage()
    {
        final String property = System.getProperty("portgate.image.dir");
        Assumptions.assumeTrue(property != null,
            "the runtime image is tested when the build makes it: ./mvnw -B -Pimage verify");
        image = Path.of(property);
        launcher = image.resolve("bin/portgate");
        assertTrue(Files.isExecutable(launcher), launcher + " is missing: the image profile should have made it");
    }

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable r : resources.reversed())
        {
            r.close();
        }
    }

    @Test
    void checksTheExampleConfigurationWithNoJdkOnThePath() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.runWithoutJdk(launcher, "check", "config/portgate.yaml");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("config/portgate.yaml: valid"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void versionNamesPortgateAndTheImagesOwnJava() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.runWithoutJdk(launcher, "--version");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("portgate " + System.getProperty("portgate.version") + "\n"), r.toString());
        assertTrue(r.out().contains("Java " + Runtime.version().feature()), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void portgateJavaOptsReachTheJvm() throws Exception
    {
        try (PortgateProcess p = PortgateProcess.startWithoutJdk(launcher,
            Map.of("PORTGATE_JAVA_OPTS", "-XshowSettings:vm -Xmx200m"), "--version"))
        {
            final PortgateProcess.Result r = p.await(Duration.ofSeconds(60));
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.err().contains("VM settings:"), r.toString());
            assertTrue(r.err().contains("Max. Heap Size: 200.00M"), r.toString());
        }
    }

    @Test
    void aBadOptionIsReportedOnStderrWithExit2() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.runWithoutJdk(launcher, "check", "--bogus", "x");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void theRuntimeHoldsExactlyTheListedModulesAndBinHoldsJavaAndPortgate() throws Exception
    {
        final Set<String> expected = new TreeSet<>(Arrays.asList(
            System.getProperty("portgate.image.modules").split(",")));
        final Process p = new ProcessBuilder(image.resolve("bin/java").toString(), "--list-modules")
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        final Set<String> modules = new TreeSet<>();
        out.lines().map(l -> l.split("@")[0].strip()).filter(l -> !l.isEmpty()).forEach(modules::add);
        assertEquals(expected, modules, out);
        try (var bin = Files.list(image.resolve("bin")))
        {
            assertEquals(Set.of("java", "portgate"),
                new TreeSet<>(bin.map(f -> f.getFileName().toString()).toList()));
        }
    }

    @Test
    void runsForwardsWithSpliceServesAdminAndStatAndStopsOnSigterm() throws Exception
    {
        final int echo = echoServer();
        final int front = freePort();
        final int admin = freePort();
        final Path metrics = dir.resolve("portgate.metrics");
        final Path config = dir.resolve("image.yaml");
        // splice: on is required, so the start fails unless the Panama layer works in this runtime.
        Files.writeString(config, """
            workers: 1
            admin: 127.0.0.1:%d
            metrics-file: %s
            drain-timeout: 2s
            fast-paths:
              splice: on
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: echo
            pools:
              echo:
                targets: [127.0.0.1:%d]
            """.formatted(admin, metrics, front, echo));
        try (PortgateProcess run = PortgateProcess.startWithoutJdk(launcher, Map.of(), "run", config.toString()))
        {
            run.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(30));
            // The image's launcher gives the heap limit and collector that ./portgate gives (README, "Memory").
            final List<String> jvm = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(run.pid()),
                "cmdline")), StandardCharsets.UTF_8).split("\0"));
            assertTrue(jvm.containsAll(List.of(HeapLimit.LAUNCHER_OPTIONS.split(" "))), jvm.toString());

            final byte[] payload = new byte[256 * 1024];
            new SplittableRandom(16).nextBytes(payload);
            try (Socket client = new Socket(LOOPBACK, front))
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

            try (HttpClient http = HttpClient.newHttpClient())
            {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
                assertTrue(response.body().contains("portgate_tcp_connections_total{listener=\"web\"} 1"),
                    response.body());
            }

            final PortgateProcess.Result stat = PortgateProcess.runWithoutJdk(launcher, "stat", "--once",
                "--format", "json", "--file", metrics.toString());
            assertEquals(0, stat.status(), stat.toString());
            assertTrue(stat.out().contains("\"web\""), stat.toString());

            run.signal("TERM");
            final PortgateProcess.Result stopped = run.await(Duration.ofSeconds(30));
            assertEquals(0, stopped.status(), stopped.toString());
            assertTrue(stopped.out().contains("portgate: stopped"), stopped.toString());
        }
    }

    @Test
    void worksThroughASymbolicLinkFromAnotherDirectory() throws Exception
    {
        final Path link = Files.createSymbolicLink(dir.resolve("portgate"), launcher);
        final PortgateProcess.Result r = PortgateProcess.runWithoutJdk(link, "--version");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("portgate "), r.toString());
        Files.delete(link);
    }

    @Test
    void theLaunchersOwnFailuresAreOneLineAndExit3() throws Exception
    {
        // bin/portgate without the rest of the image.
        final Path lone = Files.createDirectories(dir.resolve("lone/bin")).resolve("portgate");
        Files.copy(launcher, lone);
        final PortgateProcess.Result noJava = PortgateProcess.runWithoutJdk(lone, "--version");
        assertLauncherFailure(noJava, dir.resolve("lone/bin/java") + " is missing");

        // A java, but no jar.
        final Path bin = Files.createDirectories(dir.resolve("nojar/bin"));
        Files.copy(launcher, bin.resolve("portgate"));
        executable(bin.resolve("java"), "#!/bin/sh\nexit 0\n");
        final PortgateProcess.Result noJar = PortgateProcess.runWithoutJdk(bin.resolve("portgate"), "--version");
        assertLauncherFailure(noJar, dir.resolve("nojar/lib/portgate.jar") + " is missing");

        // An image built for another processor.
        final Path other = Files.createDirectories(dir.resolve("other/bin"));
        Files.createDirectories(dir.resolve("other/lib"));
        Files.writeString(dir.resolve("other/lib/portgate.jar"), "");
        executable(other.resolve("java"), "#!/bin/sh\nexit 0\n");
        final String script = Files.readString(launcher);
        assertTrue(script.contains("\nbuilt_for="), script);
        executable(other.resolve("portgate"), script.replaceFirst("\nbuilt_for=\\S+", "\nbuilt_for=sparc64"));
        final PortgateProcess.Result foreign = PortgateProcess.runWithoutJdk(other.resolve("portgate"), "--version");
        assertLauncherFailure(foreign, "built for Linux on sparc64");
    }

    @Test
    void theTarballUnpacksAnywhereAndRuns() throws Exception
    {
        final Path tarball = Path.of(System.getProperty("portgate.image.tarball"));
        assertTrue(Files.isRegularFile(tarball), tarball + " is missing");
        final String top = "portgate-" + System.getProperty("portgate.version") + "/";

        final String listing = run("tar", "-tvzf", tarball.toString());
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(" " + top + "bin/portgate")),
            listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(" " + top + "bin/java")),
            listing);
        for (final String file : List.of("lib/portgate.jar", "share/man/man1/portgate.1",
            "share/bash-completion/completions/portgate", "share/portgate/portgate.service",
            "share/portgate/portgate-systemd.yaml"))
        {
            assertTrue(listing.lines().anyMatch(l -> l.endsWith(" " + top + file)), file + " in\n" + listing);
        }

        run("tar", "-xzf", tarball.toString(), "-C", dir.toString());
        final PortgateProcess.Result r = PortgateProcess.runWithoutJdk(dir.resolve(top + "bin/portgate"), "check",
            "config/portgate.yaml");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("config/portgate.yaml: valid"), r.toString());
    }

    @Test
    void everyCommandHasAManPageThatRenders() throws Exception
    {
        final Path man1 = image.resolve("share/man/man1");
        for (final String page : pages("portgate", Main.commandLine()))
        {
            final Path file = man1.resolve(page + ".1");
            assertTrue(Files.isRegularFile(file), file + " is missing");
            final String troff = Files.readString(file);
            assertTrue(troff.contains(".TH \"" + page.toUpperCase().replace("-", "\\-") + "\" \"1\""), troff);
            if (Files.isExecutable(Path.of("/usr/bin/man")))
            {
                // man finds it by name under the image's share/man, and formats it.
                final String found = run(Map.of("MANPATH", image.resolve("share/man").toString()), "man", "-w", page);
                assertEquals(file.toRealPath().toString(), found.strip());
                final String text = run(Map.of(), "man", "-l", file.toString());
                assertTrue(text.contains("NAME"), text);
                assertTrue(text.contains(page + " - "), text);
                assertTrue(text.contains("SYNOPSIS"), text);
            }
        }
    }

    @Test
    void theShippedCompletionScriptIsTheCommandsOwnAndCompletes() throws Exception
    {
        final Path shipped = image.resolve("share/bash-completion/completions/portgate");
        final PortgateProcess.Result printed = PortgateProcess.runWithoutJdk(launcher, "completion", "bash");
        assertEquals(0, printed.status(), printed.toString());
        assertEquals(printed.out(), Files.readString(shipped));
        assertEquals("", run("bash", "-n", shipped.toString()));
        final String offered = run("bash", "-c", "source " + shipped + " && COMP_WORDS=(portgate ch) && " +
            "COMP_CWORD=1 && COMP_LINE='portgate ch' && COMP_POINT=11 && _complete_portgate 2>/dev/null; " +
            "printf '%s\\n' \"${COMPREPLY[@]}\"");
        assertEquals("check", offered.strip());
    }

    @Test
    void systemdAcceptsTheUnitRunningThisImageAndFindsItsManPages() throws Exception
    {
        final Path unit = Files.createDirectories(dir.resolve("unit")).resolve("portgate.service");
        final String shipped = Files.readString(image.resolve("share/portgate/portgate.service"));
        assertEquals(Files.readString(ServiceUnitTest.UNIT), shipped);
        Files.writeString(unit, shipped.replace(ServiceUnitTest.INSTALLED_LAUNCHER, launcher.toString()));
        // With man pages checked: Documentation=man:portgate(1) man:portgate-run(1) must resolve.
        final ServiceUnitTest.Ran ran = ServiceUnitTest.verify(unit, true,
            Map.of("MANPATH", image.resolve("share/man").toString()));
        assertEquals(0, ran.status(), ran.output());
        assertEquals("", ran.output());
    }

    private static void assertLauncherFailure(final PortgateProcess.Result r, final String says)
    {
        assertEquals(3, r.status(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith("portgate: "), r.toString());
        assertTrue(r.err().contains(says), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    /** portgate, portgate-run, ..., portgate-bench-server: the man page names of a command and its subcommands. */
    private static List<String> pages(final String name, final CommandLine command)
    {
        final List<String> pages = new ArrayList<>(List.of(name));
        command.getSubcommands().forEach((sub, cl) -> pages.addAll(pages(name + "-" + sub, cl)));
        return pages;
    }

    private static void executable(final Path file, final String text) throws IOException
    {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String run(final String... command) throws IOException, InterruptedException
    {
        return run(Map.of(), command);
    }

    /** Runs a command to its end; it must succeed. Returns stdout and stderr together. */
    private static String run(final Map<String, String> env, final String... command)
        throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
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
}
