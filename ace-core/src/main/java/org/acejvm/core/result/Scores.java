package org.acejvm.core.result;

/**
 * What the classifier said about one image: its predicted class, the probability of the source class and the
 * probability of the target class. For an untargeted explanation {@code target} is the probability of "any class
 * but the source", {@code 1 - source}.
 */
public record Scores(int predicted, double source, double target) {}
