package org.acejvm.examples.data;

import java.nio.file.Path;

/** Where a data set lives: a system property, else an environment variable, else a default path. */
final class DataDirectory {
    private DataDirectory() {}

    static Path resolve(String property, String environmentVariable, Path fallback) {
        String p = System.getProperty(property);
        if (p != null && !p.isBlank()) return Path.of(p);
        String e = System.getenv(environmentVariable);
        if (e != null && !e.isBlank()) return Path.of(e);
        return fallback;
    }
}
