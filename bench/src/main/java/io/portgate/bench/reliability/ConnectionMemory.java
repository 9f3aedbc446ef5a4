package io.portgate.bench.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 15's target for an idle TCP connection, at most 2 KiB of the balancer's memory. Resident memory alone says
 * little under a collector that grows and touches its heap as it likes, so the balancer runs with its heap committed
 * and touched from the start: what resident memory gains then is outside the heap, and the heap's gain is read after a
 * full collection.
 */
final class ConnectionMemory implements Scenario
{
    static final double MAX_KIB_PER_CONNECTION = 2.0;

    @Override
    public String name()
    {
        return "tcp-memory";
    }

    @Override
    public String what()
    {
        return "issue 15's target for an idle TCP connection: as tcp-connections, with the balancer's heap fixed and " +
            "touched at start (-Xms512m -Xmx512m -XX:+AlwaysPreTouch), so that resident memory grows only by what " +
            "is outside the heap and the heap's own growth is read after a full GC; PASS when the two together are " +
            "at most 2 KiB per connection";
    }

    @Override
    public boolean required()
    {
        // What a connection holds is the forwarders' (issue 14 reshapes them); the admin work does not change it.
        return false;
    }

    @Override
    public Outcome run(final SuiteContext context) throws Exception
    {
        final List<String> notes = new ArrayList<>();
        final String preTouched = "-Xms512m -Xmx512m -XX:+AlwaysPreTouch";
        final ConcurrentConnections.Memory m = ConcurrentConnections.measure(context, context.javaOpts() == null ?
            preTouched : context.javaOpts().replaceAll("-Xm[sx]\\S+", "") + " " + preTouched, notes);
        final double total = m.residentKiB() + m.heapKiB();
        return Outcome.of(m.served() && total <= MAX_KIB_PER_CONNECTION, String.format(Locale.ROOT, "%.2f KiB per " +
            "idle connection (%.2f KiB heap, %.2f KiB outside it) over %d connections; the target is %.0f KiB",
            total, m.heapKiB(), m.residentKiB(), m.connections(), MAX_KIB_PER_CONNECTION), notes);
    }
}
