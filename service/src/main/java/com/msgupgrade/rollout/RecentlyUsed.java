package com.msgupgrade.rollout;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What was computed for the most recently used rollouts, least recently used dropped first; thread-safe. */
final class RecentlyUsed<K, V> {

    private final Map<K, V> values;

    RecentlyUsed(int kept) {
        this.values = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > kept;
            }
        });
    }

    V get(K key) {
        return values.get(key);
    }

    void put(K key, V value) {
        values.put(key, value);
    }
}
