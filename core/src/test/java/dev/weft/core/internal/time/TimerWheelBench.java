package dev.weft.core.internal.time;

import java.util.SplittableRandom;

/**
 * Micro-benchmark (a main class, not a JUnit test): inserts 1,000,000 entries with random deadlines of
 * 1–60 s into a {@link TimerWheel}, then cancels them all, and prints ns/op for insert and cancel.
 * Three modes: entries allocated beforehand (the wheel's own cost), cancelled in insertion or in random
 * order (random order misses the cache on each entry), and a new entry allocated per insert (what a
 * caller pays). The first rounds warm up the JIT; the means of the rest are reported. Run, for example:
 * {@code java -cp core/target/classes:core/target/test-classes dev.weft.core.internal.time.TimerWheelBench}
 */
public final class TimerWheelBench {

    private static final int N = 1_000_000;

    private static final class Entry extends TimerEntry {
        @Override
        protected void fire() {}
    }

    private TimerWheelBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args optional: number of rounds (default 18; the first 6 are warm-up)
     */
    public static void main(String[] args) {
        int rounds = Math.max(9, args.length > 0 ? Integer.parseInt(args[0]) : 18);
        SplittableRandom rnd = new SplittableRandom(42);
        Entry[] entries = new Entry[N];
        long[] deadlines = new long[N];
        for (int i = 0; i < N; i++) {
            entries[i] = new Entry();
            deadlines[i] = rnd.nextLong(1_000, 60_001);
        }
        // Random cancel order as a second figure (more cache misses than insertion order).
        int[] perm = new int[N];
        for (int i = 0; i < N; i++) {
            perm[i] = i;
        }
        for (int i = N - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        // Three modes, round-robin: 0 = preallocated entries, cancel in insertion order; 1 = preallocated,
        // cancel in random order; 2 = a new entry allocated per insert (as a caller would), cancel in order.
        String[] names = {"preallocated, cancel in insert order", "preallocated, cancel in random order",
            "allocating per insert, cancel in insert order"};
        double[] sumIns = new double[3];
        double[] sumCan = new double[3];
        int[] count = new int[3];
        long now = 0;
        TimerWheel wheel = new TimerWheel(now);
        for (int r = 0; r < rounds; r++) {
            int mode = r % 3;
            now += 7; // move the time base a little so slots differ between rounds
            wheel.advanceTo(now);
            long t0 = System.nanoTime();
            if (mode == 2) {
                for (int i = 0; i < N; i++) {
                    Entry e = new Entry();
                    wheel.insert(e, now + deadlines[i]);
                    entries[i] = e;
                }
            } else {
                for (int i = 0; i < N; i++) {
                    Entry e = entries[i];
                    wheel.insert(e, now + deadlines[i]);
                }
            }
            long t1 = System.nanoTime();
            if (mode == 1) {
                for (int i = 0; i < N; i++) {
                    wheel.remove(entries[perm[i]]);
                }
            } else {
                for (int i = 0; i < N; i++) {
                    wheel.remove(entries[i]);
                }
            }
            long t2 = System.nanoTime();
            if (wheel.size() != 0) {
                throw new AssertionError("size " + wheel.size());
            }
            double ins = (t1 - t0) / (double) N;
            double can = (t2 - t1) / (double) N;
            System.out.printf("round %2d: insert %6.1f ns/op, cancel %6.1f ns/op  (%s)%n", r, ins, can, names[mode]);
            if (r >= 6) {
                sumIns[mode] += ins;
                sumCan[mode] += can;
                count[mode]++;
            }
        }
        for (int m = 0; m < 3; m++) {
            System.out.printf("RESULT %-46s insert %5.1f ns/op, cancel %5.1f ns/op (mean of %d rounds)%n",
                    names[m] + ":", sumIns[m] / count[m], sumCan[m] / count[m], count[m]);
        }
    }
}
