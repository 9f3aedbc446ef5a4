package io.portgate.admin;

import io.portgate.util.Json;

import java.nio.charset.StandardCharsets;

/**
 * An answer of an endpoint, before the loop frames it.
 *
 * @param status      the HTTP status.
 * @param contentType the body's media type.
 * @param body        the body; a HEAD request gets its length but not its bytes.
 * @param allow       the methods the resource takes, for a 405's {@code Allow} field; null otherwise.
 */
record AdminResponse(int status, String contentType, byte[] body, String allow)
{
    static final String JSON = "application/json; charset=utf-8";

    /**
     * A JSON answer as the endpoint writes them: two-space indented, ending in a newline.
     *
     * @param status the status.
     * @param body   the value.
     * @return the response.
     */
    static AdminResponse json(final int status, final Object body)
    {
        return new AdminResponse(status, JSON, (Json.pretty(body) + "\n").getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * The reason phrase of a status the endpoint answers with.
     *
     * @param status the status.
     * @return its phrase (RFC 9110).
     */
    static String reasonPhrase(final int status)
    {
        return switch (status)
        {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 422 -> "Unprocessable Content";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
