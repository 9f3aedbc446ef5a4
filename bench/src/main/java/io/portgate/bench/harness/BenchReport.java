package io.portgate.bench.harness;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run measured. Operations, bytes and distributions count the measured time only; errors, timeouts, late
 * replies and mismatches count the whole run, warm-up included, since an error is worth seeing whenever it happened.
 *
 * @param mode            what was measured.
 * @param target          the address under test.
 * @param sink            where the udp-oneway sink listened, or null.
 * @param connections     connections, clients, flows or streams.
 * @param size            message or write size in bytes.
 * @param requestedRate   total rate asked for per second, 0 for closed loop.
 * @param duration        measured time asked for.
 * @param warmup          warm-up time.
 * @param threads         client threads.
 * @param measuredNanos   measured time it took: shorter than asked when a count limit ended it.
 * @param operations      measured operations (round trips, connections, datagrams sent, writes).
 * @param bytes           measured bytes sent.
 * @param errors          errors of any kind.
 * @param timeouts        exchanges that timed out.
 * @param lateReplies     UDP replies that came after their timeout.
 * @param mismatches      replies that were not their request.
 * @param distributions   latency distributions by name, in report order.
 * @param loss            udp-oneway's delivery counts, or null.
 * @param errorMessages   each distinct error once, with how often it happened.
 */
