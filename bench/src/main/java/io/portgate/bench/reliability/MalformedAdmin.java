package io.portgate.bench.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A burst of malformed requests against the admin endpoint (issue 15, finding 5 saw 88 MB become 318 MB): each must
 * be refused with its 4xx and counted, and the balancer's memory must stay where it was.
 */
final class MalformedAdmin implements Scenario
{
    /** The first heap the launcher gives (-Xms64m): touching it is not growth the requests cause. */
    private static final long MAX_GROWTH_KIB = 64 * 1024;

    @Override
    public String name()
    {
        return "malformed-admin";
    }

    @Override
    public String what()
    {
        return "20,000 malformed admin requests (4,000 in --quick) from 4 clients: binary noise, a 40 KiB header, a " +
            "chunked body, HTTP/2's preface, a bad request line; PASS when each is refused with a 4xx or 505 and " +
            "counted, /metrics still answers, and resident memory grows by less than 64 MiB (the first heap)";
    }

    @Override
    public boolean required()
    {
        return true;
    }

    private static byte[][] requests()
    {
        final byte[] noise = new byte[512];
        new Random(15).nextBytes(noise);
        noise[0] = 0x16; // a TLS record, as a client speaking TLS to the HTTP port sends
        return new byte[][] {
            noise,
            ("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Junk: " + "j".repeat(40 * 1024) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII),
            "POST /api/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII),
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            "GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        };
    }

    @Override
    public Outcome run(final SuiteContext context) throws Exception
    {
        final List<String> notes = new ArrayList<>();
        final int count = context.scale(20_000, 4_000);
        final int port = SuiteContext.freeTcpPort();
        final int admin = SuiteContext.freeTcpPort();
        final SuiteContext.ConfigFile config = context.config("""
            workers: 1
            admin: 127.0.0.1:%d
            metrics-file: %%METRICS%%
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                targets: [127.0.0.1:9]
            """.formatted(admin, port));
        try (PortgateRun portgate = context.start(config, admin, 0))
        {
            final byte[][] requests = requests();
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), admin);
            send(address, requests, 200, new AtomicLong(), new AtomicLong());
            final double rejected0 = AdminClient.sum(portgate.admin().metrics(),
                "portgate_admin_rejected_requests_total", "");
            final long rss0 = portgate.rssKiB();
            final long heap0 = portgate.heapUsedAfterGcKiB();
            final AtomicLong refused = new AtomicLong();
            final AtomicLong other = new AtomicLong();
            final long start = System.nanoTime();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                threads.add(Thread.ofPlatform().daemon().start(() -> send(address, requests, count / 4, refused,
                    other)));
            }
            long peak = rss0;
            for (final Thread t : threads)
            {
                while (t.isAlive())
                {
                    peak = Math.max(peak, portgate.rssKiB());
                    t.join(100);
                }
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            final long rss1 = portgate.rssKiB();
            final long heap1 = portgate.heapUsedAfterGcKiB();
            final AdminClient.Response metrics = portgate.admin().request("GET", "/metrics", 5_000);
            final double rejected = AdminClient.sum(AdminClient.parse(metrics.body()),
                "portgate_admin_rejected_requests_total", "") - rejected0;
            notes.add(String.format(Locale.ROOT, "%d requests in %.1f s (%.0f/s): %d refused with 4xx or 505, %d " +
                "otherwise; the endpoint counted %.0f rejections", count, seconds, count / seconds, refused.get(),
                other.get(), rejected));
            notes.add(String.format(Locale.ROOT, "resident memory %.1f MiB before, %.1f MiB at the peak, %.1f MiB " +
                "after; heap after a full GC %.1f -> %.1f MiB", rss0 / 1024.0, peak / 1024.0, rss1 / 1024.0,
                heap0 / 1024.0, heap1 / 1024.0));
            final boolean passed = refused.get() == count && rejected == count && metrics.status() == 200 &&
                peak - rss0 < MAX_GROWTH_KIB;
            return Outcome.of(passed, String.format(Locale.ROOT, "%d of %d malformed requests refused and counted " +
                "%.0f; resident memory peaked %.1f MiB above where it started", refused.get(), count, rejected,
                (peak - rss0) / 1024.0), notes);
        }
    }

    private static void send(final InetSocketAddress address, final byte[][] requests, final int count,
        final AtomicLong refused, final AtomicLong other)
    {
        final byte[] buffer = new byte[4096];
        for (int i = 0; i < count; i++)
        {
            try (Socket s = new Socket())
            {
                s.connect(address, 5_000);
                s.setSoTimeout(5_000);
                s.getOutputStream().write(requests[i % requests.length]);
                final InputStream in = s.getInputStream();
                final ByteArrayOutputStream answer = new ByteArrayOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; )
                {
                    answer.write(buffer, 0, n);
                }
                final String text = answer.toString(StandardCharsets.ISO_8859_1);
                if (text.startsWith("HTTP/1.1 4") || text.startsWith("HTTP/1.1 505 "))
                {
                    refused.incrementAndGet();
                }
                else
                {
                    other.incrementAndGet();
                }
            }
            catch (final IOException ex)
            {
                other.incrementAndGet();
            }
        }
    }
}
