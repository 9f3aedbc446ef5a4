/**
 * Extension points of the balancer, each registered by name in {@link io.portgate.spi.Extensions} and selected by
 * the configuration: a {@link io.portgate.spi.BalancingPolicy} (a pool's {@code balance:}), a
 * {@link io.portgate.spi.HealthProbe} (a pool's {@code health: {protocol: ...}}); and the
 * {@link io.portgate.spi.EventListener} that hears of {@link io.portgate.spi.PortgateEvent events}: targets going
 * up, down or draining, reloads applied or rejected, listeners bound and closed. {@link io.portgate.spi.AllocationCheck}
 * checks a policy's picks for the allocation-free contract.
 */
package io.portgate.spi;
