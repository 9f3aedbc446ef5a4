package io.portgate.spi;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.HealthProtocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The balancing policies and health probes an embedder registers by name, for configurations to select: a pool's
 * {@code balance: NAME} and {@code health: {protocol: NAME}}. Give them to the configuration loader
 * ({@code ConfigLoader.load(path, facts, extensions)}) so that a file naming them validates, and to the context
 * ({@code PortgateContext.extensions(extensions)}) so that the balancer runs them. Immutable.
 *
 * <pre>{@code
 * Extensions extensions = Extensions.builder()
 *     .policy("first-up", (targets, load, seed) -> hash -> targets.count() == 0 ? Picker.NO_TARGET : targets.id(0))
 *     .probe("always-up", (request, callback) -> callback.succeeded(null))
 *     .build();
 * }</pre>
 */
public final class Extensions
{
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Extensions NONE = new Extensions(Map.of(), Map.of());

    private final Map<String, BalancingPolicy> policies;
    private final Map<String, HealthProbe> probes;

    private Extensions(final Map<String, BalancingPolicy> policies, final Map<String, HealthProbe> probes)
    {
        this.policies = policies;
        this.probes = probes;
    }

    /**
     * No extension: the built-in policies and probes only.
     *
     * @return no extension: the built-in policies and probes only.
     */
    public static Extensions none()
    {
        return NONE;
    }

    /**
     * A builder with nothing registered.
     *
     * @return a builder with nothing registered.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * A policy by the name a configuration selects it with: a registered one, or a built-in.
     *
     * @param name the name.
     * @return the policy, or null when there is none of that name.
     */
    public BalancingPolicy policy(final String name)
    {
        final BalancingPolicy registered = policies.get(name);
        return registered != null ? registered : BalanceAlgorithm.fromConfigName(name);
    }

    /**
     * A registered probe by name.
     *
     * @param name the name.
     * @return the probe, or null when none of that name is registered.
     */
    public HealthProbe probe(final String name)
    {
        return probes.get(name);
    }

    /**
     * The names of the registered policies, in registration order.
     *
     * @return the names of the registered policies, in registration order.
     */
    public Set<String> policyNames()
    {
        return policies.keySet();
    }

    /**
     * The names of the registered probes, in registration order.
     *
     * @return the names of the registered probes, in registration order.
     */
    public Set<String> probeNames()
    {
        return probes.keySet();
    }

    /** Registers policies and probes by name. */
    public static final class Builder
    {
        private final Map<String, BalancingPolicy> policies = new LinkedHashMap<>();
        private final Map<String, HealthProbe> probes = new LinkedHashMap<>();

        private Builder()
        {
        }

        /**
         * Registers a balancing policy.
         *
         * @param name   how {@code balance:} selects it: lower-case letters, digits and dashes, starting with a
         *               letter, and not a built-in policy's name.
         * @param policy the policy.
         * @return this.
         * @throws IllegalArgumentException when the name is malformed, built in, or registered already.
         */
        public Builder policy(final String name, final BalancingPolicy policy)
        {
            checkName(name, "policy");
            if (BalanceAlgorithm.fromConfigName(name) != null || policies.containsKey(name))
            {
                throw new IllegalArgumentException("balancing policy name '" + name + "' is " +
                    (policies.containsKey(name) ? "registered already" : "a built-in policy's") +
                    "; give it another name");
            }
            policies.put(name, Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /**
         * Registers a health probe.
         *
         * @param name  how {@code health.protocol:} selects it: lower-case letters, digits and dashes, starting with
         *              a letter, and not {@code tcp}, {@code udp} or {@code http}.
         * @param probe the probe.
         * @return this.
         * @throws IllegalArgumentException when the name is malformed, built in, or registered already.
         */
        public Builder probe(final String name, final HealthProbe probe)
        {
            checkName(name, "probe");
            for (final HealthProtocol builtIn : HealthProtocol.values())
            {
                if (builtIn.configName().equals(name))
                {
                    throw new IllegalArgumentException("health probe name '" + name + "' is a built-in probe's; " +
                        "give it another name");
                }
            }
            if (probes.containsKey(name))
            {
                throw new IllegalArgumentException("health probe name '" + name + "' is registered already");
            }
            probes.put(name, Objects.requireNonNull(probe, "probe"));
            return this;
        }

        /**
         * The extensions.
         *
         * @return the extensions.
         */
        public Extensions build()
        {
            return new Extensions(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(policies)),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(probes)));
        }

        private static void checkName(final String name, final String what)
        {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches())
            {
                throw new IllegalArgumentException(what + " name '" + name + "' must be lower-case " +
                    "letters, digits and dashes, starting with a letter, at most 63 characters");
            }
        }
    }
}
