package com.msgupgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's heap figures, read from the service's collector log. */
class GcHeapTest {

    @Test
    void thePeakIsTheMostInUseBeforeACollectionAndFullCollectionsAreCounted() {
        List<String> log = List.of(
                "[0.012s][info][gc] Using G1",
                "[1.234s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(256M) 2.101ms",
                "[9.876s][info][gc] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 612M->301M(1024M) 9.2ms",
                "[9.990s][info][gc] GC(2) Concurrent Mark Cycle",
                "[10.2s][info][gc] GC(2) Pause Remark 350M->320M(1024M) 1.1ms",
                "[30.1s][info][gc] GC(3) To-space exhausted",
                "[30.1s][info][gc] GC(3) Pause Young (Normal) (G1 Preventive Collection) 1G->1022M(1024M) 5.0ms",
                "[30.6s][info][gc] GC(4) Pause Full (G1 Compaction Pause) 1022M->104M(360M) 480.641ms",
                "[31.0s][info][gc] GC(5) Pause Young (Normal) (G1 Evacuation Pause) 122M->112M(360M) 13.898ms");

        FleetBenchmark.GcHeap heap = FleetBenchmark.GcHeap.of(log, 100L * 1024 * 1024);

        assertThat(heap.peakMiB()).isEqualTo(1024);
        assertThat(heap.full()).isEqualTo(1);
        assertThat(heap.afterFullMiB()).isEqualTo(104);
    }

    @Test
    void theHeapInUseAtTheEndCountsWhenNoCollectionCameAfterIt() {
        FleetBenchmark.GcHeap heap = FleetBenchmark.GcHeap.of(
                List.of("[1.2s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(256M) 2.1ms"),
                90L * 1024 * 1024);

        assertThat(heap.peakMiB()).isEqualTo(90);
        assertThat(heap.full()).isZero();
    }
}
