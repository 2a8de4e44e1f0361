package org.acejvm.examples.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.acejvm.core.Classifier;
import org.acejvm.core.result.Explanation;
import org.acejvm.core.result.ImageData;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.metrics.Cout;
import org.acejvm.metrics.FeatureExtractor;
import org.acejvm.metrics.MetricValue;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The rows and notes of {@code ace evaluate}'s table computed from stored explanations: per-method metrics
 * ({@link MethodMetrics}), flip rate per class pair, the largest change outside each mask and where each method
 * changed the image.
 */
public final class EvaluationReport {
    private EvaluationReport() {}

    /**
     * Adds a row per method (in the map's order) and the per-pair, outside-the-mask and locality notes; returns each
     * method's COUT curve.
     */
    public static Map<String, Cout.Curve> addMethods(EvaluationTable table, Map<String, List<Explanation>> results,
                                                     Map<String, Long> nanos, INDArray images, FeatureExtractor features,
                                                     Classifier classifier, Classifier oracle, long seed) {
        INDArray originalFeatures = features.features(images);
        Map<String, Cout.Curve> curves = new LinkedHashMap<>();
        List<String> locality = new ArrayList<>();
        List<String> oracleNote = new ArrayList<>();
        Map<String, boolean[]> agreements = new LinkedHashMap<>();
        for (Map.Entry<String, List<Explanation>> m : results.entrySet()) {
            MethodMetrics metrics = new MethodMetrics(m.getKey(), features, classifier, seed).withOracle(oracle);
            boolean[] agrees = accumulate(metrics, m.getValue(), images, originalFeatures);
            if (agrees != null) agreements.put(m.getKey(), agrees);
            metrics.addTime(nanos.get(m.getKey()));
            MethodResult r = metrics.result();
            table.row(r);
            curves.put(m.getKey(), r.coutCurve());
            locality.add(m.getKey() + " " + percent(metrics.changedShare()) + " / " + percent(metrics.topShare()));
            if (r.oracleTargetBefore() != null) {
                oracleNote.add(m.getKey() + " " + fixed(r.oracleTargetBefore()) + " -> " + fixed(r.oracleTargetAfter()));
            }
        }
        if (!oracleNote.isEmpty()) {
            table.note("oracle", "an independently trained classifier (another architecture, seed and recipe) judges the "
                    + "successful counterfactuals: 'oracle agrees' is the share it assigns to the target, 'oracle "
                    + "p(target)' its mean target probability on them; on the originals -> on the counterfactuals: "
                    + String.join(", ", oracleNote) + " (a change that fools only the explained classifier is adversarial, "
                    + "not semantic)");
        }
        pairTable(table, results, agreements);
        table.note("change outside the mask", outsideMask(results, images));
        table.note("where it changed", "share of the pixels changed by more than 1/255 / share of the change carried "
                + "by the 10% most-changed pixels, over all images: " + String.join(", ", locality)
                + " (a localised change touches few pixels and its largest changes carry most of it)");
        return curves;
    }

    /**
     * Feeds a method's explanations to its metrics, 64 at a time (explanations are in image order); returns, per
     * explanation, whether the oracle agrees (null without an oracle).
     */
    private static boolean[] accumulate(MethodMetrics metrics, List<Explanation> list, INDArray images,
                                        INDArray originalFeatures) {
        boolean[] agrees = null;
        for (int from = 0; from < list.size(); from += 64) {
            int to = Math.min(list.size(), from + 64);
            List<Explanation> batch = list.subList(from, to);
            int[] predicted = batch.stream().mapToInt(e -> e.after().predicted()).toArray();
            int[] sources = batch.stream().mapToInt(Explanation::source).toArray();
            int[] targets = batch.stream().mapToInt(Explanation::target).toArray();
            boolean[] batchAgrees = metrics.add(images.get(NDArrayIndex.interval(from, to)),
                    originalFeatures.get(NDArrayIndex.interval(from, to)),
                    ImageData.stack(batch.stream().map(Explanation::explanation).toList()), predicted, sources, targets);
            if (batchAgrees != null) {
                if (agrees == null) agrees = new boolean[list.size()];
                System.arraycopy(batchAgrees, 0, agrees, from, batchAgrees.length);
            }
        }
        return agrees;
    }

