package io.portgate;

import io.portgate.config.Diagnostic;

import java.util.List;

/**
 * What a reload applied.
 *
 * @param generation      how many reloads have been applied since start, this one included.
 * @param changes         what changed, one entry per change as {@link io.portgate.config.ConfigDiff} words it;
 *                        empty when the new configuration equals the running one.
 * @param restartRequired settings that changed but only take effect at the next start (for example
 *                        {@code workers}), one entry each; the running value stays.
 * @param warnings        what {@code portgate check} would warn about in the new configuration; it was applied anyway.
 */
public record ReloadResult(int generation, List<String> changes, List<String> restartRequired,
    List<Diagnostic> warnings)
{
    /**
     * Copies the lists.
     */
    public ReloadResult
    {
        changes = List.copyOf(changes);
        restartRequired = List.copyOf(restartRequired);
        warnings = List.copyOf(warnings);
    }

    /**
     * A result without warnings.
     *
     * @param generation      how many reloads have been applied since start, this one included.
     * @param changes         what changed.
     * @param restartRequired settings that need a restart.
     */
    public ReloadResult(final int generation, final List<String> changes, final List<String> restartRequired)
    {
        this(generation, changes, restartRequired, List.of());
    }

    /**
     * The reload as one log line, {@code key=value} fields first so that it greps well.
     *
     * @return e.g. {@code reload=3 result=applied changes=2: pool web: +target 127.0.0.1:9003; ...}.
     */
    public String logLine()
    {
        final StringBuilder line = new StringBuilder()
            .append("reload=").append(generation)
            .append(" result=applied changes=").append(changes.size());
        if (!restartRequired.isEmpty())
        {
            line.append(" restart-required=").append(restartRequired.size());
        }
        line.append(": ").append(changes.isEmpty() ? "no change" : String.join("; ", changes));
        if (!restartRequired.isEmpty())
        {
            line.append(" (needs a restart: ").append(String.join("; ", restartRequired)).append(')');
        }
        return line.toString();
    }
}
