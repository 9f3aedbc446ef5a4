package io.portgate.spi;

/**
 * How a {@link HealthProbe} reports the end of one probe: exactly once, from any thread. Only the first report of a
 * probe counts.
 */
public interface ProbeCallback
{
    /**
     * The target answered as it should.
     *
     * @param detail what it answered, for events and logs (e.g. {@code "HTTP 200"}); may be null.
     */
    void succeeded(String detail);

    /**
     * The target did not answer as it should.
     *
     * @param result how: {@link ProbeResult#REFUSED}, {@link ProbeResult#TIMEOUT}, {@link ProbeResult#BAD_REPLY} or
     *               {@link ProbeResult#ERROR} (anything else counts as {@code ERROR}).
     * @param reason why, in words, for events and logs (e.g. {@code "replied 'busy'"}); may be null.
     */
    void failed(ProbeResult result, String reason);
}
