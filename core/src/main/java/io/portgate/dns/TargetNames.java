package io.portgate.dns;

import io.portgate.config.Diagnostic;
import io.portgate.config.Endpoint;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Quote;
import io.portgate.config.Severity;
import io.portgate.config.TargetConfig;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The host names of a configuration's targets, looked up once through its {@code resolvers:} (or the system
 * resolver): when the configuration is loaded, so that {@code check} reports a name that does not resolve and the
 * balancer starts with an address for every named target, and by {@code check --live}, which shows the records.
 *
 * <p>Every distinct name is asked once, all at once, and the whole lookup takes at most the resolver's timeout. A
 * name that does not resolve is a warning, not an error: DNS may be down while the file is fine.
 */
public final class TargetNames
{
    private TargetNames()
    {
    }

    /**
     * What looking a configuration's names up produced.
     *
     * @param config      the configuration, each named target given the first address its name resolved to (in
     *                    {@link AddressRecord#ADDRESS_ORDER}, so IPv4 first); a name that did not resolve leaves its
     *                    targets without an address.
     * @param diagnostics a warning for each target whose name did not resolve, a note for each that resolved to more
     *                    than one address.
     * @param resolutions what each name resolved to, by {@link #key(String)}.
     */
    public record Lookup(PortgateConfig config, List<Diagnostic> diagnostics, Map<String, Resolution> resolutions)
    {
    }

    /**
     * The key a name is known by: names are case-insensitive, and a trailing dot changes nothing.
     *
     * @param name a host name.
     * @return it in lower case, without a trailing dot.
     */
    public static String key(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /**
     * The distinct host names of a configuration's targets.
     *
     * @param config the configuration.
     * @return the names as first written, in file order, each once.
     */
    public static List<String> names(final PortgateConfig config)
    {
        final Map<String, String> names = new LinkedHashMap<>();
        for (final PoolConfig pool : config.pools().values())
        {
            for (final TargetConfig target : pool.targets())
            {
                if (target.isNamed())
                {
                    names.putIfAbsent(key(target.name()), target.name());
                }
            }
        }
        return List.copyOf(names.values());
    }

    /**
     * Looks every name up at once and waits for all of them: at most the resolver's timeout.
     *
     * @param names    the names.
     * @param resolver who to ask.
     * @return each name's resolution by {@link #key(String)}, in the order given.
     */
    public static Map<String, Resolution> resolveAll(final List<String> names, final HostResolver resolver)
    {
        final Map<String, CompletableFuture<Resolution>> pending = new LinkedHashMap<>();
        for (final String name : names)
        {
            pending.putIfAbsent(key(name), resolver.resolve(name));
        }
        final Map<String, Resolution> resolved = new LinkedHashMap<>();
        pending.forEach((key, future) -> resolved.put(key, future.join()));
        return resolved;
    }

    /**
     * Looks up the names of a configuration as it is loaded, through its resolvers.
     *
     * @param config  a parsed configuration.
     * @param timeout how long the lookups may take.
     * @return the configuration with addresses, and the findings.
     */
    public static Lookup resolve(final PortgateConfig config, final Duration timeout)
    {
        final List<String> names = names(config);
        if (names.isEmpty())
        {
            final List<Diagnostic> notes = config.resolvers().isEmpty() ? List.of() : List.of(new Diagnostic(
                Severity.NOTE, config.source(), config.resolversPosition(), "resolvers: is set but no target is " +
                "written as a host name, so no name is looked up", null));
            return new Lookup(config, notes, Map.of());
        }
        final HostResolver resolver = HostResolver.of(config.resolvers(), timeout);
        final Map<String, Resolution> resolutions = resolveAll(names, resolver);
        final List<Diagnostic> diagnostics = new ArrayList<>();
        final List<PoolConfig> pools = new ArrayList<>();
        for (final PoolConfig pool : config.pools().values())
        {
            if (!pool.hasNamedTargets())
            {
                continue;
            }
            final List<TargetConfig> targets = new ArrayList<>(pool.targets().size());
            for (final TargetConfig target : pool.targets())
            {
                if (!target.isNamed())
                {
                    targets.add(target);
                    continue;
                }
                final Resolution r = resolutions.get(key(target.name()));
                final String what = "pool " + Quote.of(pool.name()) + " target " + Quote.of(target.label(pool)) +
                    ": host name " + Quote.of(target.name());
                if (!r.isResolved())
                {
                    diagnostics.add(new Diagnostic(Severity.WARNING, config.source(), target.position(),
                        what + " does not resolve: " + r.reason(), "check the name, resolvers: and the DNS " +
                        "servers; portgate run starts without this target and adds it once its name resolves"));
                    targets.add(target);
                    continue;
                }
                final InetAddress first = r.addresses().getFirst();
                if (r.records().size() > 1)
                {
                    diagnostics.add(new Diagnostic(Severity.NOTE, config.source(), target.position(),
                        what + " resolves to " + r.records().size() + " addresses (" + literals(r) + "); the " +
                        "balancer forwards this target's traffic to the first, " + Endpoint.literal(first), null));
                }
                targets.add(target.withAddress(first));
            }
            pools.add(pool.withTargets(targets));
        }
        return new Lookup(config.withPools(pools), List.copyOf(diagnostics), resolutions);
    }

    /**
     * The configuration with every address a named target's name resolved to as a target of its own, in
     * {@link AddressRecord#ADDRESS_ORDER}: what {@code check --live} asks directly.
     *
     * @param config      the configuration.
     * @param resolutions what the names resolved to, by {@link #key(String)}.
     * @return a copy; a name that did not resolve keeps its one target without an address.
     */
    public static PortgateConfig expand(final PortgateConfig config, final Map<String, Resolution> resolutions)
    {
        final List<PoolConfig> pools = new ArrayList<>();
        for (final PoolConfig pool : config.pools().values())
        {
            if (!pool.hasNamedTargets())
            {
                continue;
            }
            final List<TargetConfig> targets = new ArrayList<>();
            for (final TargetConfig target : pool.targets())
            {
                final Resolution r = target.isNamed() ? resolutions.get(key(target.name())) : null;
                if (r == null || !r.isResolved())
                {
                    targets.add(target);
                    continue;
                }
                r.addresses().forEach(a -> targets.add(target.withAddress(a)));
            }
            pools.add(pool.withTargets(targets));
        }
        return config.withPools(pools);
    }

    private static String literals(final Resolution r)
    {
        return String.join(", ", r.addresses().stream().map(Endpoint::literal).toList());
    }
}
