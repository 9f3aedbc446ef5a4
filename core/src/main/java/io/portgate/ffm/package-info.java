/**
 * The Panama (FFM) layer: downcalls into the C library for the fast paths plain NIO lacks, kept in this one
 * package. One class per native library ({@link io.portgate.ffm.LibC}), one {@code static final MethodHandle} per
 * function, errno captured into a segment each calling thread makes once. Each feature is probed once
 * ({@link io.portgate.ffm.Splice#isAvailable()}, {@link io.portgate.ffm.Splice#unavailabilityCause()}) and every
 * user of it has a plain-NIO fallback and a configuration switch to turn it off.
 */
package io.portgate.ffm;
