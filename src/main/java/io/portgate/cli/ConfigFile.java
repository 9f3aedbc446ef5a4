package io.portgate.cli;

import io.portgate.config.ConfigLoader;
import io.portgate.config.Diagnostic;
import io.portgate.config.HostFacts;
import io.portgate.config.Position;
import io.portgate.config.Severity;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Loading a configuration file for a command, and printing what was found. */
final class ConfigFile
{
    private ConfigFile()
    {
    }

    /** The machine's facts; tests replace them to check privileged and ephemeral ports deterministically. */
    static volatile HostFacts hostFacts = HostFacts.system();

    static ConfigLoader.Result load(final Path file)
    {
        return ConfigLoader.load(file, hostFacts);
    }

    static void printDiagnostics(final PrintWriter out, final List<Diagnostic> diagnostics)
    {
        for (final Diagnostic d : diagnostics)
        {
            out.println(d.format());
        }
    }

    static String summary(final ConfigLoader.Result result)
    {
        final long errors = result.count(Severity.ERROR);
        final long warnings = result.count(Severity.WARNING);
        final long notes = result.count(Severity.NOTE);
        return plural(errors, "error") + ", " + plural(warnings, "warning") + ", " + plural(notes, "note");
    }

    static int exitStatus(final ConfigLoader.Result result)
    {
        if (result.hasErrors())
        {
            return Main.ERRORS;
        }
        return result.count(Severity.WARNING) > 0 ? Main.WARNINGS : Main.OK;
    }

    static Map<String, Object> toJson(final Diagnostic d)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("severity", d.severity().label());
        m.put("file", d.source());
        final Position p = d.position();
        m.put("line", p.isKnown() ? p.line() : null);
        m.put("column", p.isKnown() ? p.column() : null);
        m.put("message", d.message());
        m.put("hint", d.hint());
        return m;
    }

    static String plural(final long n, final String word)
    {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
