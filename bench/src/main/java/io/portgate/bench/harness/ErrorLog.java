package io.portgate.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps each distinct error a run met once, with how often it happened, so a report can say why operations failed
 * without a log line per failure. Errors are off the measuring path (a failed exchange is already lost), so a lock is
 * fine here.
 */
final class ErrorLog
{
    private static final int MAX_DISTINCT = 20;

    private final Map<String, long[]> counts = new LinkedHashMap<>();

    synchronized void record(final String what, final Throwable error)
    {
        record(what + ": " + describe(error));
    }

    synchronized void record(final String message)
    {
        final long[] count = counts.get(message);
        if (count != null)
        {
            count[0]++;
        }
        else if (counts.size() < MAX_DISTINCT)
        {
            counts.put(message, new long[] {1});
        }
    }

    synchronized List<String> lines()
    {
        final List<String> lines = new ArrayList<>();
        counts.forEach((message, count) -> lines.add(count[0] == 1 ? message : message + " (" + count[0] + " times)"));
        return lines;
    }

    static String describe(final Throwable error)
    {
        final String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }
}
