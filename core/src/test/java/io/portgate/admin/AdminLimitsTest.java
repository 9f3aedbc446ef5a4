package io.portgate.admin;

import io.portgate.ReloadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every limit and timeout of the admin endpoint, on its real loop and real sockets, with the loop stepped by hand and
 * its clock moved by hand: no test waits for a timeout in real time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminLimitsTest
{
    private static final String METRICS = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String PARTIAL = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
    private static final Duration HEADER = Duration.ofSeconds(5);
    private static final Duration REQUEST = Duration.ofSeconds(10);
    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final Duration WRITE = Duration.ofSeconds(10);
    private static final Duration TICK = Duration.ofMillis(1);

    private static AdminLimits limits()
    {
        return AdminLimits.DEFAULTS.withTimeouts(HEADER, REQUEST, IDLE, WRITE);
    }

    @Test
    void aHeaderThatDoesNotEndInTimeIsAnswered408AndClosed() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits()))
        {
            final SocketChannel slow = loop.connect();
            AdminLoop.send(slow, PARTIAL);
            loop.advance(HEADER.minus(TICK));
            assertTrue(loop.openAndSilent(slow), "still waiting just before the deadline");
            loop.advance(TICK);
            final String said = loop.awaitClosed(slow);
            assertTrue(said.startsWith("HTTP/1.1 408 Request Timeout\r\n"), said);
            assertTrue(said.contains("Connection: close\r\n"), said);
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.HEADER_TIMEOUT));
            assertEquals(1, loop.counters.rejectedRequests("timeout"));
            assertEquals(0, loop.open());
        }
    }

    @Test
    void aClientDrippingBytesIsStillCutOffAtTheHeaderDeadline() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits()))
        {
            final SocketChannel drip = loop.connect();
            // A byte every second: each one is progress, but the deadline counts from the start of the request.
            for (int i = 0; i < 4; i++)
            {
                AdminLoop.send(drip, "GET /metrics".substring(i, i + 1));
                loop.advance(Duration.ofSeconds(1));
                assertTrue(loop.openAndSilent(drip));
            }
            AdminLoop.send(drip, "/");
            loop.advance(Duration.ofSeconds(1));
            assertTrue(loop.awaitClosed(drip).startsWith("HTTP/1.1 408 "));
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedSilentlyAtTheHeaderDeadline() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits()))
        {
            final SocketChannel silent = loop.connect();
            loop.advance(HEADER.minus(TICK));
            assertTrue(loop.openAndSilent(silent));
            loop.advance(TICK);
            assertEquals("", loop.awaitClosed(silent), "nothing was asked, nothing is answered");
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.HEADER_TIMEOUT));
            assertEquals(0, loop.counters.rejectedRequests());
        }
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIsAnswered408() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits()))
        {
            final SocketChannel slow = loop.connect();
            AdminLoop.send(slow, "POST /api/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n123");
            loop.advance(REQUEST.minus(TICK));
            assertTrue(loop.openAndSilent(slow), "the header deadline no longer applies once the header is in");
            loop.advance(TICK);
            assertTrue(loop.awaitClosed(slow).startsWith("HTTP/1.1 408 "));
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.REQUEST_TIMEOUT));
        }
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterTheIdleTimeoutAndServedUntilThen() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits()))
        {
            final SocketChannel client = loop.connect();
            AdminLoop.send(client, METRICS);
            assertEquals(200, loop.response(client).status());
            // Idle longer than the header timeout: the idle timeout is what applies between requests.
            loop.advance(IDLE.minus(TICK));
            AdminLoop.send(client, METRICS);
            assertEquals(200, loop.response(client).status(), "served again on the same connection");
            loop.advance(IDLE.minus(TICK));
            assertTrue(loop.openAndSilent(client));
            loop.advance(TICK);
            assertEquals("", loop.awaitClosed(client));
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.IDLE_TIMEOUT));
        }
    }

    @Test
    void aClientThatDoesNotReadItsResponseIsClosedAtTheWriteDeadline() throws Exception
    {
        // About 9 MB of JSON: more than the loopback socket buffers hold, so the write stalls.
        try (AdminLoop loop = new AdminLoop(new StubOperations(40_000), limits()))
        {
            final SocketChannel reader = loop.connectWithReceiveBuffer(4096);
            AdminLoop.send(reader, "GET /api/pools HTTP/1.1\r\nHost: x\r\n\r\n");
            loop.step();
            loop.advance(WRITE.minus(TICK));
            assertEquals(1, loop.open());
            loop.advance(TICK);
            assertEquals(0, loop.open(), "abandoned at the write deadline");
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.WRITE_TIMEOUT));
        }
    }

    @Test
    void afterAClosingAnswerTheLoopReadsOnOnlyBriefly() throws Exception
    {
        final AdminLimits limits = limits();
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits))
        {
            // A client that keeps its end open after Connection: close: the loop reads and drops until the linger
            // deadline, so that the answer is not lost to a reset, and no longer.
            final SocketChannel stays = loop.connect();
            AdminLoop.send(stays, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, loop.response(stays).status());
            AdminLoop.send(stays, "late bytes");
            loop.advance(limits.lingerTimeout().minus(TICK));
            assertEquals(1, loop.open());
            loop.advance(TICK);
            assertEquals(0, loop.open());

            // One that pours bytes after its answer is cut off once they pass a bound.
            final SocketChannel pours = loop.connect();
            AdminLoop.send(pours, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(200, loop.response(pours).status());
            final byte[] flood = new byte[16 * 1024];
            for (int i = 0; i < 16 && loop.open() == 1; i++)
            {
                try
                {
                    AdminLoop.send(pours, flood);
                }
                catch (final java.io.IOException reset)
                {
                    break;
                }
                loop.step();
            }
            assertEquals(0, loop.open(), "closed before the linger deadline");
        }
    }

    @Test
    void atTheCapANewConnectionTakesTheSlotOfTheOldestWaitingOne() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits().withMaxConnections(4)))
        {
            final SocketChannel[] slow = new SocketChannel[4];
            for (int i = 0; i < slow.length; i++)
            {
                slow[i] = loop.connect();
                AdminLoop.send(slow[i], PARTIAL);
                loop.advance(TICK);
            }
            assertEquals(4, loop.open());
            final SocketChannel prompt = loop.connect();
            AdminLoop.send(prompt, METRICS);
            assertEquals(200, loop.response(prompt).status());
            assertEquals("", loop.awaitClosed(slow[0]), "the oldest partial request made room");
            for (int i = 1; i < slow.length; i++)
            {
                assertTrue(loop.openAndSilent(slow[i]), "only one was evicted");
            }
            assertEquals(4, loop.open());
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.EVICTED));
        }
    }

    @Test
    void atTheCapWithEverySlotCarryingOutAChangeANewcomerIsRefusedWith503() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final StubOperations operations = new StubOperations(1).reloadWith(() ->
        {
            try
            {
                release.await(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return new ReloadResult(2, List.of(), List.of());
        });
        final ExecutorService changes = Executors.newFixedThreadPool(2);
        try (AdminLoop loop = new AdminLoop(operations, limits().withMaxConnections(2), changes))
        {
            final SocketChannel first = loop.connect();
            AdminLoop.send(first, "POST /api/reload HTTP/1.1\r\nHost: x\r\n\r\n");
            final SocketChannel second = loop.connect();
            AdminLoop.send(second, "POST /api/reload HTTP/1.1\r\nHost: x\r\n\r\n");
            loop.step();
            final SocketChannel third = loop.connect();
            final String refused = loop.awaitClosed(third);
            assertTrue(refused.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), refused);
            assertTrue(refused.contains("Retry-After: 1\r\n"), refused);
            assertEquals(1, loop.counters.closedConnections(AdminCounters.Closed.REFUSED));
            release.countDown();
            assertEquals(200, loop.response(first).status());
            assertEquals(200, loop.response(second).status());
            assertEquals(2, operations.reloads.get());
        }
        finally
        {
            release.countDown();
            changes.shutdownNow();
        }
    }

    @Test
    void aChangeInProgressIsNotEvictedAndDelaysNoRead() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final StubOperations operations = new StubOperations(1).reloadWith(() ->
        {
            try
            {
                release.await(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return new ReloadResult(2, List.of(), List.of());
        });
        final ExecutorService changes = Executors.newSingleThreadExecutor();
        try (AdminLoop loop = new AdminLoop(operations, limits().withMaxConnections(2), changes))
        {
            final SocketChannel reload = loop.connect();
            AdminLoop.send(reload, "POST /api/reload HTTP/1.1\r\nHost: x\r\n\r\n");
            loop.step();
            for (int i = 0; i < 5; i++)
            {
                final SocketChannel reader = loop.connect();
                AdminLoop.send(reader, METRICS);
                assertEquals(200, loop.response(reader).status(), "read while the reload runs");
            }
            // Far past every deadline: a change of ours takes what it takes, and is answered.
            loop.advance(Duration.ofMinutes(5));
            release.countDown();
            assertEquals(200, loop.response(reload).status());
        }
        finally
        {
            release.countDown();
            changes.shutdownNow();
        }
    }

    @Test
    void sizeLimitsAreAnsweredWithTheirStatusAndCounted() throws Exception
    {
        final AdminLimits limits = limits();
        try (AdminLoop loop = new AdminLoop(new StubOperations(1), limits))
        {
            expectRejection(loop, "GET /" + "a".repeat(limits.maxRequestLine()) + " HTTP/1.1\r\n", 414);
            expectRejection(loop, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
                "b".repeat(limits.maxHeaderBytes()) + "\r\n\r\n", 431);
            expectRejection(loop, "GET /metrics HTTP/1.1\r\nHost: x\r\n" +
                "X-A: 1\r\n".repeat(limits.maxHeaderFields()) + "\r\n", 431);
            expectRejection(loop, "POST /api/reload HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                (limits.maxBodyBytes() + 1) + "\r\n\r\n", 413);
            expectRejection(loop, "POST /api/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                "0\r\n\r\n", 411);
            expectRejection(loop, "POST /api/reload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n" +
                "Content-Length: 5\r\n\r\n", 400);
            expectRejection(loop, "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", 505);
            expectRejection(loop, "GET /metrics HTTP/1.1\r\n\r\n", 400);
            assertEquals(1, loop.counters.rejectedRequests("uri_too_long"));
            assertEquals(2, loop.counters.rejectedRequests("header_too_large"));
            assertEquals(1, loop.counters.rejectedRequests("body_too_large"));
            assertEquals(1, loop.counters.rejectedRequests("length_required"));
            assertEquals(1, loop.counters.rejectedRequests("version_not_supported"));
            assertEquals(2, loop.counters.rejectedRequests("bad_request"));
            // A header of exactly the limits is taken.
            final SocketChannel client = loop.connect();
            final String line = "GET /metrics?" + "q".repeat(limits.maxRequestLine() - 22) + " HTTP/1.1";
            assertEquals(limits.maxRequestLine(), line.length());
            AdminLoop.send(client, line + "\r\nHost: x\r\n\r\n");
            assertEquals(200, loop.response(client).status());
        }
    }

    private static void expectRejection(final AdminLoop loop, final String request, final int status)
        throws Exception
    {
        final SocketChannel client = loop.connect();
        AdminLoop.send(client, request);
        final String said = loop.awaitClosed(client);
        assertTrue(said.startsWith("HTTP/1.1 " + status + " "), request.substring(0, Math.min(60,
            request.length())) + " -> " + said);
        assertTrue(said.contains("\"error\": "), said);
    }

    @Test
    void keepAliveCloseHttp10HeadAndPipelining() throws Exception
    {
        try (AdminLoop loop = new AdminLoop(new StubOperations(2), limits()))
        {
            final SocketChannel client = loop.connect();
            // Two requests in one write: answered in order on one connection.
            AdminLoop.send(client, "GET /api/pools HTTP/1.1\r\nHost: x\r\n\r\nHEAD /api/pools HTTP/1.1\r\nHost: x\r\n\r\n");
            final AdminLoop.Response get = loop.response(client);
            assertEquals(200, get.status());
            assertTrue(get.body().contains("\"target\": \"127.0.0.1:10001\""), get.body());
            final AdminLoop.Response head = loop.response(client, true);
            assertEquals(200, head.status());
            assertEquals(Integer.toString(get.body().length()), head.header("Content-Length"),
                "HEAD has GET's length and no body");
            assertEquals(get.header("Content-Type"), head.header("Content-Type"));
            assertTrue(loop.openAndSilent(client), "no body followed the HEAD answer");

            // A body is read and dropped, and the connection goes on.
            AdminLoop.send(client, "POST /api/pools/web/targets/127.0.0.1:10000/drain HTTP/1.1\r\nHost: x\r\n" +
                "Content-Length: 5\r\n\r\nhello");
            assertEquals(200, loop.response(client).status());
            AdminLoop.send(client, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            final AdminLoop.Response last = loop.response(client);
            assertEquals(200, last.status());
            assertEquals("close", last.header("Connection"));
            assertEquals("", loop.awaitClosed(client));

            final SocketChannel old = loop.connect();
            AdminLoop.send(old, "GET /metrics HTTP/1.0\r\n\r\n");
            assertEquals("close", loop.response(old).header("Connection"));
            assertEquals("", loop.awaitClosed(old), "HTTP/1.0 closes unless asked otherwise");
            final SocketChannel kept = loop.connect();
            AdminLoop.send(kept, "GET /metrics HTTP/1.0\nConnection: keep-alive\n\n");
            assertEquals("keep-alive", loop.response(kept).header("Connection"));
            AdminLoop.send(kept, "\r\nGET /api/pools HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
            assertEquals(200, loop.response(kept).status(), "bare LFs and a leading empty line are taken");
        }
    }

    @Test
    void methodsPathsAndQueries() throws Exception
    {
        final StubOperations operations = new StubOperations(1);
        try (AdminLoop loop = new AdminLoop(operations, limits()))
        {
            final SocketChannel client = loop.connect();
            AdminLoop.send(client, "DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            final AdminLoop.Response delete = loop.response(client);
            assertEquals(405, delete.status());
            assertEquals("GET, HEAD", delete.header("Allow"));
            assertTrue(delete.body().contains("DELETE is not allowed here; use GET"), delete.body());
            AdminLoop.send(client, "GET /api/reload HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("POST", loop.response(client).header("Allow"));
            AdminLoop.send(client, "BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(405, loop.response(client).status(), "any token is a method, answered 405 where not taken");
            AdminLoop.send(client, "GET http://127.0.0.1/api/pools?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(200, loop.response(client).status(), "the absolute form is taken");
            AdminLoop.send(client, "POST /api/pools/w%65b/targets/127.0.0.1%3A10000/weight?%76alue=%37 HTTP/1.1\r\n" +
                "Host: x\r\n\r\n");
            final AdminLoop.Response weight = loop.response(client);
            assertEquals(200, weight.status(), weight.body());
            assertTrue(weight.body().contains("\"weight\": 7"), weight.body());
            AdminLoop.send(client, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(404, loop.response(client).status());
            AdminLoop.send(client, "POST /api/pools/web/targets/%zz/drain HTTP/1.1\r\nHost: x\r\n\r\n");
            final AdminLoop.Response badEscape = loop.response(client);
            assertEquals(400, badEscape.status());
            assertTrue(badEscape.body().contains("a % not followed by two hex digits"), badEscape.body());
            AdminLoop.send(client, "POST /api/pools/web/targets/127.0.0.1:10000/drain HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, loop.response(client).status(), "the connection serves on after a 4xx of an endpoint");
            assertEquals(1, operations.weights.get());
            assertEquals(1, operations.drains.get());
        }
    }

    @Test
    void expectContinueIsAnsweredWithoutWaitingForTheBody() throws Exception
    {
        final StubOperations operations = new StubOperations(1);
        try (AdminLoop loop = new AdminLoop(operations, limits()))
        {
            final SocketChannel client = loop.connect();
            AdminLoop.send(client, "POST /api/reload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n" +
                "Content-Length: 100\r\n\r\n");
            final AdminLoop.Response response = loop.response(client);
            assertEquals(200, response.status());
            assertEquals("close", response.header("Connection"));
            assertEquals(1, operations.reloads.get());
            assertEquals("", loop.awaitClosed(client));
        }
    }

    @Test
    void changesFromOutsideLoopbackNeedTheTokenReadsDoNot() throws Exception
    {
        // The loop takes whether a connection is loopback from its peer address; this one is, so the rule is
        // exercised end to end by AdminServerTest from a non-loopback address. Here: the token itself is not needed
        // from loopback, and a wrong one does not hurt.
        final StubOperations operations = new StubOperations(1);
        try (AdminLoop loop = new AdminLoop(operations, limits(), Runnable::run, "s3cret"))
        {
            final SocketChannel client = loop.connect();
            AdminLoop.send(client, "POST /api/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n\r\n");
            assertEquals(200, loop.response(client).status());
            assertEquals(1, operations.reloads.get());
        }
    }
}
