/** Small helpers shared by the library and the command line: JSON output. */
package io.portgate.util;
