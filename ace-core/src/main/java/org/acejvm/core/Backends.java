package org.acejvm.core;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What ND4J backend this JVM runs on, for logs, reports and the README's checks. */
public final class Backends {
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static volatile String logged;

    private Backends() {}

    /** The build information of the loaded native library (lists HAVE_ONEDNN, HAVE_OPENBLAS, HAVE_CUDNN...). */
    public static String nativeBuildInfo() {
        Nd4j.getBackend(); // make sure the backend is loaded
        return NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
    }

    /** True when the loaded native library was built with oneDNN (the fast CPU convolutions). */
    public static boolean oneDnnInUse() { return nativeBuildInfo().contains("HAVE_ONEDNN"); }

    /** True when running on the CUDA backend. */
    public static boolean cudaInUse() { return Nd4j.getBackend().getClass().getSimpleName().toLowerCase().contains("cuda"); }

    /** One line such as "ND4J CpuBackend, oneDNN: yes, threads: 2". */
    public static String describe() {
        String info = nativeBuildInfo();
        return "ND4J " + Nd4j.getBackend().getClass().getSimpleName()
                + ", oneDNN: " + (info.contains("HAVE_ONEDNN") ? "yes" : "no")
                + (info.contains("HAVE_CUDNN") ? ", cuDNN: yes" : "")
                + ", threads: " + Nd4j.getEnvironment().maxThreads();
    }

    /** Logs {@link #describe()} once per JVM. */
    public static void logOnce() {
        if (logged == null) {
            synchronized (Backends.class) {
                if (logged == null) {
                    logged = describe();
                    LOG.info(logged);
                }
            }
        }
    }
}
