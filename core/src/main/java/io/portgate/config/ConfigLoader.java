package io.portgate.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and validates a configuration file in one step: what {@code portgate check} and {@code run} do. Targets
 * written as host names are looked up on the way, through the file's {@code resolvers:}
 * ({@link io.portgate.dns.TargetNames}).
 */
public final class ConfigLoader
{
    private ConfigLoader()
    {
    }

    /**
     * What loading produced.
     *
     * @param config      the configuration, or null when it could not be read; usable only without errors.
     * @param diagnostics findings sorted by position.
     */
    public record Result(PortgateConfig config, List<Diagnostic> diagnostics)
    {
        /**
         * Whether any finding is an error.
         *
         * @return true when the configuration must not be used.
         */
        public boolean hasErrors()
        {
            return count(Severity.ERROR) > 0;
        }

        /**
         * Counts findings of one severity.
         *
         * @param severity the severity.
         * @return how many.
         */
        public long count(final Severity severity)
        {
            return diagnostics.stream().filter(d -> d.severity() == severity).count();
        }

        /**
         * The configuration, or an exception listing every error.
         *
         * @return the configuration.
         * @throws ConfigException when there are errors.
         */
        public PortgateConfig orThrow()
        {
            if (hasErrors())
            {
                throw new ConfigException(diagnostics);
            }
            return config;
        }
    }

    /**
     * The largest configuration file read, in bytes: 4 MiB holds over 100,000 targets. A larger file is refused
     * before it is read, so a wrong path (a log, an image) costs nothing.
     */
    public static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

    /**
     * Reads and validates a file.
     *
     * @param file the file.
     * @param host the machine's facts.
     * @return the configuration and findings.
     */
    public static Result load(final Path file, final HostFacts host)
    {
        return load(file, host, io.portgate.spi.Extensions.none());
    }

    /**
     * Reads and validates a file that may select registered balancing policies and health probes by name.
     *
     * @param file       the file.
     * @param host       the machine's facts.
     * @param extensions the policies and probes its {@code balance:} and {@code health.protocol:} may name.
     * @return the configuration and findings.
     */
    public static Result load(final Path file, final HostFacts host, final io.portgate.spi.Extensions extensions)
    {
        final String text;
        try
        {
            final long size = Files.size(file);
            if (size > MAX_FILE_BYTES)
            {
                return tooLarge(file, size);
            }
            final byte[] bytes;
            try (InputStream in = Files.newInputStream(file))
            {
                // Bounded even if the file grows between the size check and the read.
                bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            }
            if (bytes.length > MAX_FILE_BYTES)
            {
                return tooLarge(file, bytes.length);
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        }
        catch (final NoSuchFileException ex)
        {
            return failed(file, "no such file", "check the path; config/portgate.yaml is an example to start from");
        }
        catch (final CharacterCodingException ex)
        {
            return failed(file, "the file is not UTF-8 text", null);
        }
        catch (final IOException ex)
        {
            return failed(file, "cannot read the file: " + ex.getMessage(), null);
        }
        return load(file.toString(), text, host, extensions);
    }

    private static Result tooLarge(final Path file, final long size)
    {
        return failed(file, "the file is " + size + " bytes, more than the limit of " + MAX_FILE_BYTES + " bytes (" +
            Units.formatSize(MAX_FILE_BYTES) + ")", "check that it is the configuration file; a configuration " +
            "that large is not one a person can check");
    }

    /**
     * Parses and validates YAML text.
     *
     * @param source the name used in messages.
     * @param text   the YAML.
     * @param host   the machine's facts.
     * @return the configuration and findings.
     */
    public static Result load(final String source, final String text, final HostFacts host)
    {
        return load(source, text, host, io.portgate.spi.Extensions.none());
    }

    /**
     * Parses and validates YAML text that may select registered balancing policies and health probes by name.
     *
     * @param source     the name used in messages.
     * @param text       the YAML.
     * @param host       the machine's facts.
     * @param extensions the policies and probes its {@code balance:} and {@code health.protocol:} may name.
     * @return the configuration and findings.
     */
    public static Result load(final String source, final String text, final HostFacts host,
        final io.portgate.spi.Extensions extensions)
    {
        final ConfigParser.Result parsed = ConfigParser.parse(source, text, extensions);
        final List<Diagnostic> all = new ArrayList<>(parsed.diagnostics());
        PortgateConfig config = parsed.config();
        if (config != null)
        {
            // Targets named by host name get their address here, through the file's resolvers: (DNS, so not in
            // the parser, and a warning when a name does not resolve: DNS may be down while the file is right).
            final io.portgate.dns.TargetNames.Lookup names = io.portgate.dns.TargetNames.resolve(config,
                io.portgate.dns.HostResolver.DEFAULT_TIMEOUT);
            config = names.config();
            all.addAll(names.diagnostics());
            all.addAll(ConfigValidator.validate(config, host, extensions));
        }
        all.sort(Comparator.comparingInt((Diagnostic d) -> d.position().line())
            .thenComparingInt(d -> d.position().column()));
        return new Result(config, List.copyOf(all));
    }

    private static Result failed(final Path file, final String message, final String hint)
    {
        return new Result(null, List.of(new Diagnostic(Severity.ERROR, file.toString(), Position.NONE, message, hint)));
    }
}
