package io.portgate.spi;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A probe of the tests' own: a target is healthy while the test says so. It answers on a thread of its own, never
 * inside {@link #probe}, as a real asynchronous probe would; a target the test silenced gets no answer at all.
 */
final class FlagProbe implements HealthProbe, AutoCloseable
{
    static final String NAME = "flag";

    private final Map<InetSocketAddress, Boolean> healthy = new ConcurrentHashMap<>();
    private final Set<InetSocketAddress> silent = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
    {
        final Thread thread = new Thread(r, "flag-probe");
        thread.setDaemon(true);
        return thread;
    });

    void healthy(final InetSocketAddress target, final boolean up)
    {
        healthy.put(target, up);
    }

    void silent(final InetSocketAddress target, final boolean quiet)
    {
        if (quiet)
        {
            silent.add(target);
        }
        else
        {
            silent.remove(target);
        }
    }

    @Override
    public void probe(final ProbeRequest request, final ProbeCallback callback)
    {
        executor.execute(() ->
        {
            if (silent.contains(request.probeAt()))
            {
                return;
            }
            if (healthy.getOrDefault(request.probeAt(), true))
            {
                callback.succeeded("flag up");
            }
            else
            {
                callback.failed(ProbeResult.BAD_REPLY, "the flag of " + request.pool() + " says down");
            }
        });
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
