package org.acejvm.core;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a model expects its [0, 1] RGB input to be turned into: optional channel reversal (RGB to BGR), then
 * {@code (x - mean[c]) / std[c]}, with mean and std given in the model's channel order (after any reversal, as
 * Caffe-style BGR models list them). Applied as graph ops so gradients flow through it.
 */
public record Preprocessing(float[] mean, float[] std, boolean reverseChannels) {

    public Preprocessing {
        Checks.notNull(mean, "mean");
        Checks.notNull(std, "std");
        if (mean.length != std.length) {
            throw new InvalidInputException.Mismatch("mean and std must have one value per channel, got " + mean.length
                    + " and " + std.length);
        }
        for (float s : std) Checks.positive(s, "std");
        mean = mean.clone();
        std = std.clone();
    }

    /** Identity: the model takes [0, 1] images as they are. */
    public static Preprocessing none(int channels) {
        float[] zeros = new float[channels];
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new Preprocessing(zeros, ones, false);
    }

    /** torchvision's ImageNet normalisation. */
    public static Preprocessing imagenet() {
        return new Preprocessing(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, false);
    }

    public int channels() { return mean.length; }

    public boolean isIdentity() {
        for (int c = 0; c < mean.length; c++) if (mean[c] != 0f || std[c] != 1f) return false;
        return !reverseChannels;
    }

    /** Adds the preprocessing ops for NCHW input {@code x}. */
    public SDVariable apply(SameDiff sd, String name, SDVariable x) {
        if (isIdentity()) return x;
        int c = mean.length;
        SDVariable in = x;
        if (reverseChannels) {
            SDVariable[] parts = new SDVariable[c];
            for (int i = 0; i < c; i++) {
                parts[i] = x.get(org.nd4j.autodiff.samediff.SDIndex.all(),
                        org.nd4j.autodiff.samediff.SDIndex.interval(c - 1 - i, c - i),
                        org.nd4j.autodiff.samediff.SDIndex.all(), org.nd4j.autodiff.samediff.SDIndex.all());
            }
            in = sd.concat(name + "_bgr", 1, parts);
        }
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            scale[i] = 1f / std[i];
            shift[i] = -mean[i] / std[i];
        }
        SDVariable s = sd.constant(name + "_scale", Nd4j.create(scale, new long[] {1, c, 1, 1}, DataType.FLOAT));
        SDVariable b = sd.constant(name + "_shift", Nd4j.create(shift, new long[] {1, c, 1, 1}, DataType.FLOAT));
        return in.mul(s).add(name, b);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Preprocessing p && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std)
                && reverseChannels == p.reverseChannels;
    }

    @Override public int hashCode() { return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std) + (reverseChannels ? 1 : 0); }

    @Override public String toString() {
        return "Preprocessing(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ", reverseChannels="
                + reverseChannels + ")";
    }
}
