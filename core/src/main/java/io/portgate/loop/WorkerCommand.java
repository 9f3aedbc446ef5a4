package io.portgate.loop;

/**
 * Something the control plane asks a {@link Worker} to do on its thread: each kind is a record of its own (see
 * {@code io.portgate.conductor.WorkerProxy}), so what is on its way to a worker can be read as data.
 */
@FunctionalInterface
public interface WorkerCommand
{
    /** Does it; runs on the worker's thread. */
    void execute();
}
