/**
 * A load harness that measures any TCP or UDP address: portgate, another balancer, or a bare server.
 *
 * <p>{@link io.portgate.bench.harness.BenchRunner#run(BenchContext)} runs one of the {@link BenchMode}s against a
 * target and returns a {@link io.portgate.bench.harness.BenchReport}. Open-loop runs (a constant rate) measure each
 * latency from the time the request was <em>meant</em> to be sent, as wrk2 does, so a stall of the target shows in
 * every request it delayed rather than in one sample (coordinated omission).
 *
 * <p>{@link io.portgate.bench.harness.BenchServer} starts the peers a run needs: TCP and UDP echo servers, a TCP
 * discard sink and a UDP sink that counts loss, duplicates and reordering exactly from sequence numbers.
 *
 * <p>Latency goes to HdrHistogram, one {@code SingleWriterRecorder} per client thread, swapped once a second by the
 * runner; the measuring loops use preallocated buffers and allocate nothing per message.
 */
package io.portgate.bench.harness;
