package io.portgate.admin;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds that keep the admin endpoint answering whatever its clients do: how many connections it holds, how long
 * a client may take over each part of a request, and how large a request may be. Every one of them is enforced by the
 * endpoint's single loop thread without a thread or a buffer per slow client, so a client that sends half a request
 * and waits costs one connection slot until the first of its deadline and a newer client needing the slot.
 *
 * @param maxConnections  connections held at once. At the cap a new connection takes the slot of the connection that
 *                        has waited longest without a complete request (or is idle between requests, or is being
 *                        written a response or closed); only when every slot holds a request being carried out is
 *                        the new connection refused with 503.
 * @param headerTimeout   from a connection's accept, or a kept-alive connection's first byte of its next request, to
 *                        the end of the request's header; then 408 and a close.
 * @param requestTimeout  from the same start to the end of the request's body; then 408 and a close.
 * @param idleTimeout     a kept-alive connection with no request started is closed after this long.
 * @param writeTimeout    a response not taken by the client within this long is abandoned and the connection closed.
 * @param lingerTimeout   after a response that closes the connection, unread bytes the client may still send are
 *                        read and dropped for up to this long, so the kernel does not reset the connection before the
 *                        client has read the response.
 * @param maxRequestLine  bytes of the request line ({@code METHOD TARGET HTTP/1.1}); longer is 414.
 * @param maxHeaderBytes  bytes of the request line and header fields together; more is 431. It is also the size of
 *                        each connection's read buffer, allocated once per slot and reused.
 * @param maxHeaderFields header fields in one request; more is 431.
 * @param maxBodyBytes    bytes of a request body ({@code Content-Length}); more is 413. No endpoint takes a body, so
 *                        one is read and dropped, never stored.
 */
public record AdminLimits(
    int maxConnections,
    Duration headerTimeout,
    Duration requestTimeout,
    Duration idleTimeout,
    Duration writeTimeout,
    Duration lingerTimeout,
    int maxRequestLine,
    int maxHeaderBytes,
    int maxHeaderFields,
    long maxBodyBytes)
{
    /**
     * The defaults. 64 connections: a few scrapers, operators and scripts need a handful, and the slots are file
     * descriptors taken from the forwarders' budget. 5 s for a header: any client that is not stalling sends it in
     * one packet. 30 s idle: longer than Prometheus's default 15 s scrape interval, so a scraper keeps its connection.
     * 8 KiB of header: every request the API takes fits in a few hundred bytes.
     */
    public static final AdminLimits DEFAULTS = new AdminLimits(64, Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(2), 4096, 8192, 64, 16 * 1024);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when a value is out of range, naming it.
     */
    public AdminLimits
    {
        positive("maxConnections", maxConnections);
        positive("headerTimeout", headerTimeout);
        positive("requestTimeout", requestTimeout);
        positive("idleTimeout", idleTimeout);
        positive("writeTimeout", writeTimeout);
        positive("lingerTimeout", lingerTimeout);
        if (maxRequestLine < 16 || maxHeaderBytes < maxRequestLine || maxHeaderBytes > 1 << 20)
        {
            throw new IllegalArgumentException("maxRequestLine " + maxRequestLine + " must be at least 16 and at " +
                "most maxHeaderBytes " + maxHeaderBytes + ", which must be at most 1 MiB");
        }
        positive("maxHeaderFields", maxHeaderFields);
        if (maxBodyBytes < 0)
        {
            throw new IllegalArgumentException("maxBodyBytes must be 0 or more, got " + maxBodyBytes);
        }
    }

    /**
     * A copy with another connection cap.
     *
     * @param value the cap.
     * @return the copy.
     */
    public AdminLimits withMaxConnections(final int value)
    {
        return new AdminLimits(value, headerTimeout, requestTimeout, idleTimeout, writeTimeout, lingerTimeout,
            maxRequestLine, maxHeaderBytes, maxHeaderFields, maxBodyBytes);
    }

    /**
     * A copy with other timeouts.
     *
     * @param header  the header timeout.
     * @param request the request timeout.
     * @param idle    the idle timeout.
     * @param write   the write timeout.
     * @return the copy.
     */
    public AdminLimits withTimeouts(final Duration header, final Duration request, final Duration idle,
        final Duration write)
    {
        return new AdminLimits(maxConnections, header, request, idle, write, lingerTimeout, maxRequestLine,
            maxHeaderBytes, maxHeaderFields, maxBodyBytes);
    }

    private static void positive(final String name, final long value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " must be 1 or more, got " + value);
        }
    }

    private static void positive(final String name, final Duration value)
    {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero())
        {
            throw new IllegalArgumentException(name + " must be longer than zero, got " + value);
        }
    }
}
