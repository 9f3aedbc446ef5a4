package io.portgate.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration with errors was about to be used; the message lists every error. */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The findings, errors first. */
    private final transient List<Diagnostic> diagnostics;

    /**
     * Creates the exception.
     *
     * @param diagnostics the findings.
     */
    public ConfigException(final List<Diagnostic> diagnostics)
    {
        super(diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::format)
            .collect(Collectors.joining("\n")));
        this.diagnostics = List.copyOf(diagnostics);
    }

    /**
     * Every finding.
     *
     * @return the diagnostics.
     */
    public List<Diagnostic> diagnostics()
    {
        return diagnostics;
    }
}
