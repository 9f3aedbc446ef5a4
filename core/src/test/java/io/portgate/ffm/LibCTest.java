package io.portgate.ffm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Panama layer on this machine: errno capture, file descriptors of NIO channels, pipes and the splice probe. */
class LibCTest
{
    private static final int EBADF = 9;

    @Test
    @Timeout(10)
    void failedCallLeavesItsErrnoInTheCallState()
    {
        final MemorySegment callState = LibC.newCallState();
        assertEquals(-1, LibC.close(callState, -1));
        assertEquals(EBADF, LibC.errno(callState));
        assertTrue(LibC.strerror(EBADF).toLowerCase(java.util.Locale.ROOT).contains("bad file"),
            LibC.strerror(EBADF));
    }

    @Test
    @Timeout(10)
    void nativeFdIsTheChannelsDescriptor() throws Exception
    {
        assumeTrue(NativeFd.isAvailable(), () -> String.valueOf(NativeFd.unavailabilityCause()));
        try (ServerSocketChannel server = ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final int fd = NativeFd.of(server);
            assertTrue(fd > 2);
            final Path link = Path.of("/proc/self/fd/" + fd);
            assertTrue(Files.readSymbolicLink(link).toString().startsWith("socket:"), "fd " + fd + " is a socket");
        }
    }

    @Test
    @Timeout(10)
    void pipeOpensWithTheCapacityAskedForAndCloses()
    {
        final MemorySegment callState = LibC.newCallState();
        final NativePipe pipe = NativePipe.open(callState, 128 * 1024);
        try
        {
            assertEquals(128 * 1024, pipe.capacity());
            assertTrue(Files.exists(Path.of("/proc/self/fd/" + pipe.readFd())));
        }
        finally
        {
            pipe.close(callState);
        }
        assertEquals(-1, LibC.close(callState, pipe.writeFd()), "already closed");
    }

    @Test
    @Timeout(10)
    void probeEitherWorksOrSaysWhy()
    {
        if (Splice.probe().isAvailable())
        {
            assertNull(Splice.probe().unavailabilityCause());
        }
        else
        {
            assertNotNull(Splice.probe().unavailabilityCause());
        }
    }

    @Test
    @Timeout(10)
    void spliceReportsAnEmptySocketAsEagain() throws Exception
    {
        assumeTrue(Splice.probe().isAvailable(), () -> String.valueOf(Splice.probe().unavailabilityCause()));
        final MemorySegment callState = LibC.newCallState();
        try (ServerSocketChannel server = ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel client = SocketChannel.open(server.getLocalAddress());
            SocketChannel accepted = server.accept())
        {
            accepted.configureBlocking(false);
            final NativePipe pipe = NativePipe.open(callState, 4096);
            try
            {
                assertEquals(-1, LibC.splice(callState, NativeFd.of(accepted), pipe.writeFd(), 4096,
                    LibC.SPLICE_F_NONBLOCK));
                assertEquals(LibC.EAGAIN, LibC.errno(callState));
                client.shutdownOutput();
                assertEquals(0, LibC.splice(callState, NativeFd.of(accepted), pipe.writeFd(), 4096,
                    LibC.SPLICE_F_NONBLOCK), "0 at end of stream");
            }
            finally
            {
                pipe.close(callState);
            }
        }
    }
}
