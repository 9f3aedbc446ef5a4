package io.portgate.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code portgate completion}: the script it prints is valid bash, and bash (and zsh, where installed) complete
 * commands, options and values of this build with it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompletionCommandTest
{
    @TempDir
    Path dir;

    /** A finished shell. */
    record Ran(int status, String out, String err)
    {
    }

    @Test
    void theScriptIsValidBash() throws Exception
    {
        final Ran ran = shell("bash", "-n", script("bash").toString());
        assertEquals(0, ran.status(), ran.err());
        assertEquals("", ran.err());
    }

    @Test
    void bashCompletesACommandFromItsFirstLetters() throws Exception
    {
        assertEquals(List.of("check"), bashCompletes(script("bash"), "portgate", "ch"));
        assertEquals(List.of("stat"), bashCompletes(script("bash"), "portgate", "sta"));
    }

    @Test
    void bashCompletesEveryCommandOfThisBuild() throws Exception
    {
        final List<String> commands = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
        final List<String> offered = bashCompletes(script("bash"), "portgate", "");
        assertEquals(commands.stream().sorted().toList(), offered.stream().sorted().toList());
    }

    @Test
    void bashCompletesOptionsAndValuesOfASubcommand() throws Exception
    {
        assertEquals(List.of("--format"), bashCompletes(script("bash"), "portgate", "check", "--f"));
        assertEquals(List.of("bash", "zsh"), bashCompletes(script("bash"), "portgate", "completion", ""));
    }

    @Test
    void zshRegistersTheCompletionAndOffersCheckForCh() throws Exception
    {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(Path.of("/bin/zsh")),
            "zsh is not installed here (Debian: apt-get install zsh)");
        // zsh's bashcompinit runs the bash function through its own compgen, which leaves matching the typed prefix
        // to zsh's compadd: the candidates are every command, and of them "ch" matches check alone.
        final Path script = script("zsh");
        final Ran ran = shell("zsh", "-f", "-c", """
            source %s || exit 9
            print -r -- "registered: ${_comps[portgate]}"
            COMP_WORDS=(portgate ch); COMP_CWORD=1; COMP_LINE='portgate ch'; COMP_POINT=${#COMP_LINE}
            words=(portgate ch); CURRENT=2
            for m in $(compgen -F _complete_portgate -- ch); do [[ $m == ch* ]] && print -r -- "match: $m"; done
            exit 0
            """.formatted(script));
        assertEquals(0, ran.status(), ran.toString());
        assertTrue(ran.out().contains("registered: _bash_complete -F _complete_portgate"), ran.toString());
        assertEquals(List.of("match: check"), ran.out().lines().filter(l -> l.startsWith("match: ")).toList(),
            ran.toString());
    }

    @Test
    void anUnknownShellIsACommandLineError()
    {
        final CliRun run = CliRun.of("completion", "fish");
        assertEquals(2, run.status(), run.all());
        assertTrue(run.err().contains("fish"), run.all());
        assertTrue(run.err().contains("bash, zsh"), run.all());
        assertEquals("", run.out());
    }

    @Test
    void bashIsTheDefaultAndZshGetsTheSameScript()
    {
        final CliRun bash = CliRun.of("completion");
        assertEquals(0, bash.status(), bash.all());
        assertTrue(bash.out().startsWith("#!/usr/bin/env bash\n"), bash.out());
        assertEquals(bash.out(), CliRun.of("completion", "zsh").out());
    }

    /**
     * Sources the script in bash and calls its completion function as bash does on TAB.
     *
     * @param script the script.
     * @param words  the words typed so far; the last one is the word being completed.
     * @return the candidates bash would offer.
     */
    List<String> bashCompletes(final Path script, final String... words) throws Exception
    {
        final StringBuilder array = new StringBuilder();
        for (final String word : words)
        {
            array.append(" '").append(word).append('\'');
        }
        final String line = String.join(" ", words);
        final Ran ran = shell("bash", "-c", """
            source %s || exit 9
            COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE='%s'; COMP_POINT=${#COMP_LINE}
            _complete_portgate 2>/dev/null
            printf '%%s\\n' "${COMPREPLY[@]}"
            """.formatted(script, array, words.length - 1, line));
        assertEquals(0, ran.status(), ran.toString());
        return ran.out().lines().filter(l -> !l.isEmpty()).toList();
    }

    /** What {@code portgate completion SHELL} prints, in a file. */
    private Path script(final String shell) throws IOException
    {
        final CliRun run = CliRun.of("completion", shell);
        assertEquals(0, run.status(), run.all());
        assertEquals("", run.err());
        final Path file = dir.resolve("portgate-completion." + shell);
        Files.writeString(file, run.out());
        return file;
    }

    static Ran shell(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(Arrays.asList(command)).start();
        final StringBuilder err = new StringBuilder();
        final Thread errReader = Thread.ofVirtual().start(() ->
        {
            try (var in = p.getErrorStream())
            {
                err.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            catch (final IOException ignored)
            {
                // the process was killed
            }
        });
        final String out;
        try (var in = p.getInputStream())
        {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the shell did not end");
        errReader.join();
        return new Ran(p.exitValue(), out, err.toString());
    }
}
