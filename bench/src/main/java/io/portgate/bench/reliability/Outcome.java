package io.portgate.bench.reliability;

import java.util.List;

/**
 * How a scenario ended.
 *
 * @param passed whether it met its bar.
 * @param figure the measured figure, one line.
 * @param notes  what else it saw, a line each.
 */
record Outcome(boolean passed, String figure, List<String> notes)
{
    static Outcome of(final boolean passed, final String figure, final List<String> notes)
    {
        return new Outcome(passed, figure, List.copyOf(notes));
    }
}
