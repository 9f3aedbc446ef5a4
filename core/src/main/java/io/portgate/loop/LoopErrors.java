package io.portgate.loop;

import org.agrona.ErrorHandler;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place unexpected errors of the loops go: each is counted, and each distinct kind (class and message) is
 * logged once so a fault repeating per connection cannot flood the log. Shared by all workers.
 */
public final class LoopErrors implements ErrorHandler
{
    private static final System.Logger LOG = System.getLogger("io.portgate.loop");
    private static final int MAX_DISTINCT = 1024;

    private final AtomicLong count = new AtomicLong();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** Creates a handler with nothing counted yet. */
    public LoopErrors()
    {
    }

    @Override
    public void onError(final Throwable error)
    {
        count.incrementAndGet();
        final String key = error.getClass().getName() + ": " + error.getMessage();
        if (seen.size() < MAX_DISTINCT && seen.add(key))
        {
            LOG.log(System.Logger.Level.WARNING, "unexpected error in a forwarder loop (logged once per kind)", error);
        }
    }

    /**
     * How many errors were reported.
     *
     * @return the count since start.
     */
    public long count()
    {
        return count.get();
    }
}
