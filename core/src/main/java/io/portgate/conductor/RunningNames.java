package io.portgate.conductor;

import io.portgate.access.AccessLog;
import io.portgate.access.AccessLogNames;
import io.portgate.loop.Route;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Names listeners and targets for the access log from the configurations that ran most recently, by generation, so
 * a record made just before a reload is named as it was then. Published by the conductor, read by the log's writer
 * thread; the names are the routes' own strings, so a lookup allocates nothing.
 */
final class RunningNames implements AccessLogNames
{
    private static final int KEPT = 8;
    private static final String UNKNOWN = "?";

    private final AtomicReferenceArray<Running> byGeneration = new AtomicReferenceArray<>(KEPT);

    void add(final Running running)
    {
        byGeneration.set(running.generation() & (KEPT - 1), running);
    }

    @Override
    public CharSequence listener(final int generation, final int listener)
    {
        final Route route = route(generation, listener);
        return route == null ? UNKNOWN : route.name();
    }

    @Override
    public CharSequence target(final int generation, final int listener, final int target)
    {
        final Route route = route(generation, listener);
        return route == null || target < 0 || target >= route.targetCount() ? UNKNOWN : route.targetLabel(target);
    }

    private Route route(final int generation, final int listener)
    {
        final Running running = byGeneration.get(generation & (KEPT - 1));
        if (running == null || running.generation() != generation)
        {
            return null;
        }
        final List<? extends Route> routes = listener >= AccessLog.UDP_LISTENER ? running.udp() : running.tcp();
        final int index = listener >= AccessLog.UDP_LISTENER ? listener - AccessLog.UDP_LISTENER : listener;
        return index < routes.size() ? routes.get(index) : null;
    }
}
