package io.portgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The {@code portgate} command. */
@Command(
    name = "portgate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "TCP and UDP layer-4 load balancer.",
    subcommands = {RunCommand.class, DemoCommand.class, CheckCommand.class, PortsCommand.class, StatCommand.class,
        BenchCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success", "1:only warnings (check), or a target did not answer (check --live)",
        "2:errors in the configuration or the command line"})
public final class Main implements Runnable
{
    /** Exit status for a clean result. */
    public static final int OK = 0;
    /** Exit status when there are warnings but no errors. */
    public static final int WARNINGS = 1;
    /** Exit status for errors. */
    public static final int ERRORS = 2;

    static
    {
        // One line per log record, "LEVEL: message", unless the operator configured java.util.logging otherwise.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "portgate: %4$s: %5$s%6$s%n");
        }
    }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line.
     *
     * @param args arguments.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Runs the command line and returns its exit status, for tests and embedding.
     *
     * @param args arguments.
     * @return the exit status.
     */
    public static int execute(final String... args)
    {
        return commandLine().execute(args);
    }

    /**
     * The configured picocli command line.
     *
     * @return the command line.
     */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExitCodeExceptionMapper(ex -> ERRORS);
        cl.setParameterExceptionHandler((ex, args) ->
        {
            final CommandLine command = ex.getCommandLine();
            command.getErr().println("portgate: " + ex.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, command.getErr()))
            {
                command.getErr().println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
            }
            return ERRORS;
        });
        return cl;
    }

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion() throws IOException
        {
            final Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/portgate-version.properties"))
            {
                if (in != null)
                {
                    p.load(in);
                }
            }
            return new String[] {
                "portgate " + p.getProperty("version", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
