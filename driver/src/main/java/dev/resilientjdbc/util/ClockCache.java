package dev.resilientjdbc.util;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded map for values that are cheap to lose and dear to recompute, evicting one entry at a time
 * by the clock (second chance) rule: an entry read since the hand last passed it is spared once. A hit
 * is a map lookup and at most one plain write, with no lock; only an insert past the bound evicts, and
 * a thread that finds another one evicting leaves it to that one (the map may then pass the bound by a
 * few entries for a moment).
 */
public final class ClockCache<K, V> {
    private final int max;
    private final ConcurrentHashMap<K, Slot<V>> map = new ConcurrentHashMap<>();
    private final ReentrantLock evicting = new ReentrantLock();
    private Iterator<Map.Entry<K, Slot<V>>> hand; // guarded by evicting

    public ClockCache(int max) {
        this.max = max;
    }

    /** The value kept for {@code key}, or null. */
    public V get(K key) {
        Slot<V> s = map.get(key);
        if (s == null) {
            return null;
        }
        if (!s.used) {
            s.used = true; // racy on purpose: a lost mark only costs the entry its second chance
        }
        return s.value;
    }

    /** Keeps {@code value} for {@code key} (the first value kept wins); evicts past the bound. */
    public void put(K key, V value) {
        if (map.putIfAbsent(key, new Slot<>(value)) == null && map.size() > max && evicting.tryLock()) {
            try {
                while (map.size() > max) {
                    evictOne();
                }
            } finally {
                evicting.unlock();
            }
        }
    }

    /** Whether {@code key} is kept, without marking it read (for tests: a look must not buy a second chance). */
    public boolean contains(K key) {
        return map.containsKey(key);
    }

    public int size() {
        return map.size();
    }

    /** Forgets every entry. */
    public void clear() {
        map.clear();
    }

    // Under evicting. Two turns of the hand clear every mark, so the loop ends even while readers keep marking.
    private void evictOne() {
        int turns = 2 * map.size() + 2;
        for (int i = 0; ; i++) {
            if (hand == null || !hand.hasNext()) {
                hand = map.entrySet().iterator();
                if (!hand.hasNext()) {
                    return; // emptied meanwhile
                }
            }
            Map.Entry<K, Slot<V>> e = hand.next();
            Slot<V> s = e.getValue();
            if (s.used && i < turns) {
                s.used = false;
            } else {
                hand.remove();
                return;
            }
        }
    }

    private static final class Slot<V> {
        final V value;
        boolean used;

        Slot(V value) {
            this.value = value;
        }
    }
}
