/**
 * The configuration: the YAML file's model, its strict parser and the validation that catches every way of
 * mapping a port wrongly before a socket opens.
 *
 * <p>{@link io.portgate.config.Settings} is the one table of settings: key, kind, range, default, whether a reload
 * applies it, and the README's words for it. The parser reads keys by it, {@link io.portgate.config.ConfigDiff}
 * compares by it, a reload keeps the running value of what needs a restart by it, and the README's configuration
 * reference is held to it by a test. {@link io.portgate.config.ConfigLoader} reads a file into a
 * {@link io.portgate.config.PortgateConfig} and a list of {@link io.portgate.config.Diagnostic}s, each naming the
 * file, line and column; programs that embed the balancer build the same model in code through the builders and
 * validate it with {@link io.portgate.config.ConfigValidator}.
 */
package io.portgate.config;
