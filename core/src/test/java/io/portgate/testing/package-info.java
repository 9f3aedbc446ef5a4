/**
 * Helpers for socket tests: free ports, an echo server and other scripted backends, file descriptor counts and
 * configuration shortcuts. Everything binds 127.0.0.1 only.
 */
package io.portgate.testing;
