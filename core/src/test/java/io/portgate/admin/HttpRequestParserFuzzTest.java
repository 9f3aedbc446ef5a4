package io.portgate.admin;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The admin endpoint's request parser over hundreds of thousands of generated inputs (seeded, so a failure is
 * reproducible from its seed): every input ends in a parsed request, a rejection with a reason, or a wait for more
 * bytes, never an exception; the outcome does not depend on how the bytes were split into reads; and a well-formed
 * request is read as it was written. Then a few thousand of them over real sockets to the real loop: each is answered
 * (a wait for more ends in the header timeout's 408), every rejection is counted, and the loop serves on.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HttpRequestParserFuzzTest
{
    private static final int INPUTS_PER_GENERATOR = 100_000;
    private static final int SOCKET_INPUTS = 3_000;
    private static final Set<Integer> REJECTION_STATUSES = Set.of(400, 408, 411, 413, 414, 431, 505);

    private final AdminLimits limits = AdminLimits.DEFAULTS;
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(limits.maxHeaderBytes()));

    @Test
    void wellFormedRequestsAreReadAsWritten()
    {
        final HttpRequestParser parser = new HttpRequestParser(limits);
        for (int i = 0; i < INPUTS_PER_GENERATOR; i++)
        {
            final long seed = 1_000_000L + i;
            final HttpRequestFuzz.Valid request = HttpRequestFuzz.valid(new Random(seed));
            final int result = parseWhole(parser, request.bytes());
            if (result != request.headLength())
            {
                fail("seed " + seed + ": " + (result == HttpRequestParser.REJECTED ? parser.rejection() : result) +
                    " for\n" + new String(request.bytes(), StandardCharsets.ISO_8859_1));
            }
            final String context = "seed " + seed;
            assertEquals(request.method(), text(parser.methodStart(), parser.methodEnd()), context);
            assertEquals(request.target(), text(parser.targetStart(), parser.targetEnd()), context);
            assertEquals(request.minorVersion(), parser.minorVersion(), context);
            assertEquals(request.contentLength(), parser.contentLength(), context);
            assertEquals(request.keepAlive(), parser.keepAlive(), context);
            final String path = text(parser.pathStart(), parser.pathEnd());
            assertTrue(request.target().contains(path), context);
            final int question = request.target().indexOf('?');
            if (question >= 0)
            {
                assertEquals(request.target().substring(question + 1), text(parser.queryStart(), parser.queryEnd()),
                    context);
            }
            assertSameSplit(parser, request.bytes(), seed, result);
        }
    }

    @Test
    void mutatedRequestsAndNoiseEndInARequestARejectionOrAWait()
    {
        final Map<String, Integer> outcomes = new TreeMap<>();
        outcomes.putAll(fuzz("mutated", HttpRequestFuzz::mutated, 2_000_000L));
        outcomes.putAll(fuzz("noise", HttpRequestFuzz::noise, 3_000_000L));
        System.out.println("parser outcomes over " + 2 * INPUTS_PER_GENERATOR + " inputs: " + outcomes);
        // The generators reach every rejection the parser has.
        for (final HttpRejection r : HttpRejection.values())
        {
            if (r != HttpRejection.BAD_PERCENT_ENCODING && r != HttpRejection.REQUEST_TIMEOUT &&
                r != HttpRejection.BUSY)
            {
                assertTrue(outcomes.keySet().stream().anyMatch(k -> k.endsWith(" " + r)), r + " never reached: " +
                    outcomes);
            }
        }
    }

    private Map<String, Integer> fuzz(final String name, final Function<Random, byte[]> generator, final long seed0)
    {
        final HttpRequestParser parser = new HttpRequestParser(limits);
        final Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < INPUTS_PER_GENERATOR; i++)
        {
            final long seed = seed0 + i;
            final byte[] input = generator.apply(new Random(seed));
            final int result;
            try
            {
                result = parseWhole(parser, input);
                assertSameSplit(parser, input, seed, result);
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError(name + " seed " + seed + " threw " + ex, ex);
            }
            final String outcome;
            if (result == HttpRequestParser.REJECTED)
            {
                final HttpRejection why = parser.rejection();
                assertTrue(REJECTION_STATUSES.contains(why.status()), why.toString());
                outcome = name + " rejected " + why;
            }
            else if (result == HttpRequestParser.NEED_MORE)
            {
                assertTrue(input.length < limits.maxHeaderBytes(), "a full buffer never waits: seed " + seed);
                outcome = name + " waits";
            }
            else
            {
                checkParsed(parser, input, result, seed);
                outcome = name + " parsed";
                // What the endpoints do with the path: decoded, or a 400, nothing else.
                try
                {
                    AdminRoutes.decode(text(parser.pathStart(), parser.pathEnd()), false);
                }
                catch (final AdminRoutes.Problem problem)
                {
                    assertTrue(problem.getMessage().contains("%"), problem.getMessage());
                }
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        return outcomes;
    }

    private void checkParsed(final HttpRequestParser parser, final byte[] input, final int headLength, final long seed)
    {
        final String context = "seed " + seed;
        assertTrue(headLength <= Math.min(input.length, limits.maxHeaderBytes()), context);
        assertTrue(parser.methodEnd() > parser.methodStart(), context);
        assertTrue(parser.targetEnd() > parser.targetStart(), context);
        assertTrue(parser.targetStart() <= parser.pathStart() && parser.pathStart() <= parser.pathEnd() &&
            parser.pathEnd() <= parser.targetEnd(), context);
        assertTrue(parser.requestLineLength() <= limits.maxRequestLine(), context);
        for (int i = parser.targetStart(); i < parser.targetEnd(); i++)
        {
            final byte b = buffer.getByte(i);
            assertTrue(b > ' ' && b < 0x7f, context);
        }
        assertTrue(parser.contentLength() <= limits.maxBodyBytes(), context);
    }

    private int parseWhole(final HttpRequestParser parser, final byte[] input)
    {
        parser.reset();
        final int length = Math.min(input.length, limits.maxHeaderBytes());
        buffer.putBytes(0, input, 0, length);
        return parser.parse(buffer, length);
    }

    // The bytes fed as they might arrive, in reads of random sizes: the same outcome, the same rejection.
    private void assertSameSplit(final HttpRequestParser parser, final byte[] input, final long seed,
        final int whole)
    {
        final HttpRejection wholeRejection = parser.rejection();
        final Random random = new Random(~seed);
        final int length = Math.min(input.length, limits.maxHeaderBytes());
        parser.reset();
        int result = HttpRequestParser.NEED_MORE;
        int fed = 0;
        while (result == HttpRequestParser.NEED_MORE && fed < length)
        {
            final int next = Math.min(length, fed + 1 + random.nextInt(random.nextBoolean() ? 4 : 600));
            buffer.putBytes(fed, input, fed, next - fed);
            fed = next;
            result = parser.parse(buffer, fed);
        }
        if (result != whole || parser.rejection() != wholeRejection)
        {
            fail("seed " + seed + ": whole " + whole + "/" + wholeRejection + ", split " + result + "/" +
                parser.rejection());
        }
    }

    private String text(final int from, final int to)
    {
        return buffer.getStringWithoutLengthAscii(from, to - from);
    }

    @Test
    void generatedRequestsOverSocketsAreEachAnsweredAndEveryRejectionCounted() throws Exception
    {
        final Map<Integer, Integer> statuses = new TreeMap<>();
        long rejectionsSeen = 0;
        try (AdminLoop loop = new AdminLoop(new StubOperations(2), limits))
        {
            final Random random = new Random(42);
            for (int i = 0; i < SOCKET_INPUTS; i++)
            {
                final byte[] input = switch (i % 3)
                {
                    case 0 -> HttpRequestFuzz.valid(random).bytes();
                    case 1 -> HttpRequestFuzz.mutated(random);
                    default -> HttpRequestFuzz.noise(random);
                };
                final SocketChannel client = loop.connect();
                AdminLoop.send(client, input);
                final String answers = everythingUntilClosed(loop, client);
                client.close();
                final int status = answers.startsWith("HTTP/1.1 ") ? Integer.parseInt(answers.substring(9, 12)) : 0;
                statuses.merge(status, 1, Integer::sum);
                rejectionsSeen += cannedRejections(answers);
            }
            loop.step();
            System.out.println("first statuses over " + SOCKET_INPUTS + " generated requests on sockets: " +
                statuses);
            assertEquals(loop.counters.rejectedRequests(), rejectionsSeen,
                "every rejection the clients read is counted, and only those");
            assertTrue(rejectionsSeen > SOCKET_INPUTS / 3, statuses.toString());
            assertTrue(loop.open() <= 1, "every connection ended: " + loop.open());
            final SocketChannel after = loop.connect();
            AdminLoop.send(after, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            final AdminLoop.Response metrics = loop.response(after);
            assertEquals(200, metrics.status());
            assertTrue(metrics.body().contains("portgate_admin_rejected_requests_total{reason=\"bad_request\"} " +
                loop.counters.rejectedRequests("bad_request")), metrics.body());
        }
    }

    // Reads all the loop answers on one connection: what is not a whole request, or a kept-alive connection, waits
    // for its deadline, so the clock is moved past it whenever nothing comes.
    private static String everythingUntilClosed(final AdminLoop loop, final SocketChannel client) throws Exception
    {
        final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        final ByteBuffer read = ByteBuffer.allocate(64 * 1024);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            loop.step();
            read.clear();
            final int n;
            try
            {
                n = client.read(read);
            }
            catch (final java.io.IOException reset)
            {
                break;
            }
            if (n < 0)
            {
                break;
            }
            if (n == 0)
            {
                loop.advance(Duration.ofSeconds(31));
            }
            received.write(read.array(), 0, n);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    private static int cannedRejections(final String answers)
    {
        int count = 0;
        for (final HttpRejection r : HttpRejection.values())
        {
            if (r == HttpRejection.BAD_PERCENT_ENCODING)
            {
                continue; // an endpoint's 400, not the loop's rejection
            }
            final String body = new String(r.body(), StandardCharsets.UTF_8);
            for (int at = answers.indexOf(body); at >= 0; at = answers.indexOf(body, at + 1))
            {
                count++;
            }
        }
        return count;
    }
}
