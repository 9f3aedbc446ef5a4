package io.portgate.loop;

/**
 * A part of the data plane that lives on one {@link Worker}: a transport's listeners and connections on that
 * worker's thread. Every method runs on the worker's thread.
 */
public interface LoopService
{
    /**
     * Registers channels with the worker's selector; called from {@link Worker#onStart()}.
     *
     * @param worker the worker it lives on.
     */
    void open(Worker worker);

    /**
     * Work that is not triggered by a ready key, such as retrying what waited for memory.
     *
     * @param nowNs the loop's clock for this duty cycle.
     * @return how much work was done, 0 when none.
     */
    int doWork(long nowNs);

    /** Stops taking new work (closes listening sockets) while open connections or flows carry on. */
    void stopAccepting();

    /**
     * How many connections or flows are still open.
     *
     * @return the count on this worker.
     */
    int openCount();

    /** Closes everything it holds; called from {@link Worker#onClose()}. */
    void close();
}
