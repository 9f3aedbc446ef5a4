package io.portgate.access;

/**
 * Names listeners and targets for the access log, from the indices an {@link AccessRecord} carries. Provided by the
 * wiring and called on the writer thread only, so an implementation may read a snapshot the control plane
 * publishes; it should return names it already holds (no allocation per record). The generation passed is the
 * record's, so a lookup that keeps the previous configuration's names for a while names records made before a
 * reload as they were.
 */
public interface AccessLogNames
{
    /** Names nothing: the log then shows indices, {@code #0}, {@code #1}. */
    AccessLogNames INDICES = new AccessLogNames()
    {
        @Override
        public CharSequence listener(final int generation, final int listener)
        {
            return null;
        }

        @Override
        public CharSequence target(final int generation, final int listener, final int target)
        {
            return null;
        }
    };

    /**
     * A listener's name.
     *
     * @param generation the record's configuration generation.
     * @param listener   the listener's index.
     * @return its name, or null to print {@code #index}.
     */
    CharSequence listener(int generation, int listener);

    /**
     * A target's name, e.g. its configured {@code host:port}.
     *
     * @param generation the record's configuration generation.
     * @param listener   the listener's index.
     * @param target     the target's index in the listener's pool.
     * @return its name, or null to print {@code #index}.
     */
    CharSequence target(int generation, int listener, int target);
}
