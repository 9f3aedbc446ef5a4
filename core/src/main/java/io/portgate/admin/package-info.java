/**
 * The admin endpoint: {@code /metrics} in the Prometheus text format and a small JSON API to see listeners, pools and
 * targets and to drain, undrain or re-weight a target. Built on the JDK's own HTTP server; it runs on control-plane
 * threads and touches the data plane only through the conductor. It listens only where the configuration's
 * {@code admin:} says (loopback by default), and refuses mutating calls that come from elsewhere without the token.
 */
package io.portgate.admin;
