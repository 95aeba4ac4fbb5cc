package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.fs.FsTesting.await;
import static dev.weft.fs.FsTesting.fifo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A whole-file read whose io_uring request is still in the kernel when the carrier's loop goes
 * away: the dying ring orphans the request (the kernel may still write its buffer), so that buffer
 * must never go back to the chunk pool, where a later read would take it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FsUringOrphanTest {
    @TempDir
    Path dir;

    @RepeatedTest(5)
    void readAllBytesNeverPoolsABufferItsDeadRingOrphaned() throws Exception {
        FsUringTest.assumeUring();
        Path p = fifo(dir.resolve("orphan.fifo"));
        WeftRuntime rt = WeftRuntime.builder().name("fs-orphan").transport(Transport.IO_URING).carriers(1).build();
        AtomicReference<FileOutputStream> writer = new AtomicReference<>();
        CountDownLatch writerOpen = new CountDownLatch(1);
        Thread opener = Thread.ofPlatform().daemon().start(() -> {
            try {
                writer.set(new FileOutputStream(p.toFile()));   // blocks until the ring's OPENAT opens the reader
                writerOpen.countDown();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        try {
            // No carrier-side calls: the open and every read are io_uring requests.
            Fs.setCarrierTimePerPass(rt, Duration.ZERO);
            Task<byte[]> t = rt.spawn(() -> Fs.readAllBytes(p));
            assertTrue(writerOpen.await(20, TimeUnit.SECONDS), "the ring's OPENAT of the FIFO never opened it");
            // The READ of the empty FIFO now waits in the kernel, its pooled buffer with it.
            await("a READ request in a ring slot", Duration.ofSeconds(20), () -> readsInFlight(rt) == 1);
            rt.shutdown(Duration.ofSeconds(1));   // the loop closes its ring with the READ in flight
            await("the task to end", Duration.ofSeconds(20), t::isDone);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
            opener.join(TimeUnit.SECONDS.toMillis(20));
            if (writer.get() != null) {
                writer.get().close();
            }
        }
        List<ByteBuffer> orphaned = graveyard();
        assertTrue(!orphaned.isEmpty(), "the dying ring orphaned no request: the test did not reach its case");
        for (ByteBuffer b : pool()) {
            for (ByteBuffer o : orphaned) {
                if (b == o) {
                    fail("a buffer the kernel may still write (orphaned by the dead ring) is back in the chunk pool");
                }
            }
        }
    }

    /**
     * A whole-file read whose READ request cannot be handed to the ring (its loop no longer takes
     * work): the request's clean-up gives its buffer back and closes the descriptor, and nothing
     * else may do either again (a buffer pooled twice is later shared by two reads; a descriptor
     * closed twice may be another file's by then).
     */
    @Test
    void readAllBytesReleasesARefusedRequestsBufferOnce() throws Throwable {
        FsUringTest.assumeUring();
        Path f = dir.resolve("uncached");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1 << 20]));
            ch.force(true);
        }
        evictFromPageCache(f);
        WeftRuntime rt = WeftRuntime.builder().name("fs-refused").transport(Transport.IO_URING).carriers(1).build();
        io.netty.channel.MultiThreadIoEventLoopGroup gone = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.uring.IoUringIoHandler.newFactory());
        try {
            // The carrier's ring is replaced by one registered on a loop that then stops taking work.
            Class<?> gateClass = Class.forName("dev.weft.fs.internal.Gate");
            Class<?> ringClass = Class.forName("dev.weft.fs.internal.Ring");
            Object gate = gateClass.getMethod("of", WeftRuntime.class).invoke(null, rt);
            var ctor = ringClass.getDeclaredConstructor(io.netty.channel.IoEventLoop.class, gateClass);
            ctor.setAccessible(true);
            Object ring = ctor.newInstance((io.netty.channel.IoEventLoop) gone.next(), gate);
            var awaitRegistered = ringClass.getDeclaredMethod("awaitRegistered");
            awaitRegistered.setAccessible(true);
            awaitRegistered.invoke(ring);
            assertTrue(gone.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS), "the other loop never stopped");
            Field dead = ringClass.getDeclaredField("dead");
            dead.setAccessible(true);
            dead.set(ring, false);   // as if the task asked before the loop's close reached the ring
            io.netty.channel.IoEventLoop carrier = rt.run(() -> dev.weft.core.spi.RuntimeAccess.currentEventLoop(rt));
            @SuppressWarnings("unchecked")
            Map<Object, Object> rings = (Map<Object, Object>) field(gate, "rings");
            rings.put(carrier, ring);
            try {
                rt.run(() -> Fs.readAllBytes(f));
                org.junit.jupiter.api.Assumptions.assumeTrue(false, "the file stayed in the page cache: no READ request was made");
            } catch (java.io.IOException expected) {
                assertTrue(String.valueOf(expected.getMessage()).contains("shutting down"), String.valueOf(expected));
            }
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
            gone.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
        java.util.Set<ByteBuffer> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (ByteBuffer b : pool()) {
            assertTrue(seen.add(b), "a buffer is in the chunk pool twice: two later reads would share it");
        }
    }

    /** Drops {@code f}'s clean pages from the page cache ({@code posix_fadvise(POSIX_FADV_DONTNEED)}). */
    private static void evictFromPageCache(Path f) throws Throwable {
        java.lang.foreign.Linker l = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle fadvise = l.downcallHandle(l.defaultLookup().find("posix_fadvise").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG,
                        java.lang.foreign.ValueLayout.JAVA_INT));
        int fd = dev.weft.fs.internal.Posix.open(f, dev.weft.fs.internal.Posix.O_RDONLY);
        try {
            int r = (int) fadvise.invokeExact(fd, 0L, 0L, 4 /* POSIX_FADV_DONTNEED */);
            assertEquals(0, r, "posix_fadvise");
        } finally {
            dev.weft.fs.internal.Posix.close(fd);
        }
    }

    /** Requests with the READ opcode sitting in a slot of any of {@code rt}'s rings (read racily: a poll). */
    static int readsInFlight(WeftRuntime rt) {
        try {
            Object gate = Class.forName("dev.weft.fs.internal.Gate").getMethod("of", WeftRuntime.class).invoke(null, rt);
            int n = 0;
            for (Object ring : ((Map<?, ?>) field(gate, "rings")).values()) {
                for (Object req : (Object[]) field(ring, "slots")) {
                    if (req != null && (byte) field(req, "opcode") == 22) {
                        n++;
                    }
                }
            }
            return n;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<ByteBuffer> graveyard() throws ReflectiveOperationException {
        List<ByteBuffer> g = (List<ByteBuffer>) staticField("dev.weft.fs.internal.Ring", "GRAVEYARD");
        synchronized (g) {
            return new ArrayList<>(g);
        }
    }

    @SuppressWarnings("unchecked")
    static Collection<ByteBuffer> pool() throws ReflectiveOperationException {
        return new ArrayList<>((Collection<ByteBuffer>) staticField("dev.weft.fs.internal.ChunkIo", "POOL"));
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static Object staticField(String cls, String name) throws ReflectiveOperationException {
        Field f = Class.forName(cls).getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }
}
