package io.portgate.dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based fuzzing of the DNS response parser ({@link DnsWire#parse}): random bytes under a plausible
 * header, valid responses (compressed names, every section, OPT records, truncated answers) mutated, and valid
 * responses read whole, cut short and lengthened. Every input must end in a parsed message or a counted rejection;
 * no exception may escape; the parser must agree, accept or refuse and field by field, with {@link Reference}, a
 * second reading of the same rules written apart (recursive where the parser loops); it must not read past the
 * length it is given; and a generated response must parse to exactly what was written.
 *
 * <p>Bounded in count and time. {@code -Dportgate.fuzz.tries=N} sets the tries of the random and the mutating
 * property (default {@value #DEFAULT_TRIES} each) and N/2 for the valid one, so the default run generates a million
 * messages (and parses over three million, prefixes and copies included) in some seconds on a two-core machine;
 * each property also stops after {@code -Dportgate.fuzz.seconds} (default {@value #DEFAULT_SECONDS}) and says how far
 * it got. A long run: {@code -Dportgate.fuzz.tries=20000000 -Dportgate.fuzz.seconds=1800
 * -Djunit.jupiter.execution.timeout.mode=disabled}. The seed is random and printed; {@code -Dportgate.fuzz.seed=S}
 * replays a run. A failure prints the seed, the input in hex and a shrunk input that still fails.
 */
@Timeout(300)
class DnsWireFuzzTest
{
    static final int DEFAULT_TRIES = 400_000;
    static final int DEFAULT_SECONDS = 60;

    private static final int TRIES = Integer.getInteger("portgate.fuzz.tries", DEFAULT_TRIES);
    private static final long BUDGET_NS = Integer.getInteger("portgate.fuzz.seconds", DEFAULT_SECONDS) * 1_000_000_000L;
    private static final long SEED = Long.getLong("portgate.fuzz.seed", System.nanoTime());
    private static final String[] LABELS = { "web", "WWW", "portgate", "Test", "example", "a", "b-2", "x_y", "Z" };
    private static final int[] OTHER_TYPES = { 2, 6, 12, 15, 16, 33, 46, 65, 255, 4096, 65535 };

    /** Generated messages; parser calls; outcomes of whole inputs: [0] parsed, [1 + ordinal] rejected for it. */
    private static long tries;
    private static long parses;
    private static final long[] OUTCOMES = new long[1 + DnsWire.Reject.values().length];

    @AfterAll
    static void report()
    {
        final StringBuilder sb = new StringBuilder();
        for (final DnsWire.Reject r : DnsWire.Reject.values())
        {
            sb.append(", ").append(r.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                .append(OUTCOMES[1 + r.ordinal()]);
        }
        System.out.printf("DNS wire fuzz: seed %d, %d messages, %d parses; whole inputs parsed %d%s%n", SEED, tries,
            parses, OUTCOMES[0], sb);
        assertEquals(tries, Arrays.stream(OUTCOMES).sum(), "every message ended parsed or in a counted rejection");
    }

    @Test
    void randomBytesEndInAMessageOrACountedRejection()
    {
        run("random bytes", SEED, random ->
        {
            final byte[] input = new byte[random.nextInt(12) == 0 ? random.nextInt(12) : 12 + random.nextInt(300)];
            for (int i = 0; i < input.length; i++)
            {
                // Mostly small label lengths, zeros and pointers: bytes that make names.
                final int kind = random.nextInt(8);
                input[i] = (byte)(kind == 0 ? 0 : kind == 1 ? 0xC0 | random.nextInt(2) : kind == 2 ? 12 +
                    random.nextInt(40) : kind < 5 ? 1 + random.nextInt(8) : random.nextInt(256));
            }
            if (input.length >= 12 && random.nextInt(4) != 0)
            {
                input[2] |= (byte)0x80;
                for (int c = 4; c < 12; c += 2)
                {
                    input[c] = 0;
                    input[c + 1] = (byte)random.nextInt(c == 4 ? 3 : 4);
                }
            }
            return input;
        });
    }

    @Test
    void mutatedResponsesEndInAMessageOrACountedRejection()
    {
        run("mutated responses", SEED + 1, random ->
        {
            byte[] input = new Generated(random).bytes;
            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                input = mutate(random, input);
            }
            return input;
        });
    }

    @Test
    void validResponsesParseToWhatWasWrittenAndNothingElseDoes()
    {
        final long deadline = System.nanoTime() + BUDGET_NS;
        final SplittableRandom random = new SplittableRandom(SEED + 2);
        final int count = Math.max(1, TRIES / 2);
        int done = 0;
        for (; done < count && System.nanoTime() - deadline < 0; done++)
        {
            final Generated g = new Generated(random);
            final String whole = check(g.bytes);
            if (whole != null)
            {
                fail("valid", g.bytes, whole);
            }
            final String parsed = canonical(DnsWire.parse(g.bytes, g.bytes.length));
            if (!g.expected.equals(parsed))
            {
                fail("valid", g.bytes, "parsed " + parsed + ", written " + g.expected);
            }
            // Cut short: refused, unless truncated (TC) and the questions are all there.
            for (int k = 0; k < 3; k++)
            {
                final int cut = random.nextInt(g.bytes.length);
                final String prefix = canonical(parse(g.bytes, cut));
                final boolean complete = g.truncated && cut >= g.questionsEnd;
                if (complete ? !prefix.equals(g.expected) : !prefix.startsWith("rejected"))
                {
                    fail("valid, cut", g.bytes, "the first " + cut + " bytes answered " + prefix);
                }
            }
            // One byte more: refused, unless truncated.
            final byte[] longer = Arrays.copyOf(g.bytes, g.bytes.length + 1);
            final String lengthened = canonical(parse(longer, longer.length));
            if (g.truncated ? !lengthened.equals(g.expected) : !lengthened.equals("rejected TRAILING_BYTES"))
            {
                fail("valid, lengthened", g.bytes, "with a byte more answered " + lengthened);
            }
            tries++;
            OUTCOMES[0]++;
        }
        System.out.printf("DNS wire fuzz, valid responses: %d of %d tries%n", done, count);
        assertTrue(done > 0);
    }

    private interface Generator
    {
        byte[] next(SplittableRandom random);
    }

    private static void run(final String name, final long seed, final Generator generator)
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
                fail(name, input, problem + "; shrunk to " + HexFormat.of().formatHex(shrunk) + ": " + check(shrunk));
            }
            final DnsWire.Parsed parsed = parse(input, input.length);
            OUTCOMES[parsed instanceof DnsWire.Rejected r ? 1 + r.reason().ordinal() : 0]++;
            tries++;
        }
        System.out.printf("DNS wire fuzz, %s: %d of %d tries%n", name, done, TRIES);
        assertTrue(done > 0);
    }

    /**
     * Checks every property on one input.
     *
     * @return what is wrong, or null.
     */
    private static String check(final byte[] input)
    {
        try
        {
            final DnsWire.Parsed parsed = parse(input, input.length);
            if (parsed == null)
            {
                return "answered null";
            }
            final String mine = canonical(parsed);
            final String reference = Reference.parse(input, input.length);
            if (reference == null ? !(parsed instanceof DnsWire.Rejected) : !reference.equals(mine))
            {
                return "parsed " + mine + " where the reference reads " + (reference == null ? "a rejection" :
                    reference);
            }
            // Bytes past the length must not be read: the same input in a larger buffer, followed by bytes that
            // would complete names and records, answers the same.
            final byte[] padded = Arrays.copyOf(input, input.length + 64);
            Arrays.fill(padded, input.length, padded.length, (byte)1);
            padded[input.length] = 0;
            final String inLarger = canonical(parse(padded, input.length));
            if (!inLarger.equals(mine))
            {
                return "in a larger buffer answered " + inLarger + ", alone " + mine;
            }
            return null;
        }
        catch (final RuntimeException | AssertionError | StackOverflowError ex)
        {
            return "threw " + ex;
        }
    }

    private static DnsWire.Parsed parse(final byte[] input, final int length)
    {
        parses++;
        return DnsWire.parse(input, length);
    }

    /** A parse result as text, comparable with the reference's. */
    static String canonical(final DnsWire.Parsed parsed)
    {
        if (parsed instanceof DnsWire.Rejected r)
        {
            return "rejected " + r.reason();
        }
        final DnsMessage m = (DnsMessage)parsed;
        final StringBuilder sb = new StringBuilder();
        sb.append("id ").append(m.id()).append(" flags ").append(m.flags()).append(" rcode ").append(m.rcode())
            .append(m.truncated() ? " tc" : "");
        for (final DnsMessage.Question q : m.questions())
        {
            sb.append(" | q ").append(hex(q.name().wire())).append(' ').append(q.type()).append(' ')
                .append(q.dnsClass());
        }
        for (final DnsMessage.Answer a : m.answers())
        {
            sb.append(" | a ").append(hex(a.owner().wire())).append(' ').append(a.type()).append(' ')
                .append(a.dnsClass()).append(' ').append(a.ttl()).append(' ')
                .append(a.address() != null ? hex(a.address().getAddress()) : hex(a.target().wire()));
        }
        return sb.toString();
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] lower(final byte[] wire)
    {
        final byte[] out = wire.clone();
        for (int i = 0; i < out.length; i++)
        {
            if (out[i] >= 'A' && out[i] <= 'Z')
            {
                out[i] += 'a' - 'A';
            }
        }
        return out;
    }

    // ---- a valid response, written with its expected reading

    /** A random valid response and what it must parse to. */
    private static final class Generated
    {
        private final SplittableRandom random;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Map<String, Integer> written = new HashMap<>();
        private final StringBuilder answers = new StringBuilder();
        private final byte[] bytes;
        private final String expected;
        private final boolean truncated;
        private int questionsEnd;

        Generated(final SplittableRandom random)
        {
            this.random = random;
            final int id = random.nextInt(65_536);
            truncated = random.nextInt(10) == 0;
            final int flags = 0x8000 | random.nextInt(16) << 11 | (truncated ? 0x0200 : 0) |
                random.nextInt(0x200) & ~0x0070 | random.nextInt(16);
            final int qd = random.nextInt(8) == 0 ? random.nextInt(3) : 1;
            final int an = random.nextInt(7);
            final int ns = random.nextInt(3);
            final int ar = random.nextInt(3);
            final int optAt = random.nextInt(3) == 0 ? -1 : random.nextInt(ar + 1);
            final int additional = ar + (optAt >= 0 ? 1 : 0);
            short16(id);
            short16(flags);
            short16(qd);
            short16(an);
            short16(ns);
            short16(additional);
            final StringBuilder questions = new StringBuilder();
            for (int i = 0; i < qd; i++)
            {
                final byte[] name = name(randomName());
                final int type = random.nextBoolean() ? 1 + random.nextInt(2) * 27 : random.nextInt(65_536);
                final int dnsClass = random.nextInt(8) == 0 ? random.nextInt(65_536) : 1;
                short16(type);
                short16(dnsClass);
                questions.append(" | q ").append(hex(lower(name))).append(' ').append(type).append(' ')
                    .append(dnsClass);
            }
            questionsEnd = out.size();
            int extendedRcode = 0;
            for (int i = 0; i < an + ns + additional; i++)
            {
                final int section = i < an ? 0 : i < an + ns ? 1 : 2;
                if (section == 2 && i - an - ns == optAt)
                {
                    final long ttl = random.nextInt(4) == 0 ? random.nextLong(1L << 32) : 0;
                    extendedRcode = (int)(ttl >>> 24);
                    name(List.of());
                    short16(41);
                    short16(512 + random.nextInt(4000));
                    int32(ttl);
                    final byte[] options = new byte[random.nextInt(3) == 0 ? random.nextInt(20) : 0];
                    random.nextBytes(options);
                    short16(options.length);
                    out.writeBytes(options);
                    continue;
                }
                record(section);
            }
            bytes = out.toByteArray();
            final int rcode = truncated ? flags & 0xf : extendedRcode << 4 | flags & 0xf;
            expected = "id " + id + " flags " + flags + " rcode " + rcode + (truncated ? " tc" : "") + questions +
                (truncated ? "" : answers);
        }

        private void record(final int section)
        {
            final byte[] owner = name(randomName());
            final int kind = random.nextInt(5);
            final long ttl = random.nextInt(6) == 0 ? random.nextLong(1L << 32) : random.nextInt(86_400);
            final long readTtl = ttl > Integer.MAX_VALUE ? 0 : ttl;
            if (kind <= 1)
            {
                final int type = kind == 0 ? 1 : 28;
                final int dnsClass = random.nextInt(6) == 0 ? 3 : 1;
                final byte[] data = new byte[dnsClass == 1 ? type == 1 ? 4 : 16 : random.nextInt(20)];
                random.nextBytes(data);
                short16(type);
                short16(dnsClass);
                int32(ttl);
                short16(data.length);
                out.writeBytes(data);
                if (section == 0 && dnsClass == 1)
                {
                    answers.append(" | a ").append(hex(lower(owner))).append(' ').append(type).append(" 1 ")
                        .append(readTtl).append(' ').append(hex(data));
                }
            }
            else if (kind == 2)
            {
                final int dnsClass = random.nextInt(6) == 0 ? random.nextInt(65_536) : 1;
                short16(5);
                short16(dnsClass);
                int32(ttl);
                final int lengthAt = out.size();
                short16(0);
                final byte[] target = name(randomName());
                patch(lengthAt, out.size() - lengthAt - 2);
                if (section == 0)
                {
                    answers.append(" | a ").append(hex(lower(owner))).append(" 5 ").append(dnsClass).append(' ')
                        .append(readTtl).append(' ').append(hex(lower(target)));
                }
            }
            else
            {
                short16(OTHER_TYPES[random.nextInt(OTHER_TYPES.length)]);
                short16(random.nextInt(8) == 0 ? random.nextInt(65_536) : 1);
                int32(ttl);
                final byte[] data = new byte[random.nextInt(40)];
                random.nextBytes(data);
                short16(data.length);
                out.writeBytes(data);
            }
        }

        /** Labels of a name, from a small set (so suffixes repeat and compress) and now and then odd ones. */
        private List<byte[]> randomName()
        {
            final List<byte[]> labels = new ArrayList<>();
            // Now and then a name near the 255-byte limit, which a mutation may push over it.
            final boolean full = random.nextInt(20) == 0;
            final int count = full ? 8 : random.nextInt(10) == 0 ? random.nextInt(12) : random.nextInt(5);
            int wire = 1;
            for (int i = 0; i < count; i++)
            {
                final byte[] label;
                if (full || random.nextInt(6) == 0)
                {
                    label = new byte[full ? 60 + random.nextInt(4) : 1 + random.nextInt(random.nextInt(4) == 0 ? 63 : 10)];
                    random.nextBytes(label);
                }
                else
                {
                    label = LABELS[random.nextInt(LABELS.length)].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
                if (wire + 1 + label.length > DnsName.MAX_WIRE_LENGTH)
                {
                    break;
                }
                wire += 1 + label.length;
                labels.add(label);
            }
            return labels;
        }

        /**
         * Writes a name, compressed from some label on when that suffix was written before (and the dice say so).
         *
         * @return the name's uncompressed wire form.
         */
        private byte[] name(final List<byte[]> labels)
        {
            final ByteArrayOutputStream full = new ByteArrayOutputStream();
            labels.forEach(l ->
            {
                full.write(l.length);
                full.writeBytes(l);
            });
            full.write(0);
            boolean pointed = false;
            for (int i = 0; i < labels.size() && !pointed; i++)
            {
                final String suffix = key(labels.subList(i, labels.size()));
                final Integer earlier = written.get(suffix);
                if (earlier != null && random.nextInt(4) != 0)
                {
                    out.write(0xC0 | earlier >>> 8);
                    out.write(earlier & 0xff);
                    pointed = true;
                    break;
                }
                if (out.size() < 0x3FFF)
                {
                    written.putIfAbsent(suffix, out.size());
                }
                out.write(labels.get(i).length);
                out.writeBytes(labels.get(i));
            }
            if (!pointed)
            {
                out.write(0);
            }
            return full.toByteArray();
        }

        /** A suffix's key: its labels lowered, as the reader compares them. */
        private static String key(final List<byte[]> labels)
        {
            final StringBuilder sb = new StringBuilder();
            labels.forEach(l -> sb.append(hex(lower(l))).append('/'));
            return sb.toString();
        }

        private void short16(final int value)
        {
            out.write(value >>> 8 & 0xff);
            out.write(value & 0xff);
        }

        private void int32(final long value)
        {
            short16((int)(value >>> 16) & 0xffff);
            short16((int)value & 0xffff);
        }

        private void patch(final int at, final int value)
        {
            final byte[] all = out.toByteArray();
            all[at] = (byte)(value >>> 8);
            all[at + 1] = (byte)value;
            out.reset();
            out.writeBytes(all);
        }
    }

    // ---- mutations and shrinking

    private static byte[] mutate(final SplittableRandom random, final byte[] input)
    {
        if (input.length == 0)
        {
            return new byte[]{ (byte)random.nextInt(256) };
        }
        final int at = random.nextInt(input.length);
        final byte[] interesting = { 0, 1, 12, 63, 64, (byte)0x80, (byte)0xBF, (byte)0xC0, (byte)0xFF, 4, 16, 41 };
        return switch (random.nextInt(10))
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
                // Repeat a chunk: records and labels twice.
                final int chunk = 1 + random.nextInt(Math.min(40, input.length - at));
                final byte[] out = new byte[input.length + chunk];
                System.arraycopy(input, 0, out, 0, at + chunk);
                System.arraycopy(input, at, out, at + chunk, input.length - at);
                yield out;
            }
            case 6 ->
            {
                // A count of the header, small.
                final byte[] out = input.clone();
                if (out.length >= 12)
                {
                    final int count = 4 + 2 * random.nextInt(4);
                    out[count] = 0;
                    out[count + 1] = (byte)random.nextInt(8);
                }
                yield out;
            }
            case 7 ->
            {
                // A compression pointer to anywhere, often before itself.
                final byte[] out = input.clone();
                if (at + 1 < out.length)
                {
                    final int target = random.nextBoolean() ? random.nextInt(at + 1) : random.nextInt(0x4000);
                    out[at] = (byte)(0xC0 | target >>> 8);
                    out[at + 1] = (byte)target;
                }
                yield out;
            }
            case 8 ->
            {
                // The header's flags: QR, TC and RCODE matter to the reader.
                final byte[] out = input.clone();
                if (out.length >= 4)
                {
                    out[2] ^= (byte)(random.nextBoolean() ? 0x80 : 0x02);
                    out[3] = (byte)random.nextInt(256);
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

    private static void fail(final String property, final byte[] input, final String problem)
    {
        throw new AssertionError("DNS wire fuzz, " + property + ", seed " + SEED + " (replay with " +
            "-Dportgate.fuzz.seed=" + SEED + "): " + problem + "; input " + HexFormat.of().formatHex(input));
    }

    // ---- the reference

    /**
     * The parser's rules read a second way: recursive names, a ByteBuffer-free walk, checks in another order.
     * Answers the canonical text of the message, or null for a message to refuse.
     */
    static final class Reference
    {
        private Reference()
        {
        }

        /** A name read: its wire form, lowered, and where the reading continues. */
        private record Name(byte[] wire, int end)
        {
        }

        static String parse(final byte[] m, final int len)
        {
            if (len < 12 || len > 65_535)
            {
                return null;
            }
            final int id = u16(m, 0);
            final int flags = u16(m, 2);
            if (flags < 0x8000)
            {
                return null;
            }
            final int qd = u16(m, 4);
            final int records = u16(m, 6) + u16(m, 8) + u16(m, 10);
            final boolean tc = (flags & 0x0200) != 0;
            if (12L + 5L * qd + (tc ? 0 : 11L * records) > len)
            {
                return null;
            }
            final StringBuilder questions = new StringBuilder();
            int pos = 12;
            for (int i = 0; i < qd; i++)
            {
                final Name n = name(m, pos, len, len);
                if (n == null || n.end + 4 > len)
                {
                    return null;
                }
                questions.append(" | q ").append(hex(n.wire)).append(' ').append(u16(m, n.end)).append(' ')
                    .append(u16(m, n.end + 2));
                pos = n.end + 4;
            }
            if (tc)
            {
                return "id " + id + " flags " + flags + " rcode " + (flags & 15) + " tc" + questions;
            }
            final StringBuilder answers = new StringBuilder();
            boolean opt = false;
            int extended = 0;
            for (int i = 0; i < records; i++)
            {
                final int section = i < u16(m, 6) ? 0 : i < u16(m, 6) + u16(m, 8) ? 1 : 2;
                final Name owner = name(m, pos, len, len);
                if (owner == null || owner.end + 10 > len)
                {
                    return null;
                }
                final int type = u16(m, owner.end);
                final int dnsClass = u16(m, owner.end + 2);
                final long rawTtl = (long)u16(m, owner.end + 4) << 16 | u16(m, owner.end + 6);
                final int rdlength = u16(m, owner.end + 8);
                final int data = owner.end + 10;
                if (data + rdlength > len)
                {
                    return null;
                }
                final long ttl = rawTtl >= 0x8000_0000L ? 0 : rawTtl;
                if ((type == 1 || type == 28) && dnsClass == 1)
                {
                    if (rdlength != (type == 1 ? 4 : 16))
                    {
                        return null;
                    }
                    if (section == 0)
                    {
                        answers.append(" | a ").append(hex(owner.wire)).append(' ').append(type).append(" 1 ")
                            .append(ttl).append(' ').append(hex(Arrays.copyOfRange(m, data, data + rdlength)));
                    }
                }
                else if (type == 5)
                {
                    final Name target = name(m, data, data + rdlength, len);
                    if (target == null || target.end != data + rdlength)
                    {
                        return null;
                    }
                    if (section == 0)
                    {
                        answers.append(" | a ").append(hex(owner.wire)).append(" 5 ").append(dnsClass).append(' ')
                            .append(ttl).append(' ').append(hex(target.wire));
                    }
                }
                else if (type == 41)
                {
                    if (section != 2 || owner.wire.length != 1 || opt)
                    {
                        return null;
                    }
                    opt = true;
                    extended = (int)(rawTtl >>> 24);
                }
                pos = data + rdlength;
            }
            if (pos != len)
            {
                return null;
            }
            return "id " + id + " flags " + flags + " rcode " + (extended << 4 | flags & 15) + questions + answers;
        }

        private static Name name(final byte[] m, final int start, final int bound, final int len)
        {
            final ByteArrayOutputStream wire = new ByteArrayOutputStream();
            final Integer end = walk(m, start, bound, len, start, 128, wire);
            return end == null ? null : new Name(lower(wire.toByteArray()), end);
        }

        /** Reads labels from {@code p} on, following pointers by recursion; where the name ends, or null. */
        private static Integer walk(final byte[] m, final int p, final int bound, final int len, final int segment,
            final int pointersLeft, final ByteArrayOutputStream wire)
        {
            if (p >= bound)
            {
                return null;
            }
            final int b = m[p] & 0xff;
            if (b == 0)
            {
                wire.write(0);
                return p + 1;
            }
            if (b >= 0xC0)
            {
                if (p + 1 >= bound)
                {
                    return null;
                }
                final int target = (b & 0x3F) << 8 | m[p + 1] & 0xff;
                if (pointersLeft == 0 || target < 12 || target >= segment)
                {
                    return null;
                }
                return walk(m, target, len, len, target, pointersLeft - 1, wire) == null ? null : p + 2;
            }
            if (b >= 0x40 || p + 1 + b > bound)
            {
                return null;
            }
            wire.write(b);
            wire.write(m, p + 1, b);
            if (wire.size() + 1 > 255)
            {
                return null;
            }
            return walk(m, p + 1 + b, bound, len, segment, pointersLeft, wire);
        }

        private static int u16(final byte[] m, final int at)
        {
            return (m[at] & 0xff) << 8 | m[at + 1] & 0xff;
        }
    }
}
