package io.portgate.loop;

import io.portgate.ffm.LibC;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classifier of the balancer's own failures: against the C library's own texts (the JDK puts strerror's text in
 * its exceptions), against real exceptions the JDK throws where this machine can produce them, and against the
 * shapes the JDK wraps them in.
 */
class LocalFailureTest
{
    private static final int[] ERRNOS = {24, 23, 105, 12, 99};

    @Test
    void theTextsAreTheCLibrarysOwn()
    {
        for (int reason = 0; reason < LocalFailure.COUNT; reason++)
        {
            assertEquals(LibC.strerror(ERRNOS[reason]), LocalFailure.text(reason), LocalFailure.name(reason));
            assertEquals(reason, LocalFailure.ofErrno(ERRNOS[reason]));
            assertEquals(reason, LocalFailure.ofMessage(LibC.strerror(ERRNOS[reason])));
        }
    }

    @Test
    void enfileIsNotTakenForEmfile()
    {
        // "Too many open files in system" begins with "Too many open files".
        assertEquals(LocalFailure.ENFILE, LocalFailure.classify(new SocketException("Too many open files in system")));
        assertEquals(LocalFailure.EMFILE, LocalFailure.classify(new SocketException("Too many open files")));
        assertTrue(LocalFailure.outOfFiles(LocalFailure.EMFILE));
        assertTrue(LocalFailure.outOfFiles(LocalFailure.ENFILE));
        assertFalse(LocalFailure.outOfFiles(LocalFailure.ENOBUFS));
    }

    @Test
    void prefixesAndCausesAreSeenThrough()
    {
        assertEquals(LocalFailure.EMFILE, LocalFailure.classify(new IOException("Accept failed: Too many open files")));
        assertEquals(LocalFailure.ENOBUFS, LocalFailure.classify(
            new UncheckedIOException("register", new IOException("No buffer space available"))));
        assertEquals(LocalFailure.ENOMEM, LocalFailure.classify(
            new IllegalStateException(null, new IOException(null, new IOException("Cannot allocate memory")))));
    }

    @Test
    void targetsFailuresAndOthersAreNotLocal()
    {
        assertEquals(LocalFailure.NONE, LocalFailure.classify(new ConnectException("Connection refused")));
        assertEquals(LocalFailure.NONE, LocalFailure.classify(new SocketException("Connection reset by peer")));
        assertEquals(LocalFailure.NONE, LocalFailure.classify(new SocketException("No route to host")));
        assertEquals(LocalFailure.NONE, LocalFailure.classify(new IOException((String)null)));
        assertEquals(LocalFailure.NONE, LocalFailure.ofErrno(LibC.ECONNREFUSED));
        assertEquals(LocalFailure.NONE, LocalFailure.ofErrno(LibC.EAGAIN));
    }

    @Test
    void aCyclicCauseChainEnds()
    {
        final IOException a = new IOException("a");
        final IOException b = new IOException("b", a);
        a.initCause(b);
        assertEquals(LocalFailure.NONE, LocalFailure.classify(a));
    }

    @Test
    void aRealRefusedConnectIsTheTargets() throws IOException
    {
        final int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = closed.getLocalPort();
        }
        try (SocketChannel channel = SocketChannel.open())
        {
            final IOException refused = assertThrows(IOException.class,
                () -> channel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            assertEquals(LocalFailure.NONE, LocalFailure.classify(refused), refused.toString());
        }
    }

    @Test
    void aRealAddressNotOfThisHostIsEaddrnotavail() throws IOException
    {
        // The kernel's EADDRNOTAVAIL as the JDK reports it: the same error a connect without a free source port gets.
        try (SocketChannel channel = SocketChannel.open())
        {
            final BindException notHere = assertThrows(BindException.class,
                () -> channel.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
            assertEquals(LocalFailure.EADDRNOTAVAIL, LocalFailure.classify(notHere), notHere.toString());
        }
    }
}
