/**
 * Health: whether targets answer on their internal port and their health port.
 *
 * <p>{@link io.portgate.health.HealthChecker} probes targets continuously on an agent of its own and decides which
 * are up (rise, fall, jitter, passive failures, draining); {@link io.portgate.health.NioProbeTransport} carries its
 * probes. {@link io.portgate.health.DirectCheck} makes one-off blocking requests, as {@code portgate check --live}
 * does.
 */
package io.portgate.health;