    /**
     * The flip rate of each method per class pair and, where an oracle judged them, its agreement with the pair's
     * successful counterfactuals (the pairs of the first method's explanations, most frequent first; every method
     * explains the same images toward the same targets).
     */
    private static void pairTable(EvaluationTable table, Map<String, List<Explanation>> results,
                                  Map<String, boolean[]> agreements) {
        List<String> names = new ArrayList<>(results.keySet());
        int n = names.size();
        Map<String, long[]> counts = new LinkedHashMap<>(); // pair -> [images, successes per method, agreements per method]
        for (Explanation e : results.get(names.get(0))) counts.computeIfAbsent(pairName(e), k -> new long[1 + 2 * n])[0]++;
        for (int m = 0; m < n; m++) {
            List<Explanation> list = results.get(names.get(m));
            boolean[] agrees = agreements.get(names.get(m));
            for (int i = 0; i < list.size(); i++) {
                Explanation e = list.get(i);
                long[] c = counts.get(pairName(e));
                if (c == null || !e.success()) continue;
                c[1 + m]++;
                if (agrees != null && agrees[i]) c[1 + n + m]++;
            }
        }
        boolean oracle = agreements.size() == n;
        List<EvaluationTable.PairRow> rows = new ArrayList<>();
        counts.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(en -> {
            long[] c = en.getValue();
            List<MetricValue> rates = new ArrayList<>();
            List<MetricValue> agreed = new ArrayList<>();
            for (int m = 0; m < n; m++) {
                rates.add(MetricValue.of((double) c[1 + m] / c[0], c[0]));
                if (oracle) {
                    agreed.add(c[1 + m] == 0 ? MetricValue.undefined("no successful counterfactuals", 0)
                            : MetricValue.of((double) c[1 + n + m] / c[1 + m], c[1 + m]));
                }
            }
            rows.add(new EvaluationTable.PairRow(en.getKey(), c[0], rates, agreed));
        });
        table.pairRows(names, rows);
    }

    /**
     * Per method, the largest |x' - x| over the pixels that its mask leaves out (0 for the inpainting refiners, which
     * keep the original there exactly; the other methods' masks only describe their change).
     */
    private static String outsideMask(Map<String, List<Explanation>> results, INDArray images) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, List<Explanation>> m : results.entrySet()) {
            double worst = 0;
            List<Explanation> list = m.getValue();
            for (int i = 0; i < list.size(); i++) {
                float[] x = images.get(NDArrayIndex.point(i)).dup().data().asFloat();
                float[] e = list.get(i).explanation().data();
                float[] mask = list.get(i).mask().data();
                int plane = mask.length;
                for (int j = 0; j < x.length; j++) {
                    if (mask[j % plane] == 0f) worst = Math.max(worst, Math.abs(e[j] - x[j]));
                }
            }
            parts.add(m.getKey() + " " + (worst == 0 ? "0" : String.format(Locale.ROOT, worst < 1e-3 ? "%.1e" : "%.4f", worst)));
        }
        return "largest |x' - x| where the mask is 0, over all images: " + String.join(", ", parts)
                + " (ACE's inpainting keeps the original there exactly; the other methods' masks only describe their change)";
    }

    private static String percent(MetricValue v) {
        return v.isDefined() ? String.format(Locale.ROOT, "%.1f%%", 100 * v.value()) : "n/a";
    }

    private static String fixed(MetricValue v) {
        return v.isDefined() ? String.format(Locale.ROOT, "%.3f", v.value()) : "n/a";
    }

    private static String pairName(Explanation e) {
        return FashionMnist.CLASS_NAMES.get(e.source()) + " -> " + FashionMnist.CLASS_NAMES.get(e.target());
    }
}
