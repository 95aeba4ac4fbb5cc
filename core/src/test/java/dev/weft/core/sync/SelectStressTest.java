package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Concurrent selects competing with plain receivers over the same channels never both take one
 * message and never drop one: checked by count and sum over many operations.
 */
class SelectStressTest {

    /** Competing selects and receivers take every value exactly once (capacities 1, 2, 1024, unbounded). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void competingSelectsLoseNothing(int capacity) throws Exception {
        int channels = 3;
        int producers = 3;
        int perProducer = 60_000;
        List<Channel<Integer>> chs = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            chs.add(ChannelSendReceiveTest.channel(capacity));
        }
        LongAdder count = new LongAdder();
        LongAdder sum = new LongAdder();
        List<Threads.Task<Void>> consumers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            boolean plain = c == 3;
            consumers.add(Threads.start(() -> {
                while (true) {
                    int v;
                    try {
                        if (plain) {
                            v = chs.get(0).receive();
                        } else {
                            v = Select.select(chs.get(0).onReceive(), chs.get(1).onReceive(), chs.get(2).onReceive());
                        }
                    } catch (ChannelClosedException e) {
                        return null; // one channel closed and drained: finish the others below
                    }
                    count.increment();
                    sum.add(v);
                }
            }));
        }
        List<Threads.Task<Void>> ps = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            ps.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 1; i <= perProducer; i++) {
                    chs.get(rnd.nextInt(channels)).send(i);
                }
                return null;
            }));
        }
        for (Threads.Task<Void> p : ps) {
            p.get();
        }
        for (Channel<Integer> ch : chs) {
            ch.close();
        }
        for (Threads.Task<Void> c : consumers) {
            c.get();
        }
        for (Channel<Integer> ch : chs) { // whatever the consumers left after the first close
            for (int v : ch) {
                count.increment();
                sum.add(v);
            }
        }
        assertEquals((long) producers * perProducer, count.sum());
        assertEquals((long) producers * perProducer * (perProducer + 1) / 2, sum.sum());
    }

    /** Selects that send and selects that receive on the same channels move every value exactly once. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void sendingSelectsLoseNothing(int capacity) throws Exception {
        Channel<Integer> a = Channel.bounded(capacity);
        Channel<Integer> b = Channel.bounded(capacity);
        int perProducer = 50_000;
        LongAdder count = new LongAdder();
        LongAdder sum = new LongAdder();
        List<Threads.Task<Void>> ps = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            ps.add(Threads.start(() -> {
                for (int i = 1; i <= perProducer; i++) {
                    Select.select(a.onSend(i), b.onSend(i));
                }
                return null;
            }));
        }
        List<Threads.Task<Void>> cs = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            cs.add(Threads.start(() -> {
                try {
                    while (true) {
                        int v = Select.select(a.onReceive(), b.onReceive());
                        count.increment();
                        sum.add(v);
                    }
                } catch (ChannelClosedException e) {
                    return null;
                }
            }));
        }
        for (Threads.Task<Void> p : ps) {
            p.get();
        }
        a.close();
        b.close();
        for (Threads.Task<Void> c : cs) {
            c.get();
        }
        for (Channel<Integer> ch : List.of(a, b)) {
            for (int v : ch) {
                count.increment();
                sum.add(v);
            }
        }
        assertEquals(2L * perProducer, count.sum());
        assertEquals(2L * perProducer * (perProducer + 1) / 2, sum.sum());
    }
}
