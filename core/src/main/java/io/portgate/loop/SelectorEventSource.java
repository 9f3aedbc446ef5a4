package io.portgate.loop;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * Readiness from an NIO {@link Selector}: epoll on Linux, level-triggered, so a ready channel left unread is reported
 * again. Ready keys are taken with {@code selectNow(Consumer)} and a reused consumer, not the selected-key set, so
 * nothing is allocated per ready key.
 */
public final class SelectorEventSource implements EventSource
{
    private final Selector selector;
    private final Consumer<SelectionKey> dispatch;

    /**
     * Opens a selector.
     *
     * @param dispatch handles a ready key; runs on the polling thread.
     * @throws IOException when no selector can be opened.
     */
    public SelectorEventSource(final Consumer<SelectionKey> dispatch) throws IOException
    {
        this.selector = Selector.open();
        this.dispatch = dispatch;
    }

    @Override
    public SelectionKey register(final SelectableChannel channel, final int ops, final IoHandler handler)
        throws IOException
    {
        // Registering a registered channel again keeps its key and swaps the attachment.
        return channel.register(selector, ops, handler);
    }

    @Override
    public int dispatchReady() throws IOException
    {
        return selector.selectNow(dispatch);
    }

    @Override
    public int await(final long timeoutMs) throws IOException
    {
        return selector.select(dispatch, timeoutMs);
    }

    @Override
    public void wakeup()
    {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException
    {
        selector.close();
    }
}
