/**
 * The embeddable balancer, a thin facade as Aeron's {@code MediaDriver}: {@link io.portgate.PortgateContext} holds the
 * configuration and what may be injected (clocks, idle strategies, fast-path choices, probe transport, error handler,
 * sizes) and is concluded once before a socket opens; {@link io.portgate.Portgate#start(io.portgate.PortgateContext)}
 * starts one {@link io.portgate.loop.Worker} per thread and the long-lived {@link io.portgate.conductor.Conductor},
 * and hands out views: {@link io.portgate.Portgate#stats()} (summed by {@code StatsAggregator}),
 * {@link io.portgate.Portgate#targets()}, the admin endpoint's operations ({@code AdminOperations}).
 * {@link io.portgate.Portgate#reload(io.portgate.config.PortgateConfig)} validates, keeps what needs a restart
 * ({@link io.portgate.config.Settings#keepRestartOnly}) and hands the rest to the conductor as a command;
 * {@link io.portgate.Portgate#close()} drains and stops ({@code Shutdown}).
 */
package io.portgate;
