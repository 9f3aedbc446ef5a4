package io.portgate.conductor;

import io.portgate.config.PortgateConfig;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A reload on its way: {@code planned} completes once it is applied on the conductor's side (or fails, changing
 * nothing), {@code applied} once every worker switched.
 *
 * @param config  the configuration to run.
 * @param planned completes with what was applied.
 * @param applied completes when every worker has switched.
 */
public record ReloadRequest(PortgateConfig config, CompletableFuture<Applied> planned,
    CompletableFuture<Void> applied)
{
    private static final System.Logger LOG = System.getLogger("io.portgate");

    /**
     * Waits until the reload is applied on the conductor's side.
     *
     * @param timeoutMs how long at most.
     * @return what was applied.
     * @throws IllegalStateException when it cannot be applied (a listener that cannot bind, say: the message
     *                               says why), or the conductor does not take it in time; nothing changed.
     * @throws io.portgate.config.ConfigException as the plan threw it.
     */
    public Applied awaitPlanned(final long timeoutMs)
    {
        try
        {
            return planned.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            // DEBUG: the caller reports it (portgate run prints one line per reload); embedders log the result.
            LOG.log(System.Logger.Level.DEBUG, "reload result=rejected reason={0}; still running the previous " +
                "configuration", ex.getCause().getMessage());
            if (ex.getCause() instanceof java.io.UncheckedIOException io)
            {
                throw new IllegalStateException(io.getMessage(), io);
            }
            if (ex.getCause() instanceof Error error)
            {
                throw error;
            }
            throw (RuntimeException)ex.getCause();
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("the control plane did not take the reload within " + timeoutMs +
                " ms", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the reload was applied", ex);
        }
    }

    /**
     * A reload applied.
     *
     * @param running what runs now.
     * @param notes   changes that wait for a restart after all (a backlog the native layer could not change).
     */
    public record Applied(Running running, List<String> notes)
    {
    }

    /**
     * Waits a while for something the conductor does to be done, such as an operator's change reaching every
     * worker (so that the next read shows it).
     *
     * @param done      completes when it is done.
     * @param timeoutMs how long at most.
     * @return true when done in time.
     */
    public static boolean await(final CompletableFuture<Void> done, final long timeoutMs)
    {
        try
        {
            done.get(timeoutMs, TimeUnit.MILLISECONDS);
            return true;
        }
        catch (final TimeoutException | ExecutionException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
