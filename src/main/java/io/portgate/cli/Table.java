package io.portgate.cli;

import java.io.PrintWriter;
import java.util.List;

/** Plain-text and Markdown tables. */
final class Table
{
    private Table()
    {
    }

    /**
     * Prints rows as aligned columns; the first row is the header.
     *
     * @param out  where to print.
     * @param rows the rows.
     */
    static void print(final PrintWriter out, final List<String[]> rows)
    {
        final int[] widths = widths(rows);
        for (final String[] row : rows)
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.length; i++)
            {
                final String cell = row[i] == null ? "" : row[i];
                sb.append(cell);
                if (i < row.length - 1)
                {
                    sb.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /**
     * Prints rows as a GitHub-flavoured Markdown table; the first row is the header.
     *
     * @param out  where to print.
     * @param rows the rows.
     */
    static void printMarkdown(final PrintWriter out, final List<String[]> rows)
    {
        for (int r = 0; r < rows.size(); r++)
        {
            final StringBuilder sb = new StringBuilder("|");
            for (final String cell : rows.get(r))
            {
                sb.append(' ').append(cell == null ? "" : cell.replace("|", "\\|")).append(" |");
            }
            out.println(sb);
            if (r == 0)
            {
                out.println("|" + "---|".repeat(rows.get(0).length));
            }
        }
    }

    private static int[] widths(final List<String[]> rows)
    {
        final int[] widths = new int[rows.get(0).length];
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                widths[i] = Math.max(widths[i], row[i] == null ? 0 : row[i].length());
            }
        }
        return widths;
    }
}
