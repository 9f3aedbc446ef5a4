/**
 * The embeddable balancer: {@link io.portgate.Portgate#start(io.portgate.config.PortgateConfig)} validates a
 * configuration, binds every listener and starts the forwarder loops; {@link io.portgate.Portgate#stats()} reads
 * the counters; {@link io.portgate.Portgate#close()} drains and stops.
 */
package io.portgate;
