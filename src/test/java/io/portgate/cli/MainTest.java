package io.portgate.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever a command throws, the exit status is 2 and the report one line; never the JVM's 1 and its trace. */
class MainTest
{
    @Command(name = "explode")
    static final class Explode implements Runnable
    {
        @CommandLine.Option(names = "--error")
        boolean error;

        @Override
        public void run()
        {
            if (error)
            {
                throw new StackOverflowError();
            }
            throw new IllegalStateException("unexpected state\nsecond line");
        }
    }

    private record Outcome(int status, String err)
    {
    }

    private static Outcome run(final String... args)
    {
        final CommandLine cl = Main.commandLine();
        cl.addSubcommand(new Explode());
        final StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        final int status = Main.executeSafely(cl, new PrintWriter(err, true), args);
        return new Outcome(status, err.toString());
    }

    @Test
    void anExceptionIsOneLineAndExit2()
    {
        final Outcome o = run("explode");
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("portgate explode: internal error: java.lang.IllegalStateException: " +
            "unexpected state ..."), o.err());
        assertFalse(o.err().contains("second line"), o.err());
    }

    @Test
    void anErrorPicocliDoesNotCatchIsOneLineAndExit2()
    {
        final Outcome o = run("explode", "--error");
        assertEquals(2, o.status(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("portgate: internal error: java.lang.StackOverflowError"), o.err());
    }

    @Test
    void aBadCommandLineIsExit2()
    {
        final Outcome o = run("check", "--bogus", "x");
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains("Unknown option: '--bogus'"), o.err());
    }
}
