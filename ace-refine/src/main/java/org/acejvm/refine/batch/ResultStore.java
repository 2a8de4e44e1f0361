package org.acejvm.refine.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ExplanationJson;

/**
 * A folder of explanations that survives a crash at any moment: {@code results.jsonl} (one explanation per line,
 * appended and forced to disk as each finishes) and {@code settings.txt} (what the results were made with, written to
 * a temporary file and renamed over the old one, so it is always whole).
 *
 * <p>Opening repairs a torn last line (a write cut short by a crash) by truncating the file after its last complete
 * line, so the next append starts on a line of its own. Results are never deleted unless the caller asks for it
 * ({@link Mode#OVERWRITE}); results made with other settings are refused ({@link Mode#RESUME}) or moved aside to a new
 * {@code results.jsonl.<n>.old} ({@link Mode#RESUME_OR_SET_ASIDE}, for cheap stages such as a refinement).
 * Explanations are keyed by sample id and variant. Not for use by two processes at once.
 */
public final class ResultStore {
    public static final String RESULTS = "results.jsonl";
    public static final String SETTINGS = "settings.txt";

    /** What to do with results already in the folder. */
    public enum Mode {
        /** Refuse a folder that already holds results (nothing is deleted by mistake). */
        NEW,
        /** Keep them and add the missing ones; refuse results recorded with other settings. */
        RESUME,
        /** As {@link #RESUME}, but move results recorded with other settings aside instead of refusing. */
        RESUME_OR_SET_ASIDE,
        /** Delete them (the caller's explicit choice). */
        OVERWRITE
    }

    /** The folder holds results that the chosen {@link Mode} does not allow to keep or to mix. */
    public static final class ConflictException extends InvalidInputException {
        public ConflictException(String message) { super(message); }
    }

    private final Path dir;
    private final Path file;
    private final Map<String, Explanation> completed = new LinkedHashMap<>();
    private final String setAside;

    private ResultStore(Path dir, String setAside) {
        this.dir = dir;
        this.file = dir.resolve(RESULTS);
        this.setAside = setAside;
    }

    /**
     * Opens (creating if needed) the store in {@code dir} for results made with {@code settings} (any text that
     * changes whenever the results would).
     */
    public static ResultStore open(Path dir, String settings, Mode mode) {
        return open(dir, settings, mode, UnaryOperator.identity());
    }

    /**
     * As {@link #open(Path, String, Mode)}, where recorded settings that {@code canonical} maps to {@code settings}
     * count as the same: for a setting that earlier runs recorded but that does not change these results.
     */
    public static ResultStore open(Path dir, String settings, Mode mode, UnaryOperator<String> canonical) {
        Checks.notNull(canonical, "canonical");
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(RESULTS);
            Path settingsFile = dir.resolve(SETTINGS);
            if (Files.isSymbolicLink(file) || Files.isSymbolicLink(settingsFile)) {
                throw new InvalidInputException(dir + ": " + RESULTS + " and " + SETTINGS + " must be plain files, not links");
            }
            boolean hasResults = Files.exists(file) && Files.size(file) > 0;
            String recorded = Files.exists(settingsFile) ? Files.readString(settingsFile, StandardCharsets.UTF_8) : null;
            // an older run may have kept its settings only in a parent folder: unrecorded settings do not conflict
            boolean conflict = hasResults && recorded != null && !canonical.apply(recorded).equals(settings);
            String aside = null;
            if (hasResults) {
                switch (mode) {
                    case NEW -> throw new ConflictException(dir + " holds the results of an earlier run (" + file
                            + "): resume it or delete them explicitly (overwrite)");
                    case OVERWRITE -> Files.delete(file);
                    case RESUME -> {
                        if (conflict) {
                            throw new ConflictException(file + " was made with other settings (" + oneLine(recorded)
                                    + ") than this run's (" + oneLine(settings) + "); use another folder or overwrite");
                        }
                    }
                    case RESUME_OR_SET_ASIDE -> {
                        if (conflict) aside = moveAside(dir, file).getFileName().toString();
                    }
                }
            }
            writeAtomically(settingsFile, settings);
            ResultStore store = new ResultStore(dir, aside);
            if (Files.exists(file)) {
                repairTornTail(file);
                for (Explanation e : ExplanationJson.readLines(file)) store.completed.put(key(e.sampleId(), e.variant()), e);
            }
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the result store " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() { return dir; }

    /** The file name the previous results were moved to, when they were made with other settings; else null. */
    public String setAside() { return setAside; }

    /** The stored explanation of a sample (variant 0), or null. */
    public Explanation get(long sampleId) { return completed.get(key(sampleId, 0)); }

    /** The stored explanation of a sample and variant, or null. */
    public Explanation get(long sampleId, int variant) { return completed.get(key(sampleId, variant)); }

    /** Everything stored, in file order. */
    public Map<String, Explanation> all() { return Collections.unmodifiableMap(completed); }

    /** Appends explanations, one line each, and forces them to disk before returning. */
    public synchronized void append(List<Explanation> explanations) {
        if (explanations.isEmpty()) return;
        StringBuilder sb = new StringBuilder();
        for (Explanation e : explanations) sb.append(ExplanationJson.toJson(e)).append('\n');
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) ch.write(b);
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
        for (Explanation e : explanations) completed.put(key(e.sampleId(), e.variant()), e);
    }

    /** Writes {@code text} to {@code target} through a temporary file and a rename: a reader sees the old or the new. */
    public static void writeAtomically(Path target, String text) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Truncates the file after its last newline (drops a line whose write was cut short). */
    static void repairTornTail(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer block = ByteBuffer.allocate(8192);
            search:
            while (keep > 0) {
                long from = Math.max(0, keep - block.capacity());
                block.clear().limit((int) (keep - from));
                while (block.hasRemaining() && ch.read(block, from + block.position()) >= 0) { }
                for (int i = (int) (keep - from) - 1; i >= 0; i--) {
                    if (block.get(i) == '\n') {
                        keep = from + i + 1;
                        break search;
                    }
                }
                keep = from;
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
        }
    }

    private static Path moveAside(Path dir, Path file) throws IOException {
        for (int n = 1; ; n++) {
            Path aside = dir.resolve(RESULTS + "." + n + ".old");
            if (!Files.exists(aside)) return Files.move(file, aside);
        }
    }

    private static String key(long id, int variant) { return id + "/" + variant; }

    private static String oneLine(String s) { return s.strip().replace('\n', ' '); }
}
