/**
 * The Panama (FFM) layer: downcalls into the C library for the fast paths plain NIO lacks, kept in this one
 * package. One class per native library ({@link io.portgate.ffm.LibC}), one {@code static final MethodHandle} per
 * function, errno captured into a segment each calling thread makes once (the datagram hot path also has calls that
 * keep no errno, see {@link io.portgate.ffm.LibC}). Each feature is probed once
 * ({@link io.portgate.ffm.Splice#isAvailable()}, {@link io.portgate.ffm.UdpBatching#isAvailable()},
 * {@link io.portgate.ffm.UdpGso#isAvailable()}, each with its {@code unavailabilityCause()}) and every user of it has
 * a plain-NIO fallback and a configuration switch to turn it off. {@link io.portgate.ffm.DatagramBatch} lays out the
 * {@code mmsghdr} arrays of batched UDP.
 */
package io.portgate.ffm;
