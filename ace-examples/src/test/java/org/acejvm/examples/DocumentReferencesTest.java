package org.acejvm.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository stands on its own: every document a file names (a {@code <name>.md}) is in the repository, or
 * is written by the code (a report such as {@code table.md}).
 */
class DocumentReferencesTest {
    private static final Pattern DOC = Pattern.compile("[A-Za-z0-9_./-]*[A-Za-z0-9_-]+\\.md\\b");
    private static final Set<String> SKIPPED = Set.of(".git", "target", "out", "node_modules");

    @Test
    void everyNamedDocumentExists() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("pom.xml")).exists();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).filter(p -> !skipped(root, p)).filter(DocumentReferencesTest::isText).forEach(files::add);
        }
        Set<String> paths = new TreeSet<>();
        StringBuilder code = new StringBuilder();
        for (Path p : files) {
            paths.add(root.relativize(p).toString().replace('\\', '/'));
            if (p.toString().endsWith(".java") || p.toString().endsWith(".sh") || p.toString().endsWith(".py")) {
                code.append(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Path p : files) {
            Matcher m = DOC.matcher(Files.readString(p, StandardCharsets.UTF_8));
            while (m.find()) {
                String ref = m.group().replaceFirst("^/+", "");
                String base = ref.substring(ref.lastIndexOf('/') + 1);
                boolean inRepo = paths.stream().anyMatch(f -> f.equals(ref) || f.endsWith("/" + ref))
                        || Files.exists(p.getParent().resolve(ref));
                boolean generated = code.indexOf("\"" + base + "\"") >= 0 || code.indexOf("/" + base + "\"") >= 0
                        || code.indexOf("'" + base + "'") >= 0 || code.indexOf(" " + base + "\n") >= 0;
                if (!inRepo && !generated) missing.add(root.relativize(p) + " names " + m.group());
            }
        }
        assertThat(missing).as("documents named but not in the repository").isEmpty();
    }

    private static boolean skipped(Path root, Path p) {
        for (Path part : root.relativize(p)) if (SKIPPED.contains(part.toString())) return true;
        return false;
    }

    private static boolean isText(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".md") || n.endsWith(".java") || n.endsWith(".sh") || n.endsWith(".py") || n.endsWith(".xml")
                || n.endsWith(".properties") || n.endsWith(".txt") || n.equals("ace") || n.equals("run");
    }
}
