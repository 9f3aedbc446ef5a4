package io.portgate.config;

/**
 * One finding about a configuration: what is wrong, where, and how to fix it.
 *
 * @param severity how serious it is.
 * @param source   the file it came from, or a label such as {@code <code>} for configuration built in code.
 * @param position line and column in that file.
 * @param message  what is wrong.
 * @param hint     how to fix it, or null.
 */
public record Diagnostic(Severity severity, String source, Position position, String message, String hint)
{
    /**
     * The compiler-style form: {@code file:line:column: error: message (hint)}.
     *
     * @return one line an operator can click on in an editor.
     */
    public String format()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(source);
        if (position.isKnown())
        {
            sb.append(':').append(position.line()).append(':').append(position.column());
        }
        sb.append(": ").append(severity.label()).append(": ").append(message);
        if (hint != null && !hint.isEmpty())
        {
            sb.append("; ").append(hint);
        }
        return sb.toString();
    }

    @Override
    public String toString()
    {
        return format();
    }
}
