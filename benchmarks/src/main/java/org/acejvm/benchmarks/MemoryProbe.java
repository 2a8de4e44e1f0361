package org.acejvm.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.acejvm.attacks.AttackSession;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of the attack step in a fresh JVM: runs {@code reps} attack steps and prints one line
 * {@code MEMORY model=.. batch=.. heap_peak_mb=.. javacpp_peak_mb=.. rss_peak_mb=..}: the sum of the heap pools'
 * peak usage, the highest JavaCPP physical-bytes reading seen after each step (off-heap arrays plus the rest of the
 * process as JavaCPP counts it) and the process's VmHWM (peak resident set) from /proc/self/status.
 * Usage: {@code MemoryProbe <model> <batch> [reps=3]}.
 */
public final class MemoryProbe {
    public static void main(String[] args) throws Exception {
        BenchModels m = BenchModels.of(args[0], Integer.parseInt(args[1]));
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        AttackSession s = m.attackSession();
        long physical = 0;
        for (int i = 0; i < reps; i++) {
            m.attackStep(s);
            physical = Math.max(physical, Pointer.physicalBytes());
        }
        long heap = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) heap += p.getPeakUsage().getUsed();
        }
        long hwm = -1;
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) hwm = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        System.out.printf(java.util.Locale.ROOT, "MEMORY model=%s batch=%d heap_peak_mb=%.0f javacpp_peak_mb=%.0f rss_peak_mb=%.0f%n",
                m.name, m.batch, heap / 1048576.0, physical / 1048576.0, hwm / 1048576.0);
        System.exit(0);
    }
}
