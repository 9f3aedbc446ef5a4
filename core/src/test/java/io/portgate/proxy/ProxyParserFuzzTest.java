package io.portgate.proxy;

import io.portgate.net.Ip;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based fuzzing of the PROXY protocol parser: generated inputs (random bytes, valid headers mutated, valid
 * headers split at every point), each parsed in every mode, whole and as every prefix a connection could have
 * received. Every input must end in a parsed header or a counted rejection; no exception may escape; a rejection
 * or "need more" must leave the caller's header untouched; a prefix may only answer "need more" or the whole
 * input's verdict; a header written by {@link ProxyWriter} must parse back to the same addresses.
 *
 * <p>Bounded in count and time. {@code -Dportgate.fuzz.tries=N} sets the tries of the random and the mutating
 * property (default {@value #DEFAULT_TRIES} each) and 2N/9 for the splitting one, so the default run generates a
 * million inputs (and parses some fifty million prefixes and modes of them) in about ten seconds on a two-core
 * machine; each property also stops after {@code -Dportgate.fuzz.seconds} (default {@value #DEFAULT_SECONDS}) and
 * says how far it got. A long run: {@code -Dportgate.fuzz.tries=20000000 -Dportgate.fuzz.seconds=1800
 * -Djunit.jupiter.execution.timeout.mode=disabled} (the class timeout covers the default budgets). The seed is random and printed; {@code -Dportgate.fuzz.seed=S} replays a run. A failure
 * prints the seed, the input in hex and a shrunk input that still fails.
 */
@Timeout(300)
class ProxyParserFuzzTest
{
    static final int DEFAULT_TRIES = 450_000;
    static final int DEFAULT_SECONDS = 60;

    private static final int TRIES = Integer.getInteger("portgate.fuzz.tries", DEFAULT_TRIES);
    private static final long BUDGET_NS = Integer.getInteger("portgate.fuzz.seconds", DEFAULT_SECONDS) * 1_000_000_000L;
    private static final long SEED = Long.getLong("portgate.fuzz.seed", System.nanoTime());
    private static final int[] MODES = { ProxyParser.MODE_V1, ProxyParser.MODE_V2, ProxyParser.MODE_ANY };
    private static final int MAX_V2 = 600;
    private static final int EVERY_PREFIX_UP_TO = 110;
    private static final int PREFIX_STRIDE = 13;

    /** Parser inputs (calls), outcomes of whole inputs by kind: [0] parsed, [code] rejected by code. */
    private static long inputs;
    private static long tries;
    private static final long[] OUTCOMES = new long[ProxyReject.MAX_CODE + 1];

    private final ProxyParser[] parsers = {
        new ProxyParser(ProxyParser.MODE_V1, MAX_V2), new ProxyParser(ProxyParser.MODE_V2, MAX_V2),
        new ProxyParser(ProxyParser.MODE_ANY, MAX_V2) };
    private final ProxyHeader header = new ProxyHeader();
    private final ProxyHeader sentinel = new ProxyHeader().set(9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final UnsafeBuffer writeBuffer = new UnsafeBuffer(new byte[256]);

    @AfterAll
    static void report()
    {
        System.out.printf("PROXY parser fuzz: seed %d, %d tries, %d parser inputs; whole inputs parsed %d, rejected" +
            " missing %d, malformed %d, oversized %d, unsupported %d%n", SEED, tries, inputs, OUTCOMES[0],
            OUTCOMES[ProxyReject.MISSING], OUTCOMES[ProxyReject.MALFORMED], OUTCOMES[ProxyReject.OVERSIZED],
            OUTCOMES[ProxyReject.UNSUPPORTED]);
    }

    @Test
    void randomBytesEndInAHeaderOrACountedRejection()
    {
        run("random bytes", SEED, random ->
        {
            final byte[] input = new byte[random.nextInt(300)];
            random.nextBytes(input);
            final int start = random.nextInt(4);
            if (start == 1 && input.length >= 12)
            {
                System.arraycopy(ProxyParser.V2_SIGNATURE, 0, input, 0, 12);
            }
            else if (start == 2 && input.length >= 6)
            {
                System.arraycopy(ProxyParser.V1_PREFIX, 0, input, 0, 6);
                for (int i = 6; i < input.length; i++)
                {
                    // Mostly printable, so lines get past the first byte check.
                    input[i] = (byte)(random.nextInt(10) == 0 ? input[i] : ' ' + random.nextInt(95));
                }
            }
            return input;
        });
    }

    @Test
    void mutatedValidHeadersEndInAHeaderOrACountedRejection()
    {
        run("mutated headers", SEED + 1, random ->
        {
            byte[] input = validHeader(random);
            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                input = mutate(random, input);
            }
            return input;
        });
    }

    @Test
    void headersSplitAtEveryPointParseOnceCompleteAndRoundTrip()
    {
        final long deadline = System.nanoTime() + BUDGET_NS;
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        final ProxyHeader written = new ProxyHeader();
        final int count = Math.max(1, TRIES * 2 / 9);
        int done = 0;
        for (; done < count && System.nanoTime() - deadline < 0; done++)
        {
            final int version = random.nextBoolean() ? ProxyHeader.VERSION_1 : ProxyHeader.VERSION_2;
            final int transport = version == ProxyHeader.VERSION_2 && random.nextBoolean() ?
                ProxyHeader.TRANSPORT_DGRAM : ProxyHeader.TRANSPORT_STREAM;
            randomAddresses(random, written, version, transport);
            final int length = ProxyWriter.write(writeBuffer, 0, written);
            final byte[] input = new byte[length + random.nextInt(40)];
            writeBuffer.getBytes(0, input, 0, length);
            for (int i = length; i < input.length; i++)
            {
                input[i] = (byte)random.nextInt(256);
            }
            final ProxyParser parser = parsers[2];
            for (int split = 0; split <= input.length; split++)
            {
                final int expected = split < length ? ProxyParser.NEED_MORE : length;
                final int result = parse(parser, input, split);
                if (result != expected)
                {
                    fail("split", input, "after " + split + " bytes answered " + result + ", not " + expected);
                }
            }
            final int whole = parse(parser, input, input.length);
            if (whole != length || !sameAddresses(written, header))
            {
                fail("round trip", input, "wrote " + written + ", parsed " + whole + " " + header);
            }
            tries++;
        }
        System.out.printf("PROXY fuzz, split at every point: %d of %d tries%n", done, count);
        assertTrue(done > 0);
    }

    private interface Generator
    {
        byte[] next(SplittableRandom random);
    }

    private void run(final String name, final long seed, final Generator generator)
    {
        final long deadline = System.nanoTime() + BUDGET_NS;
        final SplittableRandom random = new SplittableRandom(seed);
        int done = 0;
        for (; done < TRIES && System.nanoTime() - deadline < 0; done++)
        {
            final byte[] input = generator.next(random);
            final String problem = check(input);
            if (problem != null)
            {
                final byte[] shrunk = shrink(input, candidate -> check(candidate) != null);
                fail(name, input, problem + "; shrunk to " + HexFormat.of().formatHex(shrunk) + ": " +
                    check(shrunk));
            }
            tries++;
        }
        System.out.printf("PROXY fuzz, %s: %d of %d tries%n", name, done, TRIES);
        assertTrue(done > 0);
    }

    /**
     * Checks every property on one input.
     *
     * @return what is wrong, or null.
     */
    private String check(final byte[] input)
    {
        try
        {
            for (int m = 0; m < MODES.length; m++)
            {
                final ProxyParser parser = parsers[m];
                final int whole = parse(parser, input, input.length);
                final String wrong = checkAnswer(parser, input, input.length, whole);
                if (wrong != null)
                {
                    return "mode " + MODES[m] + ": " + wrong;
                }
                final int datagram = parseWhole(parser, input);
                if (datagram == ProxyParser.NEED_MORE || (whole != ProxyParser.NEED_MORE && datagram != whole))
                {
                    return "mode " + MODES[m] + ": as a datagram answered " + datagram + ", as a stream " + whole;
                }
                final String disagreement = compareWithReference(input, MODES[m], datagram);
                if (disagreement != null)
                {
                    return "mode " + MODES[m] + ": " + disagreement;
                }
                OUTCOMES[datagram > 0 ? 0 : -datagram]++;
                // Prefixes in one mode per input (chosen by its length, so a shrunk input is checked alike): the
                // three modes share the code that decides early, and this keeps a try cheap.
                for (int prefix = 0; m == input.length % MODES.length && prefix < input.length;
                    prefix = nextPrefix(prefix, input.length))
                {
                    final int partial = parse(parser, input, prefix);
                    final String prefixWrong = checkPrefix(whole, prefix, partial);
                    if (prefixWrong != null)
                    {
                        return "mode " + MODES[m] + ": " + prefixWrong;
                    }
                }
            }
            return null;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            return "threw " + ex;
        }
    }

    /**
     * Every prefix up to {@value #EVERY_PREFIX_UP_TO} bytes (where version 1 lines and version 2 fixed parts are
     * decided), then every {@value #PREFIX_STRIDE}th, then the last few before the whole.
     */
    private static int nextPrefix(final int prefix, final int length)
    {
        if (prefix < EVERY_PREFIX_UP_TO || prefix >= length - 4)
        {
            return prefix + 1;
        }
        return Math.min(prefix + PREFIX_STRIDE, length - 4);
    }

    /** Compares a whole-input answer, and the header it filled in, with {@link ReferenceProxyParser}'s reading. */
    private String compareWithReference(final byte[] input, final int mode, final int result)
    {
        final ReferenceProxyParser.Verdict expected = ReferenceProxyParser.parse(input, mode, MAX_V2);
        if (expected == null)
        {
            return result > 0 ? "parsed " + header + " where the reference refuses" : null;
        }
        if (result != expected.length())
        {
            return "answered " + result + " where the reference parses " + expected;
        }
        final boolean same = header.version() == expected.version() &&
            header.hasAddresses() == expected.addresses() && (!expected.addresses() ||
            header.sourceHigh() == expected.sourceHigh() && header.sourceLow() == expected.sourceLow() &&
            header.sourcePort() == expected.sourcePort() && header.destinationHigh() == expected.destinationHigh() &&
            header.destinationLow() == expected.destinationLow() &&
            header.destinationPort() == expected.destinationPort());
        return same ? null : "parsed " + header + " where the reference parses " + expected;
    }

    private String checkAnswer(final ProxyParser parser, final byte[] input, final int length, final int result)
    {
        if (result > 0)
        {
            if (result > length || result > parser.maxLength() || header.length() != result)
            {
                return "answered " + result + " for " + length + " bytes, header length " + header.length();
            }
            if (parse(parser, input, result) != result)
            {
                return "the header alone does not parse to the same length";
            }
            return null;
        }
        if (result < -ProxyReject.UNSUPPORTED || result == -ProxyReject.TIMEOUT)
        {
            return "answered " + result + ", no rejection the parser gives";
        }
        return null;
    }

    private static String checkPrefix(final int whole, final int prefix, final int partial)
    {
        if (whole > 0)
        {
            final int expected = prefix < whole ? ProxyParser.NEED_MORE : whole;
            return partial == expected ? null : "the first " + prefix + " bytes answered " + partial + ", the whole " +
                whole;
        }
        if (partial == ProxyParser.NEED_MORE || partial == whole)
        {
            return null;
        }
        return "the first " + prefix + " bytes answered " + partial + ", the whole " + whole;
    }

    /** Parses with the bytes at an odd offset, checking that anything but a header leaves the header alone. */
    private int parse(final ProxyParser parser, final byte[] input, final int length)
    {
        inputs++;
        header.copyFrom(sentinel);
        buffer.putBytes(7, input, 0, length);
        // Bytes past the region must not be read: fill what follows with what would complete a header.
        buffer.setMemory(7 + length, Math.min(64, buffer.capacity() - 7 - length), (byte)'\n');
        final int result = parser.parse(buffer, 7, length, header);
        if (result <= 0 && !unchanged())
        {
            throw new AssertionError("answered " + result + " and changed the header to " + header);
        }
        return result;
    }

    private int parseWhole(final ProxyParser parser, final byte[] input)
    {
        inputs++;
        header.copyFrom(sentinel);
        buffer.putBytes(7, input, 0, input.length);
        final int result = parser.parseWhole(buffer, 7, input.length, header);
        if (result <= 0 && !unchanged())
        {
            throw new AssertionError("answered " + result + " and changed the header to " + header);
        }
        return result;
    }

    private boolean unchanged()
    {
        return header.version() == sentinel.version() && header.command() == sentinel.command() &&
            header.family() == sentinel.family() && header.transport() == sentinel.transport() &&
            header.sourceHigh() == sentinel.sourceHigh() && header.sourceLow() == sentinel.sourceLow() &&
            header.sourcePort() == sentinel.sourcePort() && header.destinationHigh() == sentinel.destinationHigh() &&
            header.destinationLow() == sentinel.destinationLow() &&
            header.destinationPort() == sentinel.destinationPort() && header.length() == sentinel.length() &&
            header.tlvOffset() == sentinel.tlvOffset() && header.tlvLength() == sentinel.tlvLength();
    }

    // ---- generators

    private byte[] validHeader(final SplittableRandom random)
    {
        final int kind = random.nextInt(8);
        final ProxyHeader written = new ProxyHeader();
        if (kind == 0)
        {
            final String rest = random.nextBoolean() ? "" : " " + "ffff:1::2 ::3 1 65535".substring(random.nextInt(5));
            return ("PROXY UNKNOWN" + rest + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        if (kind == 1)
        {
            final byte[] local = new byte[16 + random.nextInt(20)];
            ProxyWriter.writeV2Local(writeBuffer, 0);
            writeBuffer.getBytes(0, local, 0, 16);
            local[15] = (byte)(local.length - 16);
            return local;
        }
        final int version = kind < 5 ? ProxyHeader.VERSION_1 : ProxyHeader.VERSION_2;
        final int transport = version == ProxyHeader.VERSION_2 && random.nextBoolean() ?
            ProxyHeader.TRANSPORT_DGRAM : ProxyHeader.TRANSPORT_STREAM;
        randomAddresses(random, written, version, transport);
        int length = ProxyWriter.write(writeBuffer, 0, written);
        if (version == ProxyHeader.VERSION_2 && random.nextBoolean())
        {
            // TLVs after the address block, with the length field grown to match.
            final int tlvs = 1 + random.nextInt(3);
            for (int t = 0; t < tlvs; t++)
            {
                final int valueLength = random.nextInt(30);
                writeBuffer.putByte(length, (byte)random.nextInt(256));
                writeBuffer.putShort(length + 1, (short)valueLength, java.nio.ByteOrder.BIG_ENDIAN);
                for (int i = 0; i < valueLength; i++)
                {
                    writeBuffer.putByte(length + 3 + i, (byte)random.nextInt(256));
                }
                length += 3 + valueLength;
            }
            writeBuffer.putShort(14, (short)(length - 16), java.nio.ByteOrder.BIG_ENDIAN);
        }
        final byte[] bytes = new byte[length + random.nextInt(8)];
        writeBuffer.getBytes(0, bytes, 0, length);
        return bytes;
    }

    private static void randomAddresses(final SplittableRandom random, final ProxyHeader header, final int version,
        final int transport)
    {
        final boolean ipv4 = random.nextBoolean();
        final long sourceHigh = ipv4 ? 0 : randomHigh(random);
        final long sourceLow = ipv4 ? Ip.mappedLow(random.nextInt()) : randomLow(random);
        final boolean mixed = !ipv4 && random.nextInt(4) == 0;
        final long destinationHigh = ipv4 || mixed ? 0 : randomHigh(random);
        final long destinationLow = ipv4 || mixed ? Ip.mappedLow(random.nextInt()) : randomLow(random);
        header.proxy(version, transport, sourceHigh, sourceLow, random.nextInt(65536), destinationHigh,
            destinationLow, random.nextInt(65536));
    }

    /** IPv6 addresses with runs of zero groups, so the text forms use {@code ::} often. */
    private static long randomHigh(final SplittableRandom random)
    {
        return random.nextInt(3) == 0 ? 0 : random.nextLong() & (random.nextBoolean() ? 0xFFFF_FFFF_0000_0000L : -1L);
    }

    private static long randomLow(final SplittableRandom random)
    {
        final long low = random.nextLong() & (random.nextBoolean() ? 0x0000_0000_FFFF_FFFFL : -1L);
        return low == 0 ? 1 : low;
    }

    private static byte[] mutate(final SplittableRandom random, final byte[] input)
    {
        if (input.length == 0)
        {
            return new byte[]{ (byte)random.nextInt(256) };
        }
        final int at = random.nextInt(input.length);
        final byte[] interesting = { 0, '\r', '\n', ' ', ':', '.', '0', '9', 'f', 0x21, 0x11, (byte)0xFF, 'P' };
        return switch (random.nextInt(8))
        {
            case 0 ->
            {
                final byte[] out = input.clone();
                out[at] ^= (byte)(1 << random.nextInt(8));
                yield out;
            }
            case 1 ->
            {
                final byte[] out = input.clone();
                out[at] = interesting[random.nextInt(interesting.length)];
                yield out;
            }
            case 2 ->
            {
                final byte[] out = new byte[input.length + 1];
                System.arraycopy(input, 0, out, 0, at);
                out[at] = interesting[random.nextInt(interesting.length)];
                System.arraycopy(input, at, out, at + 1, input.length - at);
                yield out;
            }
            case 3 ->
            {
                final byte[] out = new byte[input.length - 1];
                System.arraycopy(input, 0, out, 0, at);
                System.arraycopy(input, at + 1, out, at, input.length - at - 1);
                yield out;
            }
            case 4 -> Arrays.copyOf(input, at);
            case 5 ->
            {
                // Repeat a chunk: long lines, long v2 blocks.
                final int chunk = 1 + random.nextInt(Math.min(40, input.length - at));
                final byte[] out = new byte[input.length + chunk];
                System.arraycopy(input, 0, out, 0, at + chunk);
                System.arraycopy(input, at, out, at + chunk, input.length - at);
                yield out;
            }
            case 6 ->
            {
                // A random v2 length field.
                final byte[] out = input.clone();
                if (out.length >= 16)
                {
                    out[14] = (byte)random.nextInt(4);
                    out[15] = (byte)random.nextInt(256);
                }
                yield out;
            }
            default ->
            {
                final byte[] out = input.clone();
                out[at] = (byte)random.nextInt(256);
                yield out;
            }
        };
    }

    /** Deletes chunks, halving their size, as long as the input still fails. */
    private static byte[] shrink(final byte[] input, final Predicate<byte[]> fails)
    {
        byte[] current = input;
        for (int chunk = Math.max(1, current.length / 2); chunk >= 1; chunk /= 2)
        {
            boolean progress = true;
            while (progress)
            {
                progress = false;
                for (int at = 0; at + chunk <= current.length; at += chunk)
                {
                    final byte[] candidate = new byte[current.length - chunk];
                    System.arraycopy(current, 0, candidate, 0, at);
                    System.arraycopy(current, at + chunk, candidate, at, current.length - at - chunk);
                    if (fails.test(candidate))
                    {
                        current = candidate;
                        progress = true;
                        break;
                    }
                }
            }
        }
        return current;
    }

    private static boolean sameAddresses(final ProxyHeader a, final ProxyHeader b)
    {
        return a.version() == b.version() && a.transport() == b.transport() && a.family() == b.family() &&
            a.sourceHigh() == b.sourceHigh() && a.sourceLow() == b.sourceLow() && a.sourcePort() == b.sourcePort() &&
            a.destinationHigh() == b.destinationHigh() && a.destinationLow() == b.destinationLow() &&
            a.destinationPort() == b.destinationPort();
    }

    private static void fail(final String property, final byte[] input, final String problem)
    {
        throw new AssertionError("PROXY fuzz, " + property + ", seed " + SEED + " (replay with -Dportgate.fuzz.seed=" +
            SEED + "): " + problem + "; input " + HexFormat.of().formatHex(input));
    }
}
