package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;

/**
 * The thread, counters and shutdown a {@link BenchServer} shares with the others.
 *
 * <p>Servers block in {@code select} or {@code receive} rather than polling with an idle strategy: they share a
 * small machine with the target and the client, and a backoff's park would add up to its period to the first
 * request after a quiet spell, which the client would measure as the target's latency.
 */
abstract class AbstractBenchServer implements BenchServer
{
    private static final long JOIN_TIMEOUT_MS = 2_000;

    protected final WorkerCounters counters = new WorkerCounters();
    private final Kind kind;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    AbstractBenchServer(final Kind kind)
    {
        this.kind = kind;
        this.thread = Thread.ofPlatform().daemon().name("portgate-bench-" + kind.label().replace(' ', '-'))
            .unstarted(this::runLoop);
    }

    /** Starts the thread; called by subclasses once their socket is bound. */
    protected final void startThread()
    {
        thread.start();
    }

    private void runLoop()
    {
        try
        {
            while (running)
            {
                serve();
            }
        }
        catch (final AsynchronousCloseException | ClosedSelectorException ex)
        {
            // close() closed the socket under a blocked receive or select: the normal way to stop.
        }
        catch (final IOException | RuntimeException ex)
        {
            if (running)
            {
                failure = ex;
            }
        }
        finally
        {
            release();
        }
    }

    /** Handles what is ready, blocking until something is; returns to let the loop check for shutdown. */
    protected abstract void serve() throws IOException;

    /** Unblocks {@link #serve()}; called from the thread that closes the server. */
    protected abstract void wakeUp();

    /** Closes every socket; called on the server's own thread as it ends. */
    protected abstract void release();

    protected final boolean isRunning()
    {
        return running;
    }

    @Override
    public final Kind kind()
    {
        return kind;
    }

    @Override
    public long messages()
    {
        return counters.get(WorkerCounters.OPERATIONS);
    }

    @Override
    public long bytes()
    {
        return counters.get(WorkerCounters.BYTES);
    }

    @Override
    public long connections()
    {
        return counters.get(WorkerCounters.ACCEPTED);
    }

    /**
     * What stopped the server's thread other than {@link #close()}, if anything did.
     *
     * @return the failure or null.
     */
    public Throwable failure()
    {
        return failure;
    }

    @Override
    public void close()
    {
        running = false;
        wakeUp();
        try
        {
            thread.join(JOIN_TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return kind.label() + " on " + Formats.address(localAddress());
    }

    static InetSocketAddress bound(final java.nio.channels.NetworkChannel channel) throws IOException
    {
        return (InetSocketAddress)channel.getLocalAddress();
    }
}
