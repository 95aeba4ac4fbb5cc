package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many producers and consumers on virtual threads with random interruption: every value that a
 * send reports as sent is received exactly once (by count and sum), and no interrupted send sent.
 */
class ChannelStressTest {

    /** Random interrupts of senders and receivers lose and duplicate nothing. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void interruptedProducersAndConsumers(int capacity) throws Exception {
        Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
        int producers = 4;
        int consumers = 4;
        int perProducer = 40_000;
        LongAdder sentCount = new LongAdder();
        LongAdder sentSum = new LongAdder();
        LongAdder gotCount = new LongAdder();
        LongAdder gotSum = new LongAdder();
        List<Threads.Task<Void>> ps = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            ps.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 1; i <= perProducer; i++) {
                    try {
                        switch (rnd.nextInt(4)) {
                            case 0 -> ch.send(i);
                            case 1 -> {
                                if (!ch.send(i, Duration.ofMillis(1))) {
                                    continue;
                                }
                            }
                            case 2 -> {
                                try (Permit<Integer> permit = ch.reserve()) {
                                    permit.send(i);
                                }
                            }
                            default -> Select.select(ch.onSend(i));
                        }
                        sentCount.increment();
                        sentSum.add(i);
                    } catch (InterruptedException e) {
                        // not sent: cancel safety
                    }
                }
                return null;
            }));
        }
        List<Threads.Task<Void>> cs = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            cs.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (true) {
                    try {
                        int v;
                        switch (rnd.nextInt(3)) {
                            case 0 -> v = ch.receive();
                            case 1 -> {
                                ReceiveResult<Integer> r = ch.receive(Duration.ofMillis(1));
                                if (r instanceof ReceiveResult.Closed) {
                                    return null;
                                }
                                if (!(r instanceof ReceiveResult.Value<Integer>(Integer x))) {
                                    continue;
                                }
                                v = x;
                            }
                            default -> v = Select.select(ch.onReceive());
                        }
                        gotCount.increment();
                        gotSum.add(v);
                    } catch (InterruptedException e) {
                        // nothing consumed
                    } catch (ChannelClosedException e) {
                        return null;
                    }
                }
            }));
        }
        Thread interrupter = Thread.ofVirtual().start(() -> {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (!ps.stream().allMatch(Threads.Task::isDone)) {
                List<Threads.Task<Void>> pool = rnd.nextBoolean() ? ps : cs;
                pool.get(rnd.nextInt(pool.size())).thread.interrupt();
                Thread.yield();
            }
        });
        for (Threads.Task<Void> p : ps) {
            p.get();
        }
        interrupter.join();
        ch.close();
        for (Threads.Task<Void> c : cs) {
            c.get();
        }
        for (int v : ch) {
            gotCount.increment();
            gotSum.add(v);
        }
        assertTrue(sentCount.sum() > 0);
        assertEquals(sentCount.sum(), gotCount.sum(), "count");
        assertEquals(sentSum.sum(), gotSum.sum(), "sum");
    }
}
