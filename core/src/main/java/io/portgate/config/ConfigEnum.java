package io.portgate.config;

import java.util.Locale;

/**
 * An enumerated configuration value with the name it has in the file: the constant's name in lower case with dashes
 * for underscores ({@code FAIL_OPEN} is {@code fail-open}), so the name cannot drift from the constant.
 */
public interface ConfigEnum
{
    /**
     * The value as written in the configuration file.
     *
     * @return the name, for example {@code round-robin}.
     */
    default String configName()
    {
        return ((Enum<?>)this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
