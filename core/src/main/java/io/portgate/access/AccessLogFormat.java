package io.portgate.access;

import io.portgate.net.Ip;
import org.agrona.MutableDirectBuffer;

/**
 * The access log's line formats. Both carry the same fields, in this order, one line per connection or flow, each
 * line ending in {@code \n}; new fields will only ever be added at the end.
 *
 * <table>
 *   <caption>Fields</caption>
 *   <tr><th>field</th><th>meaning</th><th>when absent</th></tr>
 *   <tr><td>{@code time}</td><td>when it ended, UTC, millisecond: {@code 2026-11-28T18:12:55.123Z}</td><td></td></tr>
 *   <tr><td>{@code protocol}</td><td>{@code tcp} or {@code udp}</td><td></td></tr>
 *   <tr><td>{@code listener}</td><td>the listener's name ({@code #index} when the lookup has none)</td><td></td></tr>
 *   <tr><td>{@code client}</td><td>the client's real address (after a PROXY header), IPv4 dotted, IPv6 per
 *       RFC 5952; the text format adds the port: {@code 192.0.2.1:5000}, {@code [2001:db8::1]:5000}</td><td></td></tr>
 *   <tr><td>{@code client_port}</td><td>the client's port (JSON only; text has it in {@code client})</td><td></td></tr>
 *   <tr><td>{@code target}</td><td>the target's name</td><td>text {@code -}, JSON {@code null}: none picked</td></tr>
 *   <tr><td>{@code bytes_in}</td><td>bytes from the client to the target</td><td></td></tr>
 *   <tr><td>{@code bytes_out}</td><td>bytes from the target to the client</td><td></td></tr>
 *   <tr><td>{@code datagrams_in}</td><td>UDP: datagrams from the client</td><td>TCP: {@code -} / {@code null}</td></tr>
 *   <tr><td>{@code datagrams_out}</td><td>UDP: datagrams to the client</td><td>TCP: {@code -} / {@code null}</td></tr>
 *   <tr><td>{@code connect_us}</td><td>TCP: microseconds the target connect took</td>
 *       <td>never connected, and UDP: {@code -} / {@code null}</td></tr>
 *   <tr><td>{@code duration_us}</td><td>microseconds from accept (first datagram) to end</td><td></td></tr>
 *   <tr><td>{@code end}</td><td>how it ended: an {@link EndReason} name such as {@code client_close}</td><td></td></tr>
 * </table>
 *
 * <p>Text: the fields separated by single spaces, in the order above without {@code client_port}. A name holding
 * a space, a control character, DEL or {@code %} has those bytes written as {@code %XX} (so a line always splits
 * into the same number of fields), and an empty name as {@code ""}; other characters are UTF-8. JSON: one object
 * per line with the keys above, always all of them, strings escaped as RFC 8259 asks, other characters as UTF-8.
 */
public enum AccessLogFormat
{
    /** Space-separated fields, for people and {@code awk}. */
    TEXT("text"),
    /** One JSON object per line, for log pipelines. */
    JSON("json");

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private final String configName;

    AccessLogFormat(final String configName)
    {
        this.configName = configName;
    }

    /** @return the name the configuration uses. */
    public String configName()
    {
        return configName;
    }

    /**
     * The format a configuration names.
     *
     * @param name {@code text} or {@code json}.
     * @return the format.
     * @throws IllegalArgumentException for another name.
     */
    public static AccessLogFormat fromConfigName(final String name)
    {
        for (final AccessLogFormat format : values())
        {
            if (format.configName.equals(name))
            {
                return format;
            }
        }
        throw new IllegalArgumentException("access log format '" + name + "' is not text or json");
    }

    /**
     * Writes one record as one line. Allocates nothing (unless the buffer grows).
     *
     * @param record the record.
     * @param names  names listeners and targets.
     * @param out    where to write; an expandable buffer, or one with room for the line.
     * @param index  at which byte.
     * @return the index after the line's {@code \n}.
     */
    public int write(final AccessRecord record, final AccessLogNames names, final MutableDirectBuffer out,
        final int index)
    {
        return this == JSON ? writeJson(record, names, out, index) : writeText(record, names, out, index);
    }

