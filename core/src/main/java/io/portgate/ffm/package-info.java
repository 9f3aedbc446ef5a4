/**
 * The Panama (FFM) layer: downcalls into the C library for the fast paths plain NIO lacks, kept in this one
 * package. One class per native library ({@link io.portgate.ffm.LibC}), one {@code static final MethodHandle} per
 * function, errno captured into a segment each calling thread makes once (the datagram hot path also has calls that
 * keep no errno, see {@link io.portgate.ffm.LibC}). Each feature is probed once by a
 * {@link io.portgate.ffm.FeatureProbe} that does the real thing and keeps why it failed as a {@code Throwable}
 * ({@link io.portgate.ffm.Splice#probe()}, {@link io.portgate.ffm.UdpBatching#probe()},
 * {@link io.portgate.ffm.UdpGso#probe()}, {@link io.portgate.ffm.NativeFd}), and
 * {@link io.portgate.ffm.FeatureProbe#resolve} turns a {@code fast-paths} setting (on, auto, off) into a decision the
 * same way for all. Every user of a fast path has a plain-NIO fallback. {@link io.portgate.ffm.DatagramBatch} lays out
 * the {@code mmsghdr} arrays of batched UDP; {@link io.portgate.ffm.SocketDrops} reads a socket's kernel drop count
 * ({@code SO_MEMINFO}), asks for it on every datagram ({@code SO_RXQ_OVFL}) and forces a receive buffer past
 * {@code net.core.rmem_max} ({@code SO_RCVBUFFORCE}).
 */
package io.portgate.ffm;
