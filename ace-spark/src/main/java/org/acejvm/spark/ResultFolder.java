package org.acejvm.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.acejvm.refine.batch.ResultStore;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output folder of a cluster run on any file system Spark writes to (local, HDFS, object stores): Parquet parts
 * appended wave by wave, and {@code _ace_run.txt}, what the results were made with (written to a temporary name, then
 * renamed). Spark's Parquet reader skips names that start with an underscore, so the record never mixes with the data.
 */
final class ResultFolder {
    static final String RECORD = "_ace_run.txt";

    private final FileSystem fs;
    private final Path dir;

    ResultFolder(String dir, Configuration conf) {
        this.dir = new Path(dir);
        try {
            this.fs = this.dir.getFileSystem(conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the folder holds Parquet results. */
    boolean hasResults() {
        try {
            if (!fs.exists(dir)) return false;
            for (FileStatus s : fs.listStatus(dir)) if (s.getPath().getName().endsWith(".parquet")) return true;
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records {@code settings} for a new run, or checks that the results already there were made with the same;
     * results made with other settings are refused, never mixed.
     */
    void claim(String settings) {
        Path record = new Path(dir, RECORD);
        try {
            if (hasResults()) {
                String recorded = fs.exists(record) ? read(record) : null;
                if (recorded == null) {
                    throw new ResultStore.ConflictException(dir + " holds Parquet results but no " + RECORD
                            + ": not the output of a run of this library; choose another --out");
                }
                if (!recorded.equals(settings)) {
                    throw new ResultStore.ConflictException(dir + " holds results made with other settings; choose another "
                            + "output folder or delete it.\nrecorded:\n" + recorded + "\nnow:\n" + settings);
                }
                return;
            }
            fs.mkdirs(dir);
            Path tmp = new Path(dir, RECORD + ".tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(settings.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(record, false);
            if (!fs.rename(tmp, record)) throw new IOException("rename of " + tmp + " failed");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + record + ": " + e.getMessage(), e);
        }
    }

    private String read(Path p) throws IOException {
        try (FSDataInputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
