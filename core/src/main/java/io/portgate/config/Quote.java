package io.portgate.config;

/**
 * Puts a value from the file into a message: in quotes, with control characters made visible and a long value cut
 * short, so that one bad value cannot flood a terminal or split a line of output.
 */
public final class Quote
{
    /** Characters of a value shown before it is cut short. */
    public static final int MAX_SHOWN = 60;

    private Quote()
    {
    }

    /**
     * Quotes a value.
     *
     * @param value the value, may be null.
     * @return {@code 'value'}, or {@code 'first 60 characters...' (N characters)} for a longer one.
     */
    public static String of(final String value)
    {
        if (value == null)
        {
            return "nothing";
        }
        final int length = value.length();
        final StringBuilder sb = new StringBuilder(Math.min(length, MAX_SHOWN) + 24).append('\'');
        appendVisible(sb, value, Math.min(length, MAX_SHOWN));
        if (length > MAX_SHOWN)
        {
            sb.append("...' (").append(length).append(" characters)");
            return sb.toString();
        }
        return sb.append('\'').toString();
    }

    /**
     * A name as it may appear in a table or a log line: control characters made visible, the length capped.
     *
     * @param value the value.
     * @return the value without control characters, at most {@link #MAX_SHOWN} characters and a marker.
     */
    public static String visible(final String value)
    {
        final StringBuilder sb = new StringBuilder();
        appendVisible(sb, value, Math.min(value.length(), MAX_SHOWN));
        if (value.length() > MAX_SHOWN)
        {
            sb.append("...");
        }
        return sb.toString();
    }

    /**
     * Whether a text holds a control character (a newline, a tab, an escape...).
     *
     * @param value the text.
     * @return the index of the first one, or -1.
     */
    public static int firstControl(final String value)
    {
        for (int i = 0; i < value.length(); i++)
        {
            if (Character.isISOControl(value.charAt(i)) || isInvisibleSeparator(value.charAt(i)))
            {
                return i;
            }
        }
        return -1;
    }

    private static void appendVisible(final StringBuilder sb, final String value, final int end)
    {
        for (int i = 0; i < end; i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (Character.isISOControl(c) || isInvisibleSeparator(c))
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
    }

    // U+2028 and U+2029 end a line in some terminals and editors, as a newline does.
    private static boolean isInvisibleSeparator(final char c)
    {
        return c == '\u2028' || c == '\u2029';
    }
}
