package io.portgate.bench.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Requests to a balancer's admin endpoint over a plain socket, one connection each, with a time limit. */
final class AdminClient
{
    private final InetSocketAddress address;

    AdminClient(final int port)
    {
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * An answer.
     *
     * @param status    the status, or 0 when none came.
     * @param body      the body, or the error.
     * @param elapsedNs from connect to the answer's end.
     */
    record Response(int status, String body, long elapsedNs)
    {
    }

    /**
     * Sends a request and reads the answer to the connection's end.
     *
     * @param method    GET or POST.
     * @param path      the path.
     * @param timeoutMs how long the answer may take.
     * @return the answer; status 0 when none came in time.
     */
    Response request(final String method, final String path, final int timeoutMs)
    {
        final long start = System.nanoTime();
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                "Connection: close\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            final String text = bytes.toString(StandardCharsets.UTF_8);
            final int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || end < 0)
            {
                return new Response(0, text, System.nanoTime() - start);
            }
            return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(end + 4),
                System.nanoTime() - start);
        }
        catch (final IOException ex)
        {
            return new Response(0, ex.toString(), System.nanoTime() - start);
        }
    }

    /**
     * {@code GET /metrics}, parsed.
     *
     * @return every sample by its series ({@code name{labels}}); empty when the endpoint did not answer.
     */
    Map<String, Double> metrics()
    {
        final Response response = request("GET", "/metrics", 10_000);
        return response.status() == 200 ? parse(response.body()) : Map.of();
    }

    static Map<String, Double> parse(final String text)
    {
        final Map<String, Double> samples = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            if (space > 0)
            {
                try
                {
                    samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                }
                catch (final NumberFormatException ignored)
                {
                    // not a sample
                }
            }
        }
        return samples;
    }

    /**
     * The sum of every series of a metric whose labels contain a text.
     *
     * @param samples  from {@link #metrics()}.
     * @param name     the metric.
     * @param contains a text the labels must contain, or "".
     * @return the sum.
     */
    static double sum(final Map<String, Double> samples, final String name, final String contains)
    {
        double sum = 0;
        for (final Map.Entry<String, Double> e : samples.entrySet())
        {
            final String series = e.getKey();
            if ((series.equals(name) || series.startsWith(name + "{")) && series.contains(contains))
            {
                sum += e.getValue();
            }
        }
        return sum;
    }
}
