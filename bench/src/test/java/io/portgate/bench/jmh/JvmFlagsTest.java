package io.portgate.bench.jmh;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class JvmFlagsTest
{
    @Test
    void forkFlagsAreTheParentPomFlags()
    {
        // bench/pom.xml hands the parent POM's portgate.jvm.flags to the test JVM as a system property.
        final String pomFlags = System.getProperty("portgate.jvm.flags");
        assertNotNull(pomFlags, "surefire should pass portgate.jvm.flags (see bench/pom.xml)");
        assertEquals(List.of(pomFlags.trim().split("\\s+")), List.of(JvmFlags.runtime()),
            "JvmFlags must list exactly the parent POM's portgate.jvm.flags, in order");
    }
}
