package com.msgupgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MachineCpuTest {

    @Test
    void readsTheCpuLineAndTellsHowManyCoresWereBusyBetweenTwoReadings() {
        long[] before = MachineCpu.parse("cpu  1000 0 500 8000 100 0 0 0 0 0");
        // 200 ticks: 120 user, 30 system, 40 idle, 10 steal
        long[] after = MachineCpu.parse("cpu  1120 0 530 8040 100 0 0 10 0 0");
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(MachineCpu.busy(before, after)).isEqualTo(String.format("%.2f of %d (%.2f steal)",
                160.0 / 200 * cores, cores, 10.0 / 200 * cores));
        assertThat(MachineCpu.busy(after, after)).isEqualTo("n/a");
    }

    @Test
    void refusesAnotherLine() {
        assertThatThrownBy(() -> MachineCpu.parse("cpu0 1 2 3 4 5 6 7 8")).hasMessageContaining("cpu line");
        assertThatThrownBy(() -> MachineCpu.parse("cpu 1 2 3")).hasMessageContaining("cpu line");
    }

    @Test
    void readsThisMachine() throws Exception {
        assertThat(java.util.Arrays.stream(MachineCpu.ticks()).boxed().toList()).hasSize(8).allMatch(t -> t >= 0);
        // a child that counts to 300,000 (a few tenths of a second of a core, however busy the machine), and its
        // own child that does the counting: their CPU is counted once they were waited for
        double childrenBefore = MachineCpu.children();
        Process spin = new ProcessBuilder("sh", "-c", "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'")
                .start();
        assertThat(spin.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(MachineCpu.children()).isGreaterThanOrEqualTo(childrenBefore + 0.05);
        long before = MachineCpu.processesStarted();
        assertThat(before).isPositive();
        new Thread(() -> {}).start();
        assertThat(MachineCpu.processesStarted()).isGreaterThan(before);
    }
}
