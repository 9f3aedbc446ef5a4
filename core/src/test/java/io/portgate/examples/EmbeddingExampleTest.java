package io.portgate.examples;

import io.portgate.testing.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's embedding example runs, and the README shows exactly its code. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddingExampleTest
{
    @Test
    void theReadmeExampleRuns() throws Exception
    {
        try (EchoServer echo = EchoServer.start())
        {
            assertEquals("hello\n", EmbeddingExample.run(io.portgate.testing.FreePorts.tcp(), echo.port()));
            assertEquals(1, echo.accepted(), "the line went through the balancer to the backend");
        }
    }

    @Test
    void theReadmeShowsThisExampleVerbatim() throws Exception
    {
        final String source = Files.readString(Path.of("src/test/java/io/portgate/examples/EmbeddingExample.java"));
        final String body = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
            source.indexOf("        // README-END"));
        // The example sits in a method body, 8 spaces in; the README shows it from column 1.
        final String unindented = body.lines().map(l -> l.startsWith("        ") ? l.substring(8) : l)
            .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        final String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(unindented), "README.md must contain the example exactly:\n" + unindented);
    }
}
