package org.acejvm.core.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.acejvm.core.ModelFormatException;

/** JSON for {@link Explanation} records: images as {@code {"shape": [...], "data": [...]}}. */
public final class ExplanationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final TypeReference<List<Explanation>> LIST = new TypeReference<>() {};

    private ExplanationJson() {}

    /** The shared, configured mapper (thread-safe once configured). */
    public static ObjectMapper mapper() { return MAPPER; }

    public static String toJson(Explanation e) { return write(e); }

    public static String toJson(List<Explanation> list) { return write(list); }

    public static Explanation fromJson(String json) {
        try {
            return MAPPER.readValue(json, Explanation.class);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("not an explanation in JSON: " + e.getOriginalMessage());
        }
    }

    public static List<Explanation> listFromJson(String json) {
        try {
            return MAPPER.readValue(json, LIST);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("not a list of explanations in JSON: " + e.getOriginalMessage());
        }
    }

    public static void write(Path file, List<Explanation> list) {
        try {
            Files.writeString(file, toJson(list));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    public static List<Explanation> read(Path file) {
        try {
            return listFromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    /**
     * The explanations of a JSON Lines file (one explanation per line, as {@code ace} appends them while it runs). A
     * line cut short by an interrupted write, and blank lines, are skipped.
     */
    public static List<Explanation> readLines(Path file) {
        List<Explanation> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    out.add(fromJson(line));
                } catch (ModelFormatException partialLine) {
                    // the last line of a run that was stopped while writing it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
        return out;
    }

    private static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not serialise " + o, e);
        }
    }
}
