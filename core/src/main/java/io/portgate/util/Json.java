package io.portgate.util;

import java.util.Collection;
import java.util.Map;

/**
 * Writes JSON from maps, lists, strings, numbers, booleans and nulls; enough for the command line's and the admin
 * endpoint's output without a JSON library in the core.
 */
public final class Json
{
    private Json()
    {
    }

    /**
     * Serialises a value.
     *
     * @param value a Map with String keys, a Collection, a CharSequence, a Number, a Boolean, an Enum or null.
     * @return compact JSON text.
     */
    public static String write(final Object value)
    {
        final StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /**
     * Serialises a value with two-space indentation.
     *
     * @param value as for {@link #write(Object)}.
     * @return indented JSON text.
     */
    public static String pretty(final Object value)
    {
        final StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0);
        return sb.toString();
    }

    private static void write(final StringBuilder sb, final Object value, final int indent, final int depth)
    {
        if (value == null)
        {
            sb.append("null");
        }
        else if (value instanceof Map<?, ?> map)
        {
            sb.append('{');
            boolean first = true;
            for (final Map.Entry<?, ?> e : map.entrySet())
            {
                if (!first)
                {
                    sb.append(',');
                }
                first = false;
                newline(sb, indent, depth + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(indent >= 0 ? ": " : ":");
                write(sb, e.getValue(), indent, depth + 1);
            }
            if (!map.isEmpty())
            {
                newline(sb, indent, depth);
            }
            sb.append('}');
        }
        else if (value instanceof Collection<?> list)
        {
            sb.append('[');
            boolean first = true;
            for (final Object item : list)
            {
                if (!first)
                {
                    sb.append(',');
                }
                first = false;
                newline(sb, indent, depth + 1);
                write(sb, item, indent, depth + 1);
            }
            if (!list.isEmpty())
            {
                newline(sb, indent, depth);
            }
            sb.append(']');
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            final String text = value.toString();
            sb.append(text.equals("NaN") || text.contains("Infinity") ? "null" : text);
        }
        else
        {
            string(sb, value.toString());
        }
    }

    private static void newline(final StringBuilder sb, final int indent, final int depth)
    {
        if (indent >= 0)
        {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void string(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
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
        sb.append('"');
    }
}
