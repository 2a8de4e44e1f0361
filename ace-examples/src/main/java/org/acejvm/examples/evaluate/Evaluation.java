package org.acejvm.examples.evaluate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.acejvm.attacks.Targets;
import org.acejvm.core.DifferentiableClassifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ImageData;
import org.acejvm.diffusion.DiffusionModel;
import org.acejvm.refine.Ablation;
import org.acejvm.refine.MaskSettings;
import org.acejvm.refine.Masks;
import org.acejvm.refine.batch.BatchRunner;
import org.acejvm.refine.batch.MethodSpec;
import org.acejvm.refine.batch.ResultStore;
import org.acejvm.refine.batch.RunProgress;
import org.acejvm.refine.batch.StoredRun;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a set of methods over the same images, each stored in its own {@link ResultStore} folder, sharing work: the
 * filtered methods with the same attack ({@link MethodSpec#attackKey}) share one stored attack run (their Pre-CE
 * form, in the folder the caller names), and each refined method refines those pre-explanations (seconds, so a
 * changed refinement or mask setting re-runs only the refinements). A method's time counts its attack in full.
 *
 * @param dir        where the folders go
 * @param resume     keep what earlier runs with the same settings stored (else a folder with results is refused,
 *                   unless {@code overwrite})
 * @param overwrite  delete earlier results
 * @param recorded   extra lines recorded with every folder's settings (the models' checksums)
 * @param progress   a new progress display for each stage
 */
public record Evaluation(DifferentiableClassifier classifier, DiffusionModel diffusion, Path dir, boolean resume,
                         boolean overwrite, String recorded, Supplier<RunProgress> progress) {

    /** Every spec's explanations (by name, in the order of {@code specs}), each in image order. */
    public Map<String, StoredRun> run(List<MethodSpec> specs, Function<MethodSpec, String> attackFolder, INDArray images,
                                      long[] ids, Targets targets) {
        Map<String, StoredRun> out = new LinkedHashMap<>();
        Map<String, StoredRun> attacks = new LinkedHashMap<>();
        for (MethodSpec spec : specs) {
            StoredRun pre = attacks.computeIfAbsent(spec.attackKey(),
                    k -> attack(spec, attackFolder.apply(spec), images, ids, targets));
            out.put(spec.name(), spec.refinement() == Ablation.PRE_CE ? withMasks(pre, spec.mask(), images)
                    : refine(spec, pre, images));
        }
        return out;
    }

    /** The spec's attack alone (its Pre-CE form when it runs through the filter), stored in {@code folder}. */
    private StoredRun attack(MethodSpec spec, String folder, INDArray images, long[] ids, Targets targets) {
        MethodSpec stage = spec.filtered() ? spec.attackStage(folder) : spec;
        // runs before the mask was left out of the attack's settings recorded it: the same attacks
        ResultStore store = ResultStore.open(dir.resolve(folder), stage.attackStageText() + recorded, mode(),
                MethodSpec::withoutMask);
        String label = spec.filtered() ? "attack through the filter for " + folder : spec.name();
        return BatchRunner.explain(label, stage.explainer(classifier, diffusion), images, ids, targets,
                BatchRunner.Sink.of(store), progress.get());
    }

    /** The spec's refinement of its stored attack; its time counts the attack in full. */
    private StoredRun refine(MethodSpec spec, StoredRun pre, INDArray images) {
        ResultStore store = ResultStore.open(dir.resolve(spec.name()), spec.toText() + recorded, refinementMode());
        if (store.setAside() != null) {
            System.err.println(spec.name() + ": the stored refinements were made with other settings: refining again "
                    + "(the old ones are in " + store.setAside() + ")");
        }
        StoredRun refined = BatchRunner.refine(spec.name() + ": refining", spec.explainer(classifier, diffusion), images,
                pre.explanations(), BatchRunner.Sink.of(store), progress.get());
        return new StoredRun(refined.explanations(), pre.nanos() + refined.nanos());
    }

    /**
     * The stored attacks with the masks of this run's settings (shown for Pre-CE and plain PGD, and what their "change
     * outside the mask" is measured against): a stored attack carries the mask of the run that made it.
     */
    static StoredRun withMasks(StoredRun attacks, MaskSettings mask, INDArray images) {
        List<Explanation> stored = attacks.explanations();
        if (stored.isEmpty()) return attacks;
        INDArray edited = Masks.changed(images, ImageData.stack(stored.stream().map(Explanation::preExplanation).toList()),
                mask);
        List<Explanation> out = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            Explanation e = stored.get(i);
            out.add(new Explanation(e.sampleId(), e.variant(), e.method(), e.source(), e.target(), e.preExplanation(),
                    e.explanation(), ImageData.row(edited, i), e.noisyStart(), e.before(), e.afterAttack(), e.after(),
                    e.attackSuccess(), e.success(), e.iterations(), e.nanos()));
        }
        return new StoredRun(out, attacks.nanos());
    }

    private ResultStore.Mode mode() {
        return overwrite ? ResultStore.Mode.OVERWRITE : resume ? ResultStore.Mode.RESUME : ResultStore.Mode.NEW;
    }

    private ResultStore.Mode refinementMode() {
        return overwrite ? ResultStore.Mode.OVERWRITE : resume ? ResultStore.Mode.RESUME_OR_SET_ASIDE : ResultStore.Mode.NEW;
    }
}
