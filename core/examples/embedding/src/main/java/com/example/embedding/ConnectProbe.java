package com.example.embedding;

import io.portgate.spi.HealthProbe;
import io.portgate.spi.ProbeCallback;
import io.portgate.spi.ProbeRequest;
import io.portgate.spi.ProbeResult;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A health probe of the embedder's own: a blocking TCP connect, made on a thread pool of its own so that the
 * balancer's control thread never waits for it, and reported through the callback.
 */
public final class ConnectProbe implements HealthProbe, AutoCloseable
{
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r ->
    {
        final Thread thread = new Thread(r, "connect-probe");
        thread.setDaemon(true);
        return thread;
    });

    @Override
    public void probe(final ProbeRequest request, final ProbeCallback callback)
    {
        executor.execute(() ->
        {
            try (Socket socket = new Socket())
            {
                socket.connect(request.probeAt(), (int)Math.max(1, request.timeout().toMillis()));
                callback.succeeded("connected to " + request.probeAt());
            }
            catch (final ConnectException ex)
            {
                callback.failed(ProbeResult.REFUSED, "connection refused by " + request.probeAt());
            }
            catch (final SocketTimeoutException ex)
            {
                callback.failed(ProbeResult.TIMEOUT, "no answer from " + request.probeAt());
            }
            catch (final IOException ex)
            {
                callback.failed(ProbeResult.ERROR, String.valueOf(ex.getMessage()));
            }
        });
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
