package com.msgupgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's critical path: what its ratio is measured against. */
class CriticalPathTest {

    @Test
    void loadBalancedPairsRunOneHostAfterTheOtherAndSideBySide() {
        Map<String, Map<String, Long>> hostSeconds = Map.of(
                "mta1", Map.of("mta pairs", 8L), "mta2", Map.of("mta pairs", 8L),
                "mta3", Map.of("mta pairs", 8L), "mta4", Map.of("mta pairs", 9L),
                "st1", Map.of("stores", 7L, "enable IMAP", 1L, "disable mshttpd", 2L));

        Map<String, Long> phases = FleetBenchmark.criticalPathSeconds(hostSeconds, 20);

        assertThat(phases).containsExactly(Map.entry("stores", 7L), Map.entry("enable IMAP", 1L),
                Map.entry("mta pairs", 17L), Map.entry("disable mshttpd", 2L));
    }

    @Test
    void pairsShareTheLanesWhenThereAreMoreThanTheParallelism() {
        Map<String, Map<String, Long>> hostSeconds = new java.util.HashMap<>();
        for (int i = 1; i <= 8; i++) {
            hostSeconds.put("mta" + i, Map.of("mta pairs", 8L));
        }

        assertThat(FleetBenchmark.criticalPathSeconds(hostSeconds, 2)).containsEntry("mta pairs", 32L);
        assertThat(FleetBenchmark.criticalPathSeconds(hostSeconds, 20)).containsEntry("mta pairs", 16L);
    }

    @Test
    void aFleetHasOneMtaPairPerFiftyHostsAndAtLeastOne() {
        assertThat(FleetBenchmark.mtaPairs(10)).isEqualTo(1);
        assertThat(FleetBenchmark.mtaPairs(100)).isEqualTo(2);
        assertThat(FleetBenchmark.mtaPairs(1000)).isEqualTo(20);
        assertThat(FleetBenchmark.mtaPair("mta1")).isEqualTo("lb1");
        assertThat(FleetBenchmark.mtaPair("mta2")).isEqualTo("lb1");
        assertThat(FleetBenchmark.mtaPair("mta3")).isEqualTo("lb2");
    }
}