    private static int writeText(final AccessRecord r, final AccessLogNames names, final MutableDirectBuffer out,
        final int index)
    {
        final boolean udp = r.protocol() == AccessRecord.UDP;
        int at = putTime(r.endEpochMillis(), out, index);
        at = putAscii(udp ? " udp " : " tcp ", out, at);
        at = putTextName(names.listener(r.generation(), r.listener()), r.listener(), out, at);
        out.putByte(at++, (byte)' ');
        final boolean ipv4 = Ip.isIpv4(r.clientHigh(), r.clientLow());
        if (!ipv4)
        {
            out.putByte(at++, (byte)'[');
        }
        at += Ip.putText(r.clientHigh(), r.clientLow(), out, at);
        if (!ipv4)
        {
            out.putByte(at++, (byte)']');
        }
        out.putByte(at++, (byte)':');
        at += out.putNaturalIntAscii(at, r.clientPort());
        out.putByte(at++, (byte)' ');
        if (r.target() == AccessRecord.NO_TARGET)
        {
            out.putByte(at++, (byte)'-');
        }
        else
        {
            at = putTextName(names.target(r.generation(), r.listener(), r.target()), r.target(), out, at);
        }
        out.putByte(at++, (byte)' ');
        at += out.putLongAscii(at, r.bytesIn());
        out.putByte(at++, (byte)' ');
        at += out.putLongAscii(at, r.bytesOut());
        out.putByte(at++, (byte)' ');
        at = udp ? at + out.putLongAscii(at, r.datagramsIn()) : putAscii("-", out, at);
        out.putByte(at++, (byte)' ');
        at = udp ? at + out.putLongAscii(at, r.datagramsOut()) : putAscii("-", out, at);
        out.putByte(at++, (byte)' ');
        at = hasConnectTime(r) ? at + out.putLongAscii(at, r.connectNs() / 1_000) : putAscii("-", out, at);
        out.putByte(at++, (byte)' ');
        at += out.putLongAscii(at, r.durationNs() / 1_000);
        out.putByte(at++, (byte)' ');
        at = putAscii(EndReason.name(r.endReason()), out, at);
        out.putByte(at++, (byte)'\n');
        return at;
    }

    private static int writeJson(final AccessRecord r, final AccessLogNames names, final MutableDirectBuffer out,
        final int index)
    {
        final boolean udp = r.protocol() == AccessRecord.UDP;
        int at = putAscii("{\"time\":\"", out, index);
        at = putTime(r.endEpochMillis(), out, at);
        at = putAscii(udp ? "\",\"protocol\":\"udp\",\"listener\":" : "\",\"protocol\":\"tcp\",\"listener\":", out, at);
        at = putJsonName(names.listener(r.generation(), r.listener()), r.listener(), out, at);
        at = putAscii(",\"client\":\"", out, at);
        at += Ip.putText(r.clientHigh(), r.clientLow(), out, at);
        at = putAscii("\",\"client_port\":", out, at);
        at += out.putNaturalIntAscii(at, r.clientPort());
        at = putAscii(",\"target\":", out, at);
        at = r.target() == AccessRecord.NO_TARGET ? putAscii("null", out, at) :
            putJsonName(names.target(r.generation(), r.listener(), r.target()), r.target(), out, at);
        at = putAscii(",\"bytes_in\":", out, at);
        at += out.putLongAscii(at, r.bytesIn());
        at = putAscii(",\"bytes_out\":", out, at);
        at += out.putLongAscii(at, r.bytesOut());
        at = putAscii(",\"datagrams_in\":", out, at);
        at = udp ? at + out.putLongAscii(at, r.datagramsIn()) : putAscii("null", out, at);
        at = putAscii(",\"datagrams_out\":", out, at);
        at = udp ? at + out.putLongAscii(at, r.datagramsOut()) : putAscii("null", out, at);
        at = putAscii(",\"connect_us\":", out, at);
        at = hasConnectTime(r) ? at + out.putLongAscii(at, r.connectNs() / 1_000) : putAscii("null", out, at);
        at = putAscii(",\"duration_us\":", out, at);
        at += out.putLongAscii(at, r.durationNs() / 1_000);
        at = putAscii(",\"end\":\"", out, at);
        at = putAscii(EndReason.name(r.endReason()), out, at);
        return putAscii("\"}\n", out, at);
    }

    private static boolean hasConnectTime(final AccessRecord r)
    {
        return r.protocol() == AccessRecord.TCP && r.connectNs() != AccessRecord.NOT_CONNECTED;
    }

