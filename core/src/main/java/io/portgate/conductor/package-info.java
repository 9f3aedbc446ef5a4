/**
 * The control plane: the {@link io.portgate.conductor.Conductor} runs the health checker, turns its verdicts (and an
 * operator's drains) into the set of targets each pool may pick from, builds the balancing policies for that set
 * off the data path, and hands them to the forwarders through their command queues. The forwarders never share
 * mutable state with it: they swap in a finished policy between two picks.
 */
package io.portgate.conductor;
