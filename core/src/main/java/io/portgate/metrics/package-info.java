/**
 * Metrics: counters off-heap in an Agrona {@link org.agrona.concurrent.status.CountersManager}, in a memory-mapped
 * file that another process ({@code portgate stat}) reads live without touching the data path.
 *
 * <p>Each forwarder owns its own counters (single writer: an increment is a plain add and a release store, no lock,
 * no allocation); readers sum the workers. {@link io.portgate.metrics.PrometheusText} renders the sums in the
 * Prometheus text format.
 */
package io.portgate.metrics;
