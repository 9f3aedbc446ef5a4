package io.portgate.spi;

/**
 * A health probe: given a target and a deadline, it finds out whether the target is healthy and reports success or
 * failure with a reason, without blocking its caller.
 *
 * <p>A probe is registered under a name with {@link Extensions.Builder#probe(String, HealthProbe)}, and a pool
 * selects it with {@code health: {protocol: NAME}} in a configuration file or
 * {@link io.portgate.config.HealthConfig.Builder#probe(String)} in code. The pool's {@code interval}, {@code timeout},
 * {@code rise} and {@code fall} apply as to the built-in probes.
 *
 * <p>The contract: {@link #probe} is called on the balancer's control thread and must return at once (start the
 * work elsewhere: an executor, an asynchronous client, a selector of its own); it reports through its callback
 * exactly once, from any thread, now or later. A probe that has not reported by {@link ProbeRequest#timeout()} counts
 * as {@link ProbeResult#TIMEOUT}, and what it reports afterwards is ignored; so is a second report. A probe that
 * throws counts as {@link ProbeResult#ERROR}.
 */
@FunctionalInterface
public interface HealthProbe
{
    /**
     * Starts one probe of one target.
     *
     * @param request  what to probe and by when.
     * @param callback told once how it ended; safe to call from any thread.
     */
    void probe(ProbeRequest request, ProbeCallback callback);
}
