package dev.weft.metrics.internal;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JVM's one JFR stream of {@code jdk.VirtualThreadPinned}, shared by every runtime that asked
 * for pinning metrics; started with the first, closed with the last. Each event goes to the
 * runtime whose carrier thread it names; an event on a thread no carrier-mode runtime owns (the
 * JDK's scheduler) goes to every fallback-mode runtime.
 */
final class PinningMonitor {
    private static final String EVENT = "jdk.VirtualThreadPinned";

    // guarded by PinningMonitor.class
    private static final Map<RuntimeHub, Integer> HUBS = new IdentityHashMap<>();
    private static final SmallestAsked<Duration> THRESHOLDS = new SmallestAsked<>();
    private static RecordingStream stream;
    private static Duration threshold;
    private static volatile List<RuntimeHub> hubs = List.of();

    private PinningMonitor() {}

    /** One more user of the stream for {@code hub}, wanting events of at least {@code min}. */
    static synchronized void add(RuntimeHub hub, Duration min) {
        if (stream == null) {
            RecordingStream rs = new RecordingStream();
            try {
                rs.enable(EVENT).withThreshold(min).withoutStackTrace();
                rs.onEvent(EVENT, PinningMonitor::onEvent);
                rs.setReuse(true);
                rs.startAsync();
            } catch (RuntimeException e) {
                rs.close();
                throw e;
            }
            stream = rs;
            threshold = min;
        } else if (min.compareTo(threshold) < 0) {
            stream.enable(EVENT).withThreshold(min);
            threshold = min;
        }
        THRESHOLDS.add(min);
        HUBS.merge(hub, 1, Integer::sum);
        hubs = List.copyOf(HUBS.keySet());
    }

    /**
     * Undoes one {@link #add} with these arguments: the stream closes with the last user, and
     * otherwise its threshold goes back up to the smallest one still asked for (a low threshold
     * left behind would make JFR record and deliver events nobody wants).
     */
    static synchronized void remove(RuntimeHub hub, Duration min) {
        Integer n = HUBS.get(hub);
        if (n == null) {
            return;
        }
        if (n == 1) {
            HUBS.remove(hub);
        } else {
            HUBS.put(hub, n - 1);
        }
        THRESHOLDS.remove(min);
        hubs = List.copyOf(HUBS.keySet());
        if (HUBS.isEmpty() && stream != null) {
            stream.close();
            stream = null;
            threshold = null;
        } else if (stream != null) {
            Duration wanted = THRESHOLDS.min();
            if (wanted != null && wanted.compareTo(threshold) > 0) {
                stream.enable(EVENT).withThreshold(wanted);
                threshold = wanted;
            }
        }
    }

    private static void onEvent(RecordedEvent e) {
        try {
            String carrier = null;
            if (e.hasField("carrierThread")) {
                RecordedThread t = e.getThread("carrierThread");
                carrier = t == null ? null : t.getJavaName();
            }
            String reason = e.hasField("pinnedReason") ? e.getString("pinnedReason") : null;
            if (reason == null || reason.isBlank()) {
                reason = "unknown";
            }
            Duration d = e.getDuration();
            List<RuntimeHub> all = hubs;
            RuntimeHub owner = null;
            for (RuntimeHub h : all) {
                if (h.carrierMode() && h.ownsCarrierThread(carrier)) {
                    owner = h;
                    break;
                }
            }
            if (owner != null) {
                owner.recordPinned(reason, d);
                return;
            }
            for (RuntimeHub h : all) {
                if (!h.carrierMode()) {
                    h.recordPinned(reason, d);
                }
            }
        } catch (RuntimeException ex) {
            // one lost event; the stream goes on
        }
    }
}