public record BenchReport(BenchMode mode, String target, String sink, int connections, int size, long requestedRate,
    Duration duration, Duration warmup, int threads, long measuredNanos, long operations, long bytes, long errors,
    long timeouts, long lateReplies, long mismatches, Map<String, LatencySummary> distributions, Loss loss,
    List<String> errorMessages)
{
    /**
     * udp-oneway's delivery counts over the measured datagrams; {@code sent == received + lost} by construction.
     *
     * @param sent       measured datagrams sent.
     * @param received   distinct measured datagrams the sink received.
     * @param lost       sent but never received.
     * @param duplicates extra copies received.
     * @param reordered  received after a later datagram of their flow.
     * @param tooLate    received too far behind their flow to tell from a duplicate; not in {@code received}.
     */
    public record Loss(long sent, long received, long lost, long duplicates, long reordered, long tooLate)
    {
        /**
         * Lost as a fraction of sent.
         *
         * @return 0 to 1; 0 when nothing was sent.
         */
        public double lossFraction()
        {
            return sent == 0 ? 0 : (double)lost / sent;
        }
    }

    /**
     * Measured operations per second.
     *
     * @return rate; 0 when nothing was measured.
     */
    public double achievedRate()
    {
        return measuredNanos <= 0 ? 0 : operations * 1e9 / measuredNanos;
    }

    /**
     * Measured bytes per second, in millions (bulk's throughput).
     *
     * @return MB/s.
     */
    public double megabytesPerSecond()
    {
        return measuredNanos <= 0 ? 0 : bytes * 1e3 / measuredNanos;
    }

    /**
     * Datagrams the sink received per second (udp-oneway).
     *
     * @return rate; 0 for other modes.
     */
    public double deliveredRate()
    {
        return loss == null || measuredNanos <= 0 ? 0 : loss.received() * 1e9 / measuredNanos;
    }

    /**
     * The primary distribution: latency, handshake or one-way.
     *
     * @return its summary, {@link LatencySummary#EMPTY} for bulk.
     */
    public LatencySummary latency()
    {
        return distributions.isEmpty() ? LatencySummary.EMPTY : distributions.values().iterator().next();
    }

    /**
     * The report as JSON-ready values: stable keys, times in nanoseconds, rates per second.
     *
     * @return ordered map.
     */
    public Map<String, Object> toMap()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode.cliName());
        m.put("target", target);
        if (sink != null)
        {
            m.put("sink", sink);
        }
        m.put("connections", connections);
        m.put("size", size);
        m.put("threads", threads);
        m.put("requestedRate", requestedRate);
        m.put("constantRate", requestedRate > 0);
        m.put("durationNanos", duration.toNanos());
        m.put("warmupNanos", warmup.toNanos());
        m.put("measuredNanos", measuredNanos);
        m.put("operations", operations);
        m.put("rate", achievedRate());
        m.put("bytes", bytes);
        m.put("megabytesPerSecond", megabytesPerSecond());
        m.put("errors", errors);
        m.put("timeouts", timeouts);
        m.put("lateReplies", lateReplies);
        m.put("mismatches", mismatches);
        if (loss != null)
        {
            final Map<String, Object> l = new LinkedHashMap<>();
            l.put("sent", loss.sent());
            l.put("received", loss.received());
            l.put("lost", loss.lost());
            l.put("lossPercent", loss.lossFraction() * 100);
            l.put("duplicates", loss.duplicates());
            l.put("reordered", loss.reordered());
            l.put("tooLate", loss.tooLate());
            l.put("offeredRate", achievedRate());
            l.put("deliveredRate", deliveredRate());
            m.put("loss", l);
        }
        final Map<String, Object> d = new LinkedHashMap<>();
        distributions.forEach((name, summary) -> d.put(name, summary.toMap()));
        m.put("latency", d);
        m.put("errorMessages", errorMessages);
        return m;
    }

    /**
     * The report for a person to read.
     *
     * @return lines ending in a newline.
     */
    public String toText()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("portgate bench ").append(mode.cliName()).append(" -> ").append(target);
        if (sink != null)
        {
            sb.append(" (sink ").append(sink).append(')');
        }
        sb.append('\n');
        sb.append("  ").append(setup()).append('\n');
        if (requestedRate > 0 && mode != BenchMode.UDP_ONEWAY)
        {
            sb.append("  ").append(mode == BenchMode.CONNECT ? "handshake" : "latency")
                .append(" measured from each send's intended time (corrected for coordinated omission)\n");
        }
        if (mode == BenchMode.CONNECT)
        {
            sb.append("  handshake: connect start to first reply byte; connect: the TCP connect alone\n");
        }
        else if (mode == BenchMode.UDP_ONEWAY)
        {
            sb.append("  one-way: intended send time to first arrival at the sink, on this host's clock\n");
        }
        sb.append('\n');
        final String secs = Formats.seconds(measuredNanos);
        if (mode == BenchMode.BULK)
        {
            line(sb, "bytes", String.format(Locale.ROOT, "%s in %s = %.1f MB/s (%.2f Gbit/s)",
                Formats.megabytes(bytes), secs, megabytesPerSecond(), megabytesPerSecond() * 8 / 1000));
        }
        else if (loss != null)
        {
            line(sb, "sent", loss.sent() + " in " + secs + " = " + Formats.rate(achievedRate()) + "/s offered" +
                " (requested " + requestedRate + "/s)");
            line(sb, "received", loss.received() + " = " + Formats.rate(deliveredRate()) + "/s delivered");
            line(sb, "lost", loss.lost() + " (" + Formats.percent(loss.lossFraction()) + ")");
            line(sb, "duplicates", loss.duplicates() + ", reordered " + loss.reordered() +
                (loss.tooLate() > 0 ? ", too late to classify " + loss.tooLate() : ""));
        }
        else
        {
            line(sb, mode.operations(), operations + " in " + secs + " = " + Formats.rate(achievedRate()) + "/s" +
                (requestedRate > 0 ? " (requested " + requestedRate + "/s)" : ""));
        }
        line(sb, "errors", errors + (timeouts > 0 ? ", timeouts " + timeouts : "") +
            (lateReplies > 0 ? ", late replies " + lateReplies : "") +
            (mismatches > 0 ? ", mismatched replies " + mismatches : ""));
        for (final String message : errorMessages)
        {
            sb.append("    ").append(message).append('\n');
        }
        if (!distributions.isEmpty())
        {
            sb.append('\n');
            sb.append(String.format(Locale.ROOT, "  %-10s %9s %9s %9s %9s %9s %9s %10s%n", "", "p50", "p90", "p99",
                "p99.9", "max", "mean", "count"));
            distributions.forEach((name, s) -> sb.append(s.count() == 0 ?
                String.format(Locale.ROOT, "  %-10s %9s%n", name, "none") : String.format(Locale.ROOT,
                "  %-10s %9s %9s %9s %9s %9s %9s %10d%n", name, Formats.nanos(s.p50()), Formats.nanos(s.p90()),
                Formats.nanos(s.p99()), Formats.nanos(s.p999()), Formats.nanos(s.max()), Formats.nanos(s.mean()),
                s.count())));
        }
        return sb.toString();
    }

    private String setup()
    {
        final String what = switch (mode)
        {
            case RR -> connections + (connections == 1 ? " connection" : " connections") + ", " + size +
                "-byte messages";
            case CONNECT -> connections + (connections == 1 ? " client" : " concurrent clients") + ", " + size +
                "-byte exchange per connection";
            case UDP_RR, UDP_ONEWAY -> connections + (connections == 1 ? " flow" : " flows") + ", " + size +
                "-byte datagrams";
            case BULK -> connections + (connections == 1 ? " stream" : " streams") + ", " + size + "-byte writes";
        };
        final String pace = mode == BenchMode.BULK ? "" : requestedRate > 0 ?
            ", constant " + requestedRate + "/s" : ", closed loop (as fast as replies come)";
        final String threading = threads > 1 ? " over " + threads + " threads" : "";
        return what + pace + threading + "; " + io.portgate.config.Units.formatDuration(duration) + " measured after " +
            io.portgate.config.Units.formatDuration(warmup) + " warm-up";
    }

    private static void line(final StringBuilder sb, final String label, final String value)
    {
        sb.append(String.format(Locale.ROOT, "  %-12s %s%n", label, value));
    }
}
