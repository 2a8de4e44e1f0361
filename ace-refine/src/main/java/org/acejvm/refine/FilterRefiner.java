package org.acejvm.refine;

import java.util.Map;
import org.acejvm.core.Checks;
import org.acejvm.core.ImageSpec;
import org.acejvm.core.NoiseSource;
import org.acejvm.core.graph.DifferentiableGraph;
import org.acejvm.core.graph.ImageMap;
import org.acejvm.diffusion.DiffusionFilter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * FR-CE / F-CE: the pre-explanation through a filter (forward only), clamped to [0, 1]. A filter that runs itself
 * step by step ({@link ImageMap#separateGradient()}) is run so, with the memory of one step; any other filter's graph
 * is built once on first use. Its noise is that of call index {@link #CALL_INDEX}, which no attack iteration uses.
 */
final class FilterRefiner implements Refiner {
    /** The call index of the refinement's filter noise (attack iterations use 0, 1, ...). */
    static final long CALL_INDEX = -1;
    private static final String CALL = "refine";

    private final ImageMap filter;
    private final String name;
    private final MaskSettings mask;
    private DifferentiableGraph graph;
    private String output;

    FilterRefiner(ImageMap filter, String name, MaskSettings mask) {
        Checks.notNull(filter, "filter");
        Checks.notNull(name, "name");
        Checks.notNull(mask, "mask");
        this.filter = filter;
        this.name = name;
        this.mask = mask;
    }

    @Override public String name() { return name; }

    @Override public MaskSettings maskSettings() { return mask; }

    @Override
    public synchronized Refinement refine(INDArray original, INDArray preExplanation, long[] sampleIds, NoiseSource noise) {
        Checks.notNull(sampleIds, "sampleIds");
        Checks.sameCount(sampleIds.length, "sampleIds", preExplanation.size(0), "preExplanation");
        INDArray keep = Masks.keep(original, preExplanation, mask);
        Map<String, INDArray> feed = filter.noiseFeed(CALL, sampleIds, CALL_INDEX, noise);
        INDArray out;
        var eager = filter.separateGradient();
        if (eager.isPresent()) {
            out = eager.get().forward(preExplanation, feed, CALL).output();
        } else {
            if (graph == null) build(preExplanation);
            out = graph.forward(preExplanation, feed, output).get(output);
        }
        out = Transforms.min(Transforms.max(out, 0.0, false), 1.0, false);
        return new Refinement(out, keep, null);
    }

    private void build(INDArray like) {
        ImageSpec spec = filter instanceof DiffusionFilter f ? f.imageSpec()
                : new ImageSpec((int) like.size(1), (int) like.size(2), (int) like.size(3));
        SameDiff sd = SameDiff.create();
        SDVariable x = DifferentiableGraph.inputVariable(sd, "refine_input", spec);
        SDVariable out = sd.identity("refine_output", filter.apply(sd, CALL, x));
        output = out.name();
        graph = new DifferentiableGraph(sd, x, out.sum("refine_sum"));
    }

    @Override public String toString() { return "Refiner.filter(" + filter + ", " + name + ")"; }
}
