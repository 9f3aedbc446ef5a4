package io.portgate.admin;

import org.agrona.concurrent.EpochClock;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes HTTP/1.1 response heads into a connection's buffer, ASCII byte by byte, with no string built per answer: the
 * {@code Date} field is formatted once a second at most and kept as bytes. One per admin loop; not thread-safe.
 */
final class ResponseHeads
{
    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final EpochClock epochClock;
    private final byte[] dateField = new byte[29];
    private long dateSecond = Long.MIN_VALUE;

    /**
     * @param epochClock the wall clock, for the {@code Date} field.
     */
    ResponseHeads(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
    }

    /**
     * The head of an answer: status line, date, content type and length, {@code Allow} when the answer has one, the
     * connection field, the blank line.
     *
     * @param buffer   where it goes, from its position.
     * @param response the answer.
     * @param c        the connection it answers, for the {@code Connection} field.
     */
    void answer(final ByteBuffer buffer, final AdminResponse response, final AdminConnection c)
    {
        statusLine(buffer, response.status());
        date(buffer);
        put(buffer, "Content-Type: ");
        put(buffer, response.contentType());
        put(buffer, "\r\nContent-Length: ");
        putNumber(buffer, response.body().length);
        put(buffer, "\r\n");
        if (response.allow() != null)
        {
            put(buffer, "Allow: ");
            put(buffer, response.allow());
            put(buffer, "\r\n");
        }
        if (c.closeAfterWrite)
        {
            put(buffer, "Connection: close\r\n");
        }
        else if (c.keepAliveField)
        {
            put(buffer, "Connection: keep-alive\r\n");
        }
        put(buffer, "\r\n");
    }

    /**
     * A whole refusal, head and JSON body, that closes the connection.
     *
     * @param buffer where it goes, from its position.
     * @param why    the refusal.
     */
    void refusal(final ByteBuffer buffer, final HttpRejection why)
    {
        statusLine(buffer, why.status());
        date(buffer);
        put(buffer, "Content-Type: application/json; charset=utf-8\r\nContent-Length: ");
        putNumber(buffer, why.body().length);
        put(buffer, why == HttpRejection.BUSY ? "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" :
            "\r\nConnection: close\r\n\r\n");
        buffer.put(why.body());
    }

    private static void statusLine(final ByteBuffer buffer, final int status)
    {
        put(buffer, "HTTP/1.1 ");
        putNumber(buffer, status);
        buffer.put((byte)' ');
        put(buffer, AdminResponse.reasonPhrase(status));
        put(buffer, "\r\n");
    }

    private void date(final ByteBuffer buffer)
    {
        final long second = Math.floorDiv(epochClock.time(), 1000);
        if (second != dateSecond)
        {
            dateSecond = second;
            final String text = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
            for (int i = 0; i < dateField.length; i++)
            {
                dateField[i] = (byte)text.charAt(i);
            }
        }
        put(buffer, "Date: ");
        buffer.put(dateField);
        put(buffer, "\r\n");
    }

    private static void put(final ByteBuffer buffer, final String ascii)
    {
        for (int i = 0, n = ascii.length(); i < n; i++)
        {
            buffer.put((byte)ascii.charAt(i));
        }
    }

    private static void putNumber(final ByteBuffer buffer, final long value)
    {
        if (value >= 10)
        {
            putNumber(buffer, value / 10);
        }
        buffer.put((byte)('0' + value % 10));
    }
}
