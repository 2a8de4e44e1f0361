package org.acejvm.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The build must pick the oneDNN CPU backend by itself: this JVM is started without any ND4J or JavaCPP flag. */
class BackendsTest {
    @Test
    void oneDnnIsInUseWithoutFlags() {
        assertThat(System.getProperty("org.bytedeco.javacpp.platform.extension")).isNull();
        Backends.logOnce();
        assertThat(Backends.oneDnnInUse()).as(Backends.nativeBuildInfo()).isTrue();
        assertThat(Backends.describe()).contains("oneDNN: yes");
    }
}
