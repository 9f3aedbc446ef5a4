/**
 * Health: whether targets answer on their internal port and their health port.
 *
 * <p>{@link io.portgate.health.HealthChecker} probes targets continuously, on the conductor's thread, and decides which
 * are up (rise, fall, jitter, passive failures, draining); each target's state is a
 * {@link io.portgate.health.HealthChecker.Target} that a reload keeping the target keeps
 * ({@link io.portgate.health.HealthChecker#retarget}). {@link io.portgate.health.NioProbeTransport} carries its probes.
 * {@link io.portgate.health.DirectCheck} makes one-off blocking requests, as {@code portgate check --live} does.
 */
package io.portgate.health;
