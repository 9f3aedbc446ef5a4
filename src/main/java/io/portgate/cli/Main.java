package io.portgate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/** The {@code portgate} command. */
@Command(
    name = "portgate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "TCP and UDP layer-4 load balancer.",
    subcommands = {RunCommand.class, DemoCommand.class, CheckCommand.class, PortsCommand.class, StatCommand.class,
        BenchCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success", "1:only warnings (check), a target did not answer (check --live), a byte came back wrong (demo)",
        "2:errors in the configuration or the command line, a listener that cannot bind, or an unexpected failure " +
            "(reported in one line)",
        "3:the launcher failed: ./portgate found no JDK 22+ or could not build portgate; the runtime image's " +
            "bin/portgate found its java or jar missing or was built for another machine"})
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
        Thread.setDefaultUncaughtExceptionHandler((thread, ex) ->
            System.err.println("portgate: internal error on thread " + thread.getName() + ": " + describe(ex)));
        final int status = executeSafely(commandLine(), new PrintWriter(System.err, true), args);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /**
     * Runs a command line so that whatever happens inside, the exit status means what the README says: a failure no
     * command expected is one line on {@code err} and status 2, never the JVM's stack trace and its status 1 (which a
     * script would read as "warnings only").
     *
     * @param cl   the command line.
     * @param err  where the line goes when picocli itself cannot report it.
     * @param args the arguments.
     * @return the exit status.
     */
    static int executeSafely(final CommandLine cl, final PrintWriter err, final String... args)
    {
        try
        {
            return cl.execute(args);
        }
        catch (final Throwable ex)
        {
            // picocli reports Exceptions through the handler below and hands on the rest (a StackOverflowError, an
            // OutOfMemoryError).
            err.println("portgate: internal error: " + describe(ex));
            err.flush();
            return ERRORS;
        }
    }

    /**
     * One line for an unexpected failure: what it is and where it came from, and the way to see all of it.
     *
     * @param ex the failure.
     * @return the line, without a prefix.
     */
    static String describe(final Throwable ex)
    {
        if (TRACE)
        {
            ex.printStackTrace();
        }
        final StackTraceElement[] trace = ex.getStackTrace();
        String message = ex.getMessage() == null ? "" : ex.getMessage().strip();
        final int newline = message.indexOf('\n');
        if (newline >= 0)
        {
            message = message.substring(0, newline) + " ...";
        }
        if (message.length() > 200)
        {
            message = message.substring(0, 200) + "...";
        }
        return ex.getClass().getName() + (message.isEmpty() ? "" : ": " + message) +
            (trace.length > 0 ? " (at " + trace[0] + ")" : "") +
            (TRACE ? "" : "; this is a bug in portgate: please report it, with the trace PORTGATE_TRACE=1 prints");
    }

    /** {@code PORTGATE_TRACE=1} in the environment prints the stack trace of an unexpected failure too. */
    private static final boolean TRACE = "1".equals(System.getenv("PORTGATE_TRACE"));

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
        cl.setExecutionExceptionHandler((ex, command, parsed) ->
        {
            command.getErr().println("portgate " + command.getCommandName() + ": internal error: " + describe(ex));
            command.getErr().flush();
            return ERRORS;
        });
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
