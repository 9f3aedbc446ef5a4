/**
 * The JMH suite: end-to-end benchmarks with portgate embedded through {@link io.portgate.Portgate#start} in front of
 * in-process backends (TCP round trip and handshake time through portgate against direct, UDP loss at fixed offered
 * rates over the NIO and batched paths) and micro benchmarks of the data path's parts (every balancing policy's pick,
 * the Maglev table build, NIO copy against splice(2)).
 *
 * <p>JMH settings are class annotations; every fork carries the runtime's JVM flags from {@link JvmFlags}, which a
 * test keeps equal to the parent POM's {@code portgate.jvm.flags}. End-to-end benchmarks compare paths measured in
 * the same run (ratios), never absolute times: the machines are small and shared. {@code bench/run-jmh.sh} runs the
 * suite within 15 minutes on two cores.
 */
package io.portgate.bench.jmh;
