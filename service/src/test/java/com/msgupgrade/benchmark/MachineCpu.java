package com.msgupgrade.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What the benchmark reads of the machine's CPU from /proc (Linux): how busy its cores were, and its children's. */
final class MachineCpu {

    /** Clock ticks a second in /proc's figures (USER_HZ: 100 on Linux wherever the JVM runs). */
    private static final double TICKS_PER_SECOND = 100.0;

    private MachineCpu() {}

    /** The {@code cpu} line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal, in ticks. */
    static long[] ticks() {
        return parse(procStat().get(0));
    }

    private static java.util.List<String> procStat() {
        try {
            return Files.readAllLines(Path.of("/proc/stat"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] parse(String cpuLine) {
        String[] fields = cpuLine.trim().split("\\s+");
        if (!fields[0].equals("cpu") || fields.length < 9) {
            throw new IllegalArgumentException("not /proc/stat's cpu line: " + cpuLine);
        }
        return Arrays.stream(fields, 1, 9).mapToLong(Long::parseLong).toArray();
    }

    /**
     * How many of the cores were busy between two readings, on average, and the share of that the hypervisor kept
     * (steal): {@code "1.87 of 2 (0.02 steal)"}.
     */
    static String busy(long[] before, long[] after) {
        long[] d = new long[before.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = after[i] - before[i];
        }
        long total = Arrays.stream(d).sum();
        if (total == 0) {
            return "n/a";
        }
        long idle = d[3] + d[4];
        int cores = Runtime.getRuntime().availableProcessors();
        return String.format("%.2f of %d (%.2f steal)", (double) (total - idle) / total * cores, cores,
                (double) d[7] / total * cores);
    }

    /** Processes (and threads) started on the machine since it booted: the {@code processes} line of /proc/stat. */
    static long processesStarted() {
        return procStat().stream().filter(l -> l.startsWith("processes "))
                .mapToLong(l -> Long.parseLong(l.substring("processes ".length()).trim())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no processes line in /proc/stat"));
    }

    /** CPU seconds of this JVM's children that ended and were waited for (cutime + cstime of /proc/self/stat). */
    static double children() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // after the command's closing bracket: field 3 (state) first; cutime and cstime are fields 16 and 17
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / TICKS_PER_SECOND;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
