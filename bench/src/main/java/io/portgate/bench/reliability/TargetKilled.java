package io.portgate.bench.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;

/**
 * A target killed with SIGKILL in the middle of streams: every connection streams its own pseudo-random bytes through
 * the balancer to an echo target and checks each byte that comes back (and a CRC-32 of all of them). Connections to
 * the killed target end; none may ever see a wrong byte, every connection to the surviving target must go on
 * undisturbed, and new connections must all be served.
 */
final class TargetKilled implements Scenario
{
    private static final int STREAMS = 20;
    private static final int CHUNK = 16 * 1024;

    @Override
    public String name()
    {
        return "target-killed";
    }

    @Override
    public String what()
    {
        return STREAMS + " checksummed echo streams over two targets, one target killed with SIGKILL mid-stream; " +
            "PASS when no stream ever sees a wrong byte, every stream on the surviving target runs to the end, and " +
            "20 new connections after the kill are all served";
    }

    @Override
    public boolean required()
    {
        return true;
    }

    /** One client's stream and what it saw. */
    private static final class Stream implements Runnable
    {
        final Socket socket;
        final long seed;
        final AtomicBoolean stop;
        long verified;
        long corrupted;
        boolean ended;
        final CRC32 sent = new CRC32();
        final CRC32 received = new CRC32();

        Stream(final Socket socket, final long seed, final AtomicBoolean stop)
        {
            this.socket = socket;
            this.seed = seed;
            this.stop = stop;
        }

        @Override
        public void run()
        {
            final SplittableRandom out = new SplittableRandom(seed);
            final SplittableRandom expected = new SplittableRandom(seed);
            final byte[] chunk = new byte[CHUNK];
            final byte[] back = new byte[CHUNK];
            try
            {
                final OutputStream o = socket.getOutputStream();
                final InputStream in = socket.getInputStream();
                while (!stop.get())
                {
                    out.nextBytes(chunk);
                    sent.update(chunk);
                    o.write(chunk);
                    int got = 0;
                    while (got < CHUNK)
                    {
                        final int n = in.read(back, got, CHUNK - got);
                        if (n < 0)
                        {
                            ended = true;
                            return;
                        }
                        got += n;
                    }
                    final byte[] want = new byte[CHUNK];
                    expected.nextBytes(want);
                    for (int i = 0; i < CHUNK; i++)
                    {
                        if (back[i] != want[i])
                        {
                            corrupted++;
                        }
                    }
                    received.update(back);
                    verified += CHUNK;
                }
            }
            catch (final IOException ex)
            {
                ended = true;
            }
        }
    }

    @Override
    public Outcome run(final SuiteContext context) throws Exception
    {
        final List<String> notes = new ArrayList<>();
        try (TargetProcess doomed = TargetProcess.start(context.root(), "--echo", "tcp", 0);
             TargetProcess survivor = TargetProcess.start(context.root(), "--echo", "tcp", 0))
        {
            final int port = SuiteContext.freeTcpPort();
            final int admin = SuiteContext.freeTcpPort();
            // One worker: its round robin alternates the targets, so exactly half the streams are on each.
            final SuiteContext.ConfigFile config = context.config("""
                workers: 1
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                listeners:
                  - name: streams
                    bind: 127.0.0.1:%d
                    pool: echo
                    connect-timeout: 1s
                    connect-attempts: 2
                pools:
                  echo:
                    balance: round-robin
                    targets: [127.0.0.1:%d, 127.0.0.1:%d]
                    health:
                      protocol: tcp
                      interval: 500ms
                      timeout: 400ms
                      fall: 2
                """.formatted(admin, port, doomed.port(), survivor.port()));
            try (PortgateRun portgate = context.start(config, admin, 0))
            {
                final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                final AtomicBoolean stop = new AtomicBoolean();
                final List<Stream> streams = new ArrayList<>();
                final List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++)
                {
                    final Socket s = new Socket();
                    s.connect(front, 5_000);
                    s.setSoTimeout(10_000);
                    final Stream stream = new Stream(s, 1_000 + i, stop);
                    streams.add(stream);
                    threads.add(Thread.ofPlatform().daemon().name("stream-" + i).start(stream));
                }
                PortgateRun.sleep(context.scale(3000, 1500));
                doomed.kill();
                final long killedAt = System.nanoTime();
                PortgateRun.sleep(context.scale(4000, 2000));
                stop.set(true);
                for (final Thread t : threads)
                {
                    t.join(15_000);
                }
                long verified = 0;
                long corrupted = 0;
                int ended = 0;
                int crcMismatches = 0;
                for (final Stream s : streams)
                {
                    verified += s.verified;
                    corrupted += s.corrupted;
                    if (s.ended)
                    {
                        ended++;
                    }
                    else if (s.sent.getValue() != s.received.getValue())
                    {
                        crcMismatches++;
                    }
                    s.socket.close();
                }
                final int survived = STREAMS - ended;
                int served = 0;
                for (int i = 0; i < 20; i++)
                {
                    try (TcpClients fresh = TcpClients.open(front, 1, 1, 5_000))
                    {
                        served += fresh.channels().size();
                    }
                }
                notes.add(String.format(Locale.ROOT, "%.1f MB verified byte by byte; %d streams ended with the " +
                    "killed target, %d ran to the end with matching CRC-32s (%d mismatched)", verified / 1e6, ended,
                    survived - crcMismatches, crcMismatches));
                notes.add("20 new connections after the kill: " + served + " served (connect-attempts: 2 moves a " +
                    "refused connect to the surviving target)");
                notes.add(String.format(Locale.ROOT, "the kill was %.1f s before the streams stopped",
                    (System.nanoTime() - killedAt) / 1e9));
                final boolean passed = corrupted == 0 && crcMismatches == 0 && survived == STREAMS / 2 &&
                    ended == STREAMS / 2 && served == 20 && portgate.alive();
                return Outcome.of(passed, String.format(Locale.ROOT, "%d wrong bytes in %.1f MB; %d of %d streams " +
                    "on the survivor intact; %d of 20 new connections served", corrupted, verified / 1e6,
                    survived - crcMismatches, survived, served), notes);
            }
        }
    }
}