    /** {@code yyyy-mm-ddThh:mm:ss.mmmZ}, by Howard Hinnant's days-to-civil algorithm (no java.time objects). */
    static int putTime(final long epochMillis, final MutableDirectBuffer out, final int index)
    {
        final long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        final long millisOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY);
        final long z = days + 719_468;
        final long era = Math.floorDiv(z, 146_097);
        final long dayOfEra = z - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long shiftedMonth = (5 * dayOfYear + 2) / 153;
        final int day = (int)(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        final int month = (int)(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        int at = putDigits(year, 4, out, index);
        out.putByte(at++, (byte)'-');
        at = putDigits(month, 2, out, at);
        out.putByte(at++, (byte)'-');
        at = putDigits(day, 2, out, at);
        out.putByte(at++, (byte)'T');
        at = putDigits(millisOfDay / 3_600_000, 2, out, at);
        out.putByte(at++, (byte)':');
        at = putDigits(millisOfDay / 60_000 % 60, 2, out, at);
        out.putByte(at++, (byte)':');
        at = putDigits(millisOfDay / 1_000 % 60, 2, out, at);
        out.putByte(at++, (byte)'.');
        at = putDigits(millisOfDay % 1_000, 3, out, at);
        out.putByte(at++, (byte)'Z');
        return at;
    }

    private static int putDigits(final long value, final int width, final MutableDirectBuffer out, final int index)
    {
        long rest = value;
        for (int i = width - 1; i >= 0; i--)
        {
            out.putByte(index + i, (byte)('0' + rest % 10));
            rest /= 10;
        }
        return index + width;
    }

    private static int putAscii(final String text, final MutableDirectBuffer out, final int index)
    {
        return index + out.putStringWithoutLengthAscii(index, text);
    }

    private static int putTextName(final CharSequence name, final int fallbackIndex, final MutableDirectBuffer out,
        final int index)
    {
        if (name == null)
        {
            out.putByte(index, (byte)'#');
            return index + 1 + out.putNaturalIntAscii(index + 1, fallbackIndex);
        }
        if (name.isEmpty())
        {
            return putAscii("\"\"", out, index);
        }
        int at = index;
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c <= ' ' || c == 0x7F || c == '%')
            {
                out.putByte(at++, (byte)'%');
                at = putHex(c, out, at);
            }
            else
            {
                final int next = putUtf8(name, i, out, at);
                i += Character.isHighSurrogate(c) && next - at == 4 ? 1 : 0;
                at = next;
            }
        }
        return at;
    }

    // The two hex digits of a character below 0x100.
    private static int putHex(final char c, final MutableDirectBuffer out, final int index)
    {
        out.putByte(index, HEX[c >>> 4]);
        out.putByte(index + 1, HEX[c & 0xF]);
        return index + 2;
    }

    private static int putJsonName(final CharSequence name, final int fallbackIndex, final MutableDirectBuffer out,
        final int index)
    {
        int at = index;
        out.putByte(at++, (byte)'"');
        if (name == null)
        {
            out.putByte(at++, (byte)'#');
            at += out.putNaturalIntAscii(at, fallbackIndex);
        }
        else
        {
            for (int i = 0; i < name.length(); i++)
            {
                final char c = name.charAt(i);
                if (c == '"' || c == '\\')
                {
                    out.putByte(at++, (byte)'\\');
                    out.putByte(at++, (byte)c);
                }
                else if (c < 0x20)
                {
                    at = putHex(c, out, putAscii("\\u00", out, at));
                }
                else
                {
                    final int next = putUtf8(name, i, out, at);
                    i += Character.isHighSurrogate(c) && next - at == 4 ? 1 : 0;
                    at = next;
                }
            }
        }
        out.putByte(at++, (byte)'"');
        return at;
    }

    /** Writes the character at {@code i} (with its low surrogate, when paired) as UTF-8; a lone surrogate as U+FFFD. */
    private static int putUtf8(final CharSequence text, final int i, final MutableDirectBuffer out, final int index)
    {
        final char c = text.charAt(i);
        int codePoint = c;
        if (Character.isSurrogate(c))
        {
            final boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() &&
                Character.isLowSurrogate(text.charAt(i + 1));
            codePoint = paired ? Character.toCodePoint(c, text.charAt(i + 1)) : 0xFFFD;
        }
        if (codePoint < 0x80)
        {
            out.putByte(index, (byte)codePoint);
            return index + 1;
        }
        if (codePoint < 0x800)
        {
            out.putByte(index, (byte)(0xC0 | codePoint >>> 6));
            out.putByte(index + 1, (byte)(0x80 | codePoint & 0x3F));
            return index + 2;
        }
        if (codePoint < 0x10000)
        {
            out.putByte(index, (byte)(0xE0 | codePoint >>> 12));
            out.putByte(index + 1, (byte)(0x80 | codePoint >>> 6 & 0x3F));
            out.putByte(index + 2, (byte)(0x80 | codePoint & 0x3F));
            return index + 3;
        }
        out.putByte(index, (byte)(0xF0 | codePoint >>> 18));
        out.putByte(index + 1, (byte)(0x80 | codePoint >>> 12 & 0x3F));
        out.putByte(index + 2, (byte)(0x80 | codePoint >>> 6 & 0x3F));
        out.putByte(index + 3, (byte)(0x80 | codePoint & 0x3F));
        return index + 4;
    }
}
