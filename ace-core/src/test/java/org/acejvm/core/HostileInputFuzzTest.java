package org.acejvm.core;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import org.acejvm.core.io.Images;
import org.acejvm.core.io.Npy;
import org.acejvm.core.io.Npz;
import org.acejvm.core.onnx.OnnxModel;

/**
 * Fuzz tests of the readers of untrusted bytes: ONNX models, .npy and .npz arrays, PNG/JPEG images.
 *
 * <p>The contract checked for every input: the reader returns, or throws one of the library's documented exceptions
 * ({@link AceException} and its subclasses, such as {@link InvalidInputException} and {@link ModelFormatException}).
 * Any other exception or error (an {@code IllegalArgumentException} from a decoder, an {@code OutOfMemoryError}, a
 * {@code StackOverflowError}) is a finding, and so is a call that allocates more Java heap than
 * {@link #heapBudget(byte[])} (sizes a file declares must be checked against the limits before allocation).
 *
 * <p>Under plain {@code mvn test} (regression mode) Jazzer only replays the committed inputs in
 * {@code src/test/resources/org/acejvm/core/HostileInputFuzzTestInputs/<method>/}: the seed corpus written by
 * {@link FuzzSeedsTest} and every finding kept as a regression input. Fuzzing one target (one per run):
 *
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o -pl ace-core -am test -Dtest=HostileInputFuzzTest#npz -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration=5m
 * </pre>
 *
 * A finding stops the run and is written next to the seeds as {@code crash-<sha1>}; the generated corpus goes to
 * {@code ace-core/.cifuzz-corpus/} (not committed).
 */
class HostileInputFuzzTest {
    /** Smaller limits than the defaults, so that the fuzzer spends its time on parsing and not on legal big arrays. */
    static final long MAX_PIXELS = 1L << 20;
    static final long MAX_ARRAY_BYTES = 16L << 20;
    static final OnnxModel.ConstantLimits ONNX_LIMITS = new OnnxModel.ConstantLimits(16L << 20, 64L << 20);

    @FuzzTest(maxDuration = "30s")
    void onnx(byte[] bytes) {
        typedOutcome(bytes, () -> {
            try {
                OnnxModel.load(bytes, "fuzz.onnx", ONNX_LIMITS);
            } catch (ModelFormatException e) {
                // the loader's last line of defence turns an unchecked failure into a format error: still a finding
                // (by its prefix: names from the file, which the message quotes, may contain the marker's words)
                if (e.getMessage().startsWith("fuzz.onnx: cannot be translated (" + OnnxModel.INTERNAL_ERROR)) {
                    throw new AssertionError(e.getMessage(), e.getCause());
                }
                throw e;
            }
        });
    }

    @FuzzTest(maxDuration = "30s")
    void npy(byte[] bytes) {
        typedOutcome(bytes, () -> Npy.read(bytes));
        typedOutcome(bytes, () -> Npy.read(new ByteArrayInputStream(bytes), "fuzz.npy", MAX_ARRAY_BYTES));
    }

    @FuzzTest(maxDuration = "30s")
    void npz(byte[] bytes) {
        typedOutcome(bytes, () -> Npz.readContents(new ByteArrayInputStream(bytes), "fuzz.npz", MAX_ARRAY_BYTES));
    }

    @FuzzTest(maxDuration = "30s")
    void image(byte[] bytes) {
        int channels = bytes.length % 2 == 0 ? 1 : 3; // both conversions, without decoding twice
        typedOutcome(bytes, () -> Images.decode(bytes, "fuzz image", channels, MAX_PIXELS));
    }

    /**
     * Java heap one call may allocate: what the limits above allow (an image of {@link #MAX_PIXELS} as 16-bit RGBA,
     * its float planes and the result; an array of {@link #MAX_ARRAY_BYTES} read and converted; the folded constants
     * of {@link #ONNX_LIMITS} as host copies), with room for the decoders' own buffers, plus a multiple of the input.
     */
    static long heapBudget(byte[] input) {
        return (256L << 20) + 64L * input.length;
    }

    /** Runs {@code call}; returns if it succeeds or throws an {@link AceException}, else throws what it threw. */
    static void typedOutcome(byte[] input, Runnable call) {
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        long before = allocatedBytes();
        try {
            call.run();
        } catch (AceException expected) {
            // the documented outcome for bad input
        }
        long used = allocatedBytes() - before;
        // loading (and, when fuzzing, instrumenting) classes allocates on this thread too: only calls that loaded no
        // class are measured (the first calls of a JVM; an input that allocates too much does so every time)
        boolean loadedClasses = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount() != classes;
        if (!loadedClasses && used > heapBudget(input)) {
            throw new AssertionError("allocated " + used + " bytes of Java heap for an input of " + input.length
                    + " bytes (budget " + heapBudget(input) + ")");
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
