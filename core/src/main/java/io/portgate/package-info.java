/**
 * The embeddable balancer, a thin facade as Aeron's {@code MediaDriver}: {@link io.portgate.PortgateContext} holds the
 * configuration and what may be injected (registered policies and probes, an event listener, clocks, fast-path
 * choices, an error handler, sizes) and is concluded once before a socket opens;
 * {@link io.portgate.Portgate#start(io.portgate.PortgateContext)} starts the forwarder threads and the control thread
 * and hands out views: {@link io.portgate.Portgate#stats()}, {@link io.portgate.Portgate#targets()},
 * {@link io.portgate.Portgate#connectLatency(String)} ({@link io.portgate.LatencySnapshot}),
 * {@link io.portgate.Portgate#jvmFlags()} ({@link io.portgate.JvmFlags}).
 * {@link io.portgate.Portgate#reload(io.portgate.config.PortgateConfig)} validates, keeps what needs a restart and
 * hands the rest to the control thread; {@link io.portgate.Portgate#close()} drains and stops.
 *
 * <p>This package, {@link io.portgate.config} and {@link io.portgate.spi} are the library's API, the packages the
 * module {@code io.portgate.core} exports; they change only as semantic versioning allows. Every other package is
 * internal.
 */
package io.portgate;
