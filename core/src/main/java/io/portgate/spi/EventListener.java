package io.portgate.spi;

/**
 * Hears of a balancer's {@link PortgateEvent events}; set with {@code PortgateContext.events(EventListener)}.
 *
 * <p>Called on one thread of the balancer's own ({@code portgate-events}), never on a forwarder or the control
 * thread, one event at a time in the order they happened. A slow listener delays only later events; one that throws
 * is logged and still hears the next event. Events that find the queue full (more than
 * {@code PortgateContext.EVENT_QUEUE_CAPACITY} waiting) are dropped and logged.
 */
@FunctionalInterface
public interface EventListener
{
    /**
     * An event happened.
     *
     * @param event the event.
     */
    void onEvent(PortgateEvent event);
}
