package org.acejvm.diffusion;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;

/**
 * Workaround for a SameDiff 1.0.0-M2.1 inference bug: with its default array-recycling memory manager
 * ({@code ArrayCacheMemoryMgr}), forward-only {@code sd.output(...)} of the ONNX-translated UNet returns wrong values
 * for batches of 2 or more, and different values on every call (relative error 0.16 to 0.58 on the small UNet
 * fixture; batch 1 and the gradient path are correct). A session whose memory manager never recycles arrays
 * ({@code NoOpMemoryMgr}) gives the right values (2e-6). Sessions are per thread, so this is applied before every
 * forward-only call.
 */
final class SafeInference {
    private SafeInference() {}

    /** Makes {@code sd.output(...)} on the calling thread use a session that does not recycle arrays. */
    static void install(SameDiff sd) {
        long tid = Thread.currentThread().getId();
        InferenceSession s = sd.getSessions().get(tid);
        if (s != null && s.getMmgr() instanceof NoOpMemoryMgr) return;
        InferenceSession fresh = new InferenceSession(sd);
        fresh.setMmgr(new NoOpMemoryMgr());
        sd.getSessions().put(tid, fresh);
    }
}
