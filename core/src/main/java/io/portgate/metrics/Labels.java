package io.portgate.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A metric's labels ({@code listener}, {@code pool}, {@code target}, {@code reason}), in the Prometheus text form
 * {@code listener="web",target="127.0.0.1:9000"} that is also stored as the counter's label in the file.
 */
public final class Labels
{
    private Labels()
    {
    }

    /**
     * Formats labels, in the order given, escaping values as Prometheus requires.
     *
     * @param keysAndValues alternating names and values; a null value leaves the label out.
     * @return the label text, without braces.
     */
    public static String of(final String... keysAndValues)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2)
        {
            if (keysAndValues[i + 1] == null)
            {
                continue;
            }
            if (!sb.isEmpty())
            {
                sb.append(',');
            }
            sb.append(keysAndValues[i]).append("=\"").append(escape(keysAndValues[i + 1])).append('"');
        }
        return sb.toString();
    }

    /**
     * Parses label text back into a map.
     *
     * @param text as produced by {@link #of}.
     * @return names to values, in order.
     */
    public static Map<String, String> parse(final String text)
    {
        final Map<String, String> labels = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length())
        {
            final int eq = text.indexOf('=', i);
            if (eq < 0 || eq + 1 >= text.length() || text.charAt(eq + 1) != '"')
            {
                break;
            }
            final String name = text.substring(i, eq);
            final StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (j < text.length() && text.charAt(j) != '"')
            {
                char c = text.charAt(j);
                if (c == '\\' && j + 1 < text.length())
                {
                    c = text.charAt(++j);
                    value.append(c == 'n' ? '\n' : c);
                }
                else
                {
                    value.append(c);
                }
                j++;
            }
            labels.put(name, value.toString());
            i = j + 2;
        }
        return Collections.unmodifiableMap(labels);
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
