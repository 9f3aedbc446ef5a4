package io.portgate.admin;

import io.portgate.util.Json;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Why the admin endpoint refused a request before it reached an endpoint, with the status it answers. The answer's
 * JSON body is encoded once, so refusing a flood of malformed requests allocates nothing per request.
 */
enum HttpRejection
{
    CONTROL_CHARACTER(400, "bad_request", "the request holds a control character; send an HTTP/1.1 request"),
    BARE_CR(400, "bad_request", "the request holds a CR that is not followed by LF; end lines with CRLF"),
    BAD_REQUEST_LINE(400, "bad_request", "the request line is not METHOD TARGET HTTP/1.1"),
    BAD_METHOD(400, "bad_request", "the request's method is not a token (GET, POST, ...)"),
    BAD_TARGET(400, "bad_request", "the request target must be a path such as /metrics (or an absolute http URL, " +
        "or *) of visible ASCII characters; percent-encode the others"),
    BAD_VERSION(400, "bad_request", "the request line does not end in HTTP/1.1 or HTTP/1.0"),
    FOLDED_FIELD(400, "bad_request", "a header field is folded over two lines; send each on one line"),
    BAD_FIELD(400, "bad_request", "a header line is not NAME: VALUE with NAME a token"),
    BAD_CONTENT_LENGTH(400, "bad_request", "Content-Length is not a whole number of bytes"),
    CONFLICTING_CONTENT_LENGTH(400, "bad_request", "the request has Content-Length fields that disagree"),
    MISSING_HOST(400, "bad_request", "an HTTP/1.1 request needs a Host header field"),
    DUPLICATE_HOST(400, "bad_request", "the request has more than one Host header field"),
    TRANSFER_ENCODING_WITH_LENGTH(400, "bad_request", "the request has both Transfer-Encoding and Content-Length"),
    BAD_PERCENT_ENCODING(400, "bad_request", "the request target has a % not followed by two hex digits; " +
        "write a % as %25"),
    LENGTH_REQUIRED(411, "length_required", "request bodies are taken with Content-Length only, not chunked or " +
        "another Transfer-Encoding"),
    BODY_TOO_LARGE(413, "body_too_large", "the request body is larger than the admin endpoint takes"),
    URI_TOO_LONG(414, "uri_too_long", "the request line is longer than the admin endpoint takes"),
    HEADER_TOO_LARGE(431, "header_too_large", "the request header is larger than the admin endpoint takes"),
    TOO_MANY_FIELDS(431, "header_too_large", "the request has more header fields than the admin endpoint takes"),
    VERSION_NOT_SUPPORTED(505, "version_not_supported", "the admin endpoint speaks HTTP/1.1 and HTTP/1.0"),
    REQUEST_TIMEOUT(408, "timeout", "the request did not arrive in time; send it whole, promptly"),
    BUSY(503, "busy", "the admin endpoint is carrying out as many requests as it takes at once; retry in a moment");

    private final int status;
    private final String reason;
    private final String message;
    private final byte[] body;

    HttpRejection(final int status, final String reason, final String message)
    {
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.body = (Json.pretty(Map.of("error", message)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** @return the HTTP status it is answered with. */
    int status()
    {
        return status;
    }

    /** @return the {@code reason} label it is counted under. */
    String reason()
    {
        return reason;
    }

    /** @return what the answer says. */
    String message()
    {
        return message;
    }

    /** @return the answer's JSON body, encoded once; never modified. */
    byte[] body()
    {
        return body;
    }
}
