/**
 * What issue 13's access control (deny lists, per-source limits, the access log) costs the balancer: one build,
 * started alternately with and without them, in one run ({@link io.portgate.bench.access.AccessCost}).
 */
package io.portgate.bench.access;
