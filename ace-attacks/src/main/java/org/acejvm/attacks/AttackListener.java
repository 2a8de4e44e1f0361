package org.acejvm.attacks;

/** Receives one event per attack iteration (for progress bars, logging, loss curves). Called on the attack thread. */
@FunctionalInterface
public interface AttackListener {
    void onIteration(AttackIteration event);

    static AttackListener none() { return e -> {}; }
}
