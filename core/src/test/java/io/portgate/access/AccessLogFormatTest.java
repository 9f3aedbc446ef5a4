package io.portgate.access;

import io.portgate.net.IpText;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLogFormatTest
{
    /** 2026-11-28T18:12:55.123Z */
    private static final long WHEN = 1_795_889_575_123L;

    private static final AccessLogNames NAMES = new AccessLogNames()
    {
        @Override
        public CharSequence listener(final int generation, final int listener)
        {
            return generation == 7 ? "web-old" : listener == 0 ? "web" : "dns";
        }

        @Override
        public CharSequence target(final int generation, final int listener, final int target)
        {
            return "10.0.0." + (target + 5) + ":8080";
        }
    };

    @Test
    void writesATcpConnectionAsText()
    {
        assertEquals("2026-11-28T18:12:55.123Z tcp web 127.0.0.2:51234 10.0.0.6:8080 1234 5678 - - 412 1234567 " +
            "client_close\n", line(AccessLogFormat.TEXT, tcp()));
    }

    @Test
    void writesATcpConnectionAsJsonNamingItsClientTargetAndBytes()
    {
        assertEquals("{\"time\":\"2026-11-28T18:12:55.123Z\",\"protocol\":\"tcp\",\"listener\":\"web\"," +
            "\"client\":\"127.0.0.2\",\"client_port\":51234,\"target\":\"10.0.0.6:8080\",\"bytes_in\":1234," +
            "\"bytes_out\":5678,\"datagrams_in\":null,\"datagrams_out\":null,\"connect_us\":412," +
            "\"duration_us\":1234567,\"end\":\"client_close\"}\n", line(AccessLogFormat.JSON, tcp()));
    }

    @Test
    void writesAUdpFlowFromAnIpv6ClientInBothFormats()
    {
        final AccessRecord udp = new AccessRecord().clear().protocol(AccessRecord.UDP).endEpochMillis(0)
            .listener(1).target(0).client(0x2001_0db8_0000_0000L, 1, 5353).bytes(640, 1280).datagrams(10, 20)
            .connectNs(999).durationNs(30_000_000_000L).endReason(EndReason.IDLE_TIMEOUT);
        assertEquals("1970-01-01T00:00:00.000Z udp dns [2001:db8::1]:5353 10.0.0.5:8080 640 1280 10 20 - 30000000 " +
            "idle_timeout\n", line(AccessLogFormat.TEXT, udp));
        assertEquals("{\"time\":\"1970-01-01T00:00:00.000Z\",\"protocol\":\"udp\",\"listener\":\"dns\"," +
            "\"client\":\"2001:db8::1\",\"client_port\":5353,\"target\":\"10.0.0.5:8080\",\"bytes_in\":640," +
            "\"bytes_out\":1280,\"datagrams_in\":10,\"datagrams_out\":20,\"connect_us\":null," +
            "\"duration_us\":30000000,\"end\":\"idle_timeout\"}\n", line(AccessLogFormat.JSON, udp));
    }

    @Test
    void aConnectionRefusedBeforeAnyTargetHasNone()
    {
        final AccessRecord refused = tcp().target(AccessRecord.NO_TARGET).connectNs(AccessRecord.NOT_CONNECTED)
            .bytes(0, 0).durationNs(0).endReason(EndReason.REFUSED_BY_RULE);
        assertEquals("2026-11-28T18:12:55.123Z tcp web 127.0.0.2:51234 - 0 0 - - - 0 refused_by_rule\n",
            line(AccessLogFormat.TEXT, refused));
        final String json = line(AccessLogFormat.JSON, refused);
        assertTrue(json.contains("\"target\":null,"), json);
        assertTrue(json.contains("\"connect_us\":null,"), json);
    }

    @Test
    void namesAreResolvedByTheRecordsGenerationOrShownAsIndices()
    {
        assertTrue(line(AccessLogFormat.TEXT, tcp().generation(7)).contains(" web-old "));
        assertEquals("2026-11-28T18:12:55.123Z tcp #0 127.0.0.2:51234 #1 1234 5678 - - 412 1234567 client_close\n",
            line(AccessLogFormat.TEXT, tcp(), AccessLogNames.INDICES));
        assertTrue(line(AccessLogFormat.JSON, tcp(), AccessLogNames.INDICES)
            .contains("\"listener\":\"#0\","));
    }

    @Test
    void escapesNamesSoALineKeepsItsShape()
    {
        final AccessLogNames odd = new AccessLogNames()
        {
            @Override
            public CharSequence listener(final int generation, final int listener)
            {
                return "my \"web\"\\50%\tl\u00e9on \uD83D\uDE80 \uD800";
            }

            @Override
            public CharSequence target(final int generation, final int listener, final int target)
            {
                return "";
            }
        };
        assertEquals("2026-11-28T18:12:55.123Z tcp my%20\"web\"\\50%25%09l\u00e9on%20\uD83D\uDE80%20\uFFFD " +
            "127.0.0.2:51234 \"\" 1234 5678 - - 412 1234567 client_close\n", line(AccessLogFormat.TEXT, tcp(), odd));
        assertTrue(line(AccessLogFormat.JSON, tcp(), odd).contains(
            "\"listener\":\"my \\\"web\\\"\\\\50%\\u0009l\u00e9on \uD83D\uDE80 \uFFFD\","));
    }

    @Test
    void timeMatchesJavaTimeEverywhere()
    {
        final DateTimeFormatter iso = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
        final SplittableRandom random = new SplittableRandom(5);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
        for (int i = 0; i < 100_000; i++)
        {
            final long millis = i < 3 ? new long[]{ 0, 951_782_400_000L, 253_402_300_799_999L }[i] :
                random.nextLong(253_402_300_800_000L);
            final int end = AccessLogFormat.putTime(millis, out, 0);
            assertEquals(iso.format(Instant.ofEpochMilli(millis)), out.getStringWithoutLengthAscii(0, end));
        }
    }

    @Test
    void knowsItsConfigNames()
    {
        assertEquals(AccessLogFormat.JSON, AccessLogFormat.fromConfigName("json"));
        assertEquals("text", AccessLogFormat.TEXT.configName());
        assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.fromConfigName("xml"));
        assertEquals("unknown", EndReason.name(99));
        assertEquals("evicted", EndReason.name(EndReason.EVICTED));
    }

    static AccessRecord tcp()
    {
        final IpText text = new IpText();
        text.parse("127.0.0.2");
        return new AccessRecord().clear().protocol(AccessRecord.TCP).endEpochMillis(WHEN).listener(0).target(1)
            .client(text.high(), text.low(), 51234).bytes(1234, 5678).connectNs(412_345).durationNs(1_234_567_890L)
            .endReason(EndReason.CLIENT_CLOSE);
    }

    private static String line(final AccessLogFormat format, final AccessRecord record)
    {
        return line(format, record, NAMES);
    }

    private static String line(final AccessLogFormat format, final AccessRecord record, final AccessLogNames names)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        out.putByte(0, (byte)'>');
        final int end = format.write(record, names, out, 1);
        final byte[] bytes = new byte[end - 1];
        out.getBytes(1, bytes);
        assertEquals('>', out.getByte(0));
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
