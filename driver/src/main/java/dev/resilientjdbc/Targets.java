package dev.resilientjdbc;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import dev.resilientjdbc.util.ClockCache;

/**
 * The targets the driver has connected to, keyed by the URL and every connection property, so that
 * the next {@code DriverManager.getConnection} with the same arguments skips parsing, configuration,
 * the search for the real driver and the building of retry policies. System properties and
 * environment variables are read when a target is first used, as a pool reads its configuration
 * when it starts. Cleared when the driver is deregistered.
 */
final class Targets {
    // Applications with per-tenant URLs must not grow this without end: past the bound one entry at a time goes, one
    // not used lately (the clock rule). It used to be emptied whole, which made every tenant's next connect parse,
    // configure and look up its real driver again at once.
    private static final int MAX = 512;
    private static final ClockCache<Key, Assembly.PhysicalSource> CACHE = new ClockCache<>(MAX);

    private Targets() {}

    static Key key(String url, Properties info) {
        return new Key(url, flatten(info));
    }

    static Assembly.PhysicalSource get(Key key) {
        return CACHE.get(key);
    }

    static void put(Key key, Assembly.PhysicalSource target) {
        CACHE.put(key, target);
    }

    static void clear() {
        CACHE.clear();
    }

    static int size() {
        return CACHE.size();
    }

    /** Every entry, and the defaults behind the Properties object too, as the real driver would see them. */
    private static Map<Object, Object> flatten(Properties info) {
        if (info == null) {
            return Map.of();
        }
        if (info.isEmpty() && info.stringPropertyNames().isEmpty()) {
            // DriverManager.getConnection(url) passes a new empty Properties every time: one shared empty map
            // rather than a copy, which also hashes and compares without an iterator.
            return Map.of();
        }
        Map<Object, Object> all = new HashMap<>(info);
        for (String name : info.stringPropertyNames()) {
            all.putIfAbsent(name, info.getProperty(name));
        }
        return all;
    }

    /** URL and properties. Holds a password as given (the target needs it to reconnect) but never prints it. */
    static final class Key {
        private final String url;
        private final Map<Object, Object> info;
        private final int hash;

        Key(String url, Map<Object, Object> info) {
            this.url = url;
            this.info = info;
            this.hash = url.hashCode() * 31 + info.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).hash == hash && ((Key) o).url.equals(url) && Objects.equals(((Key) o).info, info);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "target key (" + info.size() + " properties)";
        }
    }
}
