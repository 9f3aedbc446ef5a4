package io.portgate.api;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The module descriptor the build compiles: module io.portgate.core exports the three API packages and nothing else. */
class ModuleDescriptorTest
{
    @Test
    void theModuleExportsOnlyTheFacadeTheConfigurationAndTheSpi() throws Exception
    {
        // The compiled classes as an exploded module: its packages are those it holds, exported or not.
        final ModuleDescriptor descriptor = ModuleFinder.of(Path.of("target/classes")).findAll().stream()
            .map(ModuleReference::descriptor).filter(d -> d.name().equals("io.portgate.core")).findFirst()
            .orElseThrow(() -> new AssertionError("target/classes holds no module io.portgate.core"));
        assertEquals("io.portgate.core", descriptor.name());
        final Set<String> exported = new TreeSet<>();
        for (final ModuleDescriptor.Exports exports : descriptor.exports())
        {
            assertTrue(!exports.isQualified(), "exported to everyone, not to chosen modules: " + exports);
            exported.add(exports.source());
        }
        assertEquals(new TreeSet<>(ExportedApi.PACKAGES), exported);
        assertTrue(descriptor.opens().isEmpty(), "nothing is opened for reflection: " + descriptor.opens());
        assertTrue(descriptor.packages().containsAll(Set.of("io.portgate.conductor", "io.portgate.loop",
            "io.portgate.balance", "io.portgate.health", "io.portgate.ffm", "io.portgate.metrics")),
            "the internal packages are in the module, not exported: " + descriptor.packages());
    }
}
