/**
 * Metrics: counters off-heap in an Agrona {@link org.agrona.concurrent.status.CountersManager}, and unexpected errors
 * in an Agrona {@link org.agrona.concurrent.errors.DistinctErrorLog} ({@link io.portgate.metrics.ErrorLog}), both in
 * one memory-mapped file ({@link io.portgate.metrics.MetricsFile}) that another process ({@code portgate stat},
 * {@code portgate stat --errors}) reads live through {@link io.portgate.metrics.MetricsReader} without touching the
 * data path.
 *
 * <p>Each worker owns its counters of each listener, a {@link io.portgate.metrics.RouteCounters} laid out by a table
 * of slots (TCP's and UDP's): single writer, so an increment is a plain add and a release store, no lock, no
 * allocation; readers sum the workers. {@link io.portgate.metrics.PrometheusText} renders the sums in the Prometheus
 * text format.
 */
package io.portgate.metrics;
