package io.portgate.config;

/**
 * A place in a configuration file, 1-based, or {@link #NONE} for configuration built in code.
 *
 * @param line   1-based line, 0 when unknown.
 * @param column 1-based column, 0 when unknown.
 */
public record Position(int line, int column)
{
    /** The position of something that was not read from a file. */
    public static final Position NONE = new Position(0, 0);

    /**
     * Whether this position points into a file.
     *
     * @return true when line and column are known.
     */
    public boolean isKnown()
    {
        return line > 0;
    }
}
