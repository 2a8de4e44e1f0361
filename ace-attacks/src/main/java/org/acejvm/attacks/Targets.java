package org.acejvm.attacks;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;
import org.acejvm.core.Checks;
import org.acejvm.core.InvalidInputException;

/**
 * What each image should be classified as after the attack: a class per image, one class for all, the opposite
 * class of a binary classifier, a function of the predicted class, or "anything but the predicted class"
 * (untargeted). The source class of an image is always the classifier's prediction on the original image.
 *
 * <p>By default a target equal to the source class is an error ({@link InvalidInputException.ClassIndex});
 * {@link #allowingSource()} accepts it (such an image is then attacked towards the class it already has).
 */
public final class Targets {
    private enum Kind { CLASSES, CONSTANT, OPPOSITE, FUNCTION, UNTARGETED }

    private final Kind kind;
    private final int[] classes;
    private final int constant;
    private final IntUnaryOperator function;
    private final boolean allowSource;
    private final String name; // of the function; null: the function object's own toString

    private Targets(Kind kind, int[] classes, int constant, IntUnaryOperator function, boolean allowSource, String name) {
        this.kind = kind;
        this.classes = classes;
        this.constant = constant;
        this.function = function;
        this.allowSource = allowSource;
        this.name = name;
    }

    /** One target class per image, in batch order. */
    public static Targets classes(int... perImage) {
        Checks.notNull(perImage, "targets");
        return new Targets(Kind.CLASSES, perImage.clone(), -1, null, false, null);
    }

    /** The same target class for every image. */
    public static Targets of(int target) { return new Targets(Kind.CONSTANT, null, target, null, false, null); }

    /** The other class of a binary classifier ({@code 1 - prediction}), as the reference does for binary data. */
    public static Targets opposite() { return new Targets(Kind.OPPOSITE, null, -1, null, false, null); }

    /** The target computed from each image's predicted class. */
    public static Targets from(IntUnaryOperator predictionToTarget) {
        Checks.notNull(predictionToTarget, "predictionToTarget");
        return new Targets(Kind.FUNCTION, null, -1, predictionToTarget, false, null);
    }

    /**
     * The same with a name for {@link #toString()}: a lambda's own toString changes from run to run, so a run that
     * records its targets (to resume only with the same ones) needs the name.
     */
    public static Targets from(IntUnaryOperator predictionToTarget, String name) {
        Checks.notNull(predictionToTarget, "predictionToTarget");
        Checks.notNull(name, "name");
        return new Targets(Kind.FUNCTION, null, -1, predictionToTarget, false, name);
    }

    /** Untargeted: move away from the predicted class. */
    public static Targets untargeted() { return new Targets(Kind.UNTARGETED, null, -1, null, true, null); }

    /** The same targets, accepting a target equal to the source class. */
    public Targets allowingSource() { return new Targets(kind, classes, constant, function, true, name); }

    public boolean targeted() { return kind != Kind.UNTARGETED; }

    public boolean allowsSource() { return allowSource; }

    /** Number of per-image targets, or -1 when the targets apply to any number of images. */
    public int count() { return kind == Kind.CLASSES ? classes.length : -1; }

    /** The targets of images {@code from} (inclusive) to {@code to} (exclusive) of the batch. */
    public Targets slice(int from, int to) {
        if (kind != Kind.CLASSES) return this;
        if (from < 0 || to > classes.length || from > to) {
            throw new InvalidInputException.Shape("target slice [" + from + ", " + to + ") outside " + classes.length
                    + " targets");
        }
        return new Targets(kind, Arrays.copyOfRange(classes, from, to), constant, function, allowSource, name);
    }

    /** The targets of rows {@code rows} of the batch, in that order (per-image targets are picked; others apply to any rows). */
    public Targets rows(int[] rows) {
        Checks.notNull(rows, "rows");
        if (kind != Kind.CLASSES) return this;
        int[] picked = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= classes.length) {
                throw new InvalidInputException.Shape("target row " + rows[i] + " outside " + classes.length + " targets");
            }
            picked[i] = classes[rows[i]];
        }
        return new Targets(kind, picked, constant, function, allowSource, name);
    }

    /**
     * The class each image is attacked towards (targeted) or away from (untargeted: the source itself), checked.
     *
     * @param sources    the predicted class of each original image
     * @param numClasses the classifier's number of classes
     */
    public int[] resolve(int[] sources, int numClasses) {
        Checks.notNull(sources, "sources");
        int n = sources.length;
        int[] t = new int[n];
        switch (kind) {
            case CLASSES -> {
                Checks.sameCount(classes.length, "targets", n, "images");
                System.arraycopy(classes, 0, t, 0, n);
            }
            case CONSTANT -> Arrays.fill(t, constant);
            case OPPOSITE -> {
                if (numClasses != 2) {
                    throw new InvalidInputException.ClassIndex("opposite targets need a binary classifier, got one with "
                            + numClasses + " classes");
                }
                for (int i = 0; i < n; i++) t[i] = 1 - sources[i];
            }
            case FUNCTION -> { for (int i = 0; i < n; i++) t[i] = function.applyAsInt(sources[i]); }
            case UNTARGETED -> System.arraycopy(sources, 0, t, 0, n);
        }
        for (int i = 0; i < n; i++) {
            Checks.classIndex(t[i], numClasses, "target of image " + i);
            if (kind != Kind.UNTARGETED && !allowSource && t[i] == sources[i]) {
                throw new InvalidInputException.ClassIndex("target of image " + i + " is " + t[i]
                        + ", the class the classifier already predicts; choose another target class (or, from Java, allow it with "
                                + "Targets.allowingSource())");
            }
        }
        return t;
    }

    @Override public String toString() {
        return switch (kind) {
            case CLASSES -> "Targets.classes(" + Arrays.toString(classes) + ")";
            case CONSTANT -> "Targets.of(" + constant + ")";
            case OPPOSITE -> "Targets.opposite()";
            case FUNCTION -> "Targets.from(" + (name != null ? name : function) + ")";
            case UNTARGETED -> "Targets.untargeted()";
        } + (allowSource && kind != Kind.UNTARGETED ? ".allowingSource()" : "");
    }
}
