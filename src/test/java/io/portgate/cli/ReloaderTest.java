package io.portgate.cli;

import io.portgate.ReloadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reload thread of {@code portgate run} outlives whatever a reload throws: each failure is one line saying the
 * previous configuration still runs, and the next request is served. No file makes the balancer throw an Error any
 * more (RunCommandTest sends the one that did), so a stand-in throws it here.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReloaderTest
{
    private static void awaitLines(final StringWriter writer, final String marker, final int count)
        throws InterruptedException
    {
        while (writer.toString().lines().filter(l -> l.contains(marker)).count() < count)
        {
            Thread.sleep(10);
        }
    }

    @Test
    void anErrorIsOneRejectedLineAndTheNextReloadIsServed() throws Exception
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger calls = new AtomicInteger();
        try (Reloader reloader = new Reloader(Path.of("portgate.yaml"), new PrintWriter(out, true),
            new PrintWriter(err, true)))
        {
            reloader.attach(() ->
            {
                if (calls.incrementAndGet() == 1)
                {
                    throw new StackOverflowError();
                }
                if (calls.get() == 2)
                {
                    throw new NullPointerException();
                }
                return new ReloadResult(1, List.of("pool web: +target 127.0.0.1:9001"), List.of());
            });
            reloader.request();
            awaitLines(err, "result=rejected", 1);
            reloader.request();
            awaitLines(err, "result=rejected", 2);
            reloader.request();
            awaitLines(out, "result=applied", 1);
        }
        assertEquals(List.of(
            "portgate: reload result=rejected reason=java.lang.StackOverflowError; still running the previous " +
                "configuration",
            "portgate: reload result=rejected reason=java.lang.NullPointerException; still running the previous " +
                "configuration"), err.toString().lines().toList());
        assertTrue(out.toString().startsWith("portgate: reload=1 result=applied changes=1"), out.toString());
        assertEquals(3, calls.get());
    }
}
