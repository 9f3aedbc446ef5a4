package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's recipes for engines in front of several instances, as far as this machine allows: the health check
 * script (for keepalived's {@code vrrp_script}) exits 0 or 1 as a real {@code ./portgate run}'s health flips, the
 * ExaBGP process script announces and withdraws the route as it flips, and {@code keepalived -t} and
 * {@code exabgp --validate} accept the example configurations (skipped where they are not installed). No VRRP or BGP
 * packet leaves the machine: the engines only check their files.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HealthRecipesIT
{
    private static final Path RECIPES = PortgateProcess.ROOT.resolve("config/health");
    private static final Path CHECK = RECIPES.resolve("portgate-health-check");
    private static final Path ANNOUNCE = RECIPES.resolve("portgate-exabgp-announce");
    private static final Duration STARTS_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception
    {
        for (final Process p : started)
        {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void theCheckScriptExits0Or1AsHealthFlips() throws Exception
    {
        final Balancer b = start();
        assertEquals(0, check(b.admin()), "healthy");
        post(b.admin(), "/api/health/fail");
        assertEquals(1, check(b.admin()), "failed by operator");
        post(b.admin(), "/api/health/ok");
        assertEquals(0, check(b.admin()), "healthy again");

        b.process().signal("TERM");
        b.process().awaitOut(l -> l.startsWith("portgate: stopping: /api/health answers 503"), STARTS_WITHIN);
        assertEquals(1, check(b.admin()), "stopping, during drain-announce");
        b.process().signal("TERM");
        assertEquals(0, b.process().await(Duration.ofSeconds(30)).status());
        assertEquals(1, check(b.admin()), "nothing listening");
    }

    @Test
    void theExabgpProcessAnnouncesWhileHealthyAndWithdrawsWhileNot() throws Exception
    {
        final Balancer b = start();
        final ProcessBuilder pb = new ProcessBuilder(ANNOUNCE.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(Map.of("PORTGATE_ADMIN", "127.0.0.1:" + b.admin(), "PORTGATE_PREFIX",
            "192.0.2.10/32", "PORTGATE_CHECK_INTERVAL", "0.2"));
        final Process announce = pb.start();
        started.add(announce);
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(announce.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // the script was stopped
            }
        });
        assertEquals("announce route 192.0.2.10/32 next-hop self", next(lines));
        post(b.admin(), "/api/health/fail");
        assertEquals("withdraw route 192.0.2.10/32 next-hop self", next(lines));
        post(b.admin(), "/api/health/ok");
        assertEquals("announce route 192.0.2.10/32 next-hop self", next(lines));
        // One line per change: nothing more while the health stays.
        assertEquals(null, lines.poll(1, TimeUnit.SECONDS));
        // A stop is announced (drain-announce) while the instance still serves: the route goes first.
        b.process().signal("TERM");
        assertEquals("withdraw route 192.0.2.10/32 next-hop self", next(lines), "the instance is stopping");
        b.process().signal("TERM");
        assertEquals(0, b.process().await(Duration.ofSeconds(30)).status());
        assertEquals(null, lines.poll(1, TimeUnit.SECONDS), "stopped: still withdrawn");
    }

    @Test
    void keepalivedAcceptsTheExampleWithTheCheckScript() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/keepalived")), "keepalived is not installed here");
        // VRRP needs an interface other than loopback; only the file is checked, nothing is sent on it.
        assumeTrue(Files.isDirectory(Path.of("/sys/class/net/eth0")), "no eth0 here for the example's VRRP");
        final Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, Files.readString(RECIPES.resolve("keepalived.conf"))
            .replace("/usr/local/bin/portgate-health-check", CHECK.toString()));
        final Run ok = run("/usr/sbin/keepalived", "-t", "-f", conf.toString());
        assertEquals(0, ok.status(), ok.output());
        // The check is real: a script it cannot find fails it.
        Files.writeString(conf, Files.readString(conf).replace(CHECK.toString(), dir.resolve("missing").toString()));
        final Run missing = run("/usr/sbin/keepalived", "-t", "-f", conf.toString());
        assertTrue(missing.status() != 0, missing.output());
    }

    @Test
    void exabgpAcceptsTheExample() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/exabgp")), "exabgp is not installed here");
        final Path conf = dir.resolve("exabgp.conf");
        Files.writeString(conf, Files.readString(RECIPES.resolve("exabgp.conf"))
            .replace("/usr/local/bin/portgate-exabgp-announce", ANNOUNCE.toString()));
        final Run ok = run("/usr/sbin/exabgp", "--validate", conf.toString());
        assertEquals(0, ok.status(), ok.output());
        assertTrue(ok.output().contains("processes [ portgate-health ]"), ok.output());
        Files.writeString(conf, Files.readString(conf).replace("peer-as 65000;", "peer-as;"));
        assertTrue(run("/usr/sbin/exabgp", "--validate", conf.toString()).status() != 0, "a broken file fails");
    }

    private record Balancer(PortgateProcess process, int admin)
    {
    }

    private record Run(int status, String output)
    {
    }

    private Balancer start() throws Exception
    {
        final ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        resources.add(target);
        final int admin = freePort();
        final Path file = dir.resolve("recipes.yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
            admin: 127.0.0.1:%d
            drain-announce: 60s
            max-connections: 100
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("recipes.metrics"), admin, freePort(), target.getLocalPort()));
        final PortgateProcess p = PortgateProcess.start(Map.of(), "run", file.toString());
        resources.add(p);
        p.awaitOut(l -> l.startsWith("portgate: running"), STARTS_WITHIN);
        return new Balancer(p, admin);
    }

    private int check(final int admin) throws Exception
    {
        final ProcessBuilder pb = new ProcessBuilder(CHECK.toString()).redirectErrorStream(true);
        pb.environment().put("PORTGATE_ADMIN", "127.0.0.1:" + admin);
        final Process p = pb.start();
        started.add(p);
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the check ends");
        return p.exitValue();
    }

    private void post(final int admin, final String path) throws Exception
    {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + path))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static String next(final BlockingQueue<String> lines) throws InterruptedException
    {
        final String line = lines.poll(30, TimeUnit.SECONDS);
        assertTrue(line != null, "the script wrote a line within 30 s");
        return line;
    }

    private Run run(final String... command) throws Exception
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ends");
        return new Run(p.exitValue(), output);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }
}
