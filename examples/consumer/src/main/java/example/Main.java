package example;

import java.nio.file.Path;
import org.acejvm.attacks.Targets;
import org.acejvm.core.io.Images;
import org.acejvm.core.result.Explanation;
import org.acejvm.examples.EmbeddedDefault;
import org.acejvm.examples.data.FashionMnist;
import org.acejvm.refine.Explainer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The README's example: ACE on one Fashion-MNIST test image with the embedded default models. */
public final class Main {
    public static void main(String[] args) {
        INDArray image = FashionMnist.load(FashionMnist.Split.TEST, 1).images();        // [1, 1, 32, 32] in [0, 1]
        Explainer ace = Explainer.builder(EmbeddedDefault.classifier())
                .preset(EmbeddedDefault.PRESET, EmbeddedDefault.diffusionModel())        // attack, filter, mask, inpainting
                .seed(0).build();
        Explanation e = ace.explain(image, Targets.from(FashionMnist::confusableWith)).get(0);
        System.out.printf("%s -> %s: %s, p(target) %.3f -> %.3f%n", FashionMnist.className(e.source()),
                FashionMnist.className(e.target()), e.success() ? "flipped" : "not flipped",
                e.before().target(), e.after().target());
        Images.write(e.explanation().toINDArray(), Path.of("explanation.png"));  // and e.mask(), e.preExplanation()
    }
}
