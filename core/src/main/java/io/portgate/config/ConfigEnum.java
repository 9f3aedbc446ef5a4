package io.portgate.config;

/** An enumerated configuration value with the name it has in the file. */
public interface ConfigEnum
{
    /**
     * The value as written in the configuration file.
     *
     * @return the name, for example {@code round-robin}.
     */
    String configName();
}
