/**
 * The admin endpoint: {@code /metrics} in the Prometheus text format and a small JSON API to see listeners, pools and
 * targets, to drain, undrain or re-weight a target and to reload. A small HTTP/1.1 server of its own on one NIO
 * selector thread (an Agrona agent) with bounded buffers, per-request deadlines and a connection cap, so that slow or
 * malformed clients cannot starve it; changes run on a second control-plane thread and reach the data plane only
 * through the conductor. It listens only where the configuration's {@code admin:} says (loopback by default), and
 * refuses mutating calls that come from elsewhere without the token.
 */
package io.portgate.admin;
