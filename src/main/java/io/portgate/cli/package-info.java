/**
 * The {@code portgate} command line: parses argv with picocli, fills the core library's configuration and calls it.
 * Nothing here forwards traffic; the core does.
 */
package io.portgate.cli;
