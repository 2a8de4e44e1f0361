package org.acejvm.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.acejvm.core.io.Images;
import org.acejvm.examples.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Bad arguments end with one line on standard error and a non-zero exit code, never a stack trace. */
class AceCommandErrorsTest {
    @RegisterExtension final ConsoleCapture console = new ConsoleCapture();
    @TempDir Path dir;

    private String errorLine() {
        String text = console.err().strip();
        String[] lines = text.lines().filter(l -> l.startsWith("ace")).toArray(String[]::new);
        assertThat(text).doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(lines).as(text).hasSize(1);
        return lines[0];
    }

    private Path imageFile(int size) {
        Path f = dir.resolve("img" + size + ".png");
        Images.write(Nd4j.rand(DataType.FLOAT, 1, 1, size, size), f);
        return f;
    }

    @Test void missingImageFile() {
        int code = AceCommand.execute("explain", "--image", dir.resolve("nope.png").toString(), "--target", "3", "--out", dir.toString());
        assertThat(code).isNotZero();
        assertThat(errorLine()).contains("file not found").contains("nope.png");
    }

    @Test void missingClassifierFile() {
        int code = AceCommand.execute("explain", "--classifier", dir.resolve("c.onnx").toString(), "--image",
                imageFile(32).toString(), "--target", "3", "--out", dir.toString());
        assertThat(code).isNotZero();
        assertThat(errorLine()).contains("--classifier").contains("c.onnx");
    }

    @Test void corruptClassifierFile() throws Exception {
        Path bad = dir.resolve("bad.onnx");
        Files.writeString(bad, "this is not an onnx model");
        int code = AceCommand.execute("explain", "--classifier", bad.toString(), "--image", imageFile(32).toString(),
                "--target", "3", "--out", dir.toString());
        assertThat(code).isNotZero();
        assertThat(errorLine()).contains("bad.onnx");
    }

    @Test void wrongImageSize() {
        int code = AceCommand.execute("explain", "--image", imageFile(40).toString(), "--target", "3", "--out", dir.toString());
        assertThat(code).isNotZero();
        assertThat(errorLine()).contains("40x40").contains("32x32").contains("--resize");
    }

    @Test void targetOutOfRange() {
        int code = AceCommand.execute("explain", "--image", imageFile(32).toString(), "--target", "10", "--out", dir.toString());
        assertThat(code).isNotZero();
        assertThat(errorLine()).contains("--target 10").contains("0..9");
    }

    @Test void targetEqualToTheCurrentClass() {
        // a real test image and its own predicted class as the target
        var test = FashionMnist.load(FashionMnist.Split.TEST, 1);
        Path f = dir.resolve("test0.png");
        Images.write(test.images(0, 1), f);
        int predicted = org.acejvm.examples.EmbeddedDefault.classifier().predict(test.images(0, 1))[0];
        int code = AceCommand.execute("explain", "--image", f.toString(), "--target", String.valueOf(predicted),
                "--steps", "1", "--out", dir.toString());
        assertThat(code).isNotZero();
        assertThat(errorLine()).containsIgnoringCase("target").contains(String.valueOf(predicted));
    }

    @Test void unknownOptionAndBadNumber() {
        assertThat(AceCommand.execute("demo", "--frobnicate")).isEqualTo(2);
        assertThat(errorLine()).contains("--frobnicate");
    }

    @Test void anOutThatIsAFileIsAnInputError() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "root:x:0:0\n");
        assertThat(AceCommand.execute("explain", "--image", imageFile(32).toString(), "--target", "3", "--out", file.toString()))
                .isEqualTo(1);
        assertThat(errorLine()).contains("--out").contains("a file, not a folder");
        console.resetErr();
        assertThat(AceCommand.execute("demo", "--out", file.resolve("sub").toString())).isEqualTo(1);
        assertThat(errorLine()).contains("a file, not a folder");
        console.resetErr();
        assertThat(AceCommand.execute("calibrate", "--out", file.toString())).isEqualTo(1);
        assertThat(errorLine()).contains("a file, not a folder");
    }

    /** A classifier file of a few bytes: input x [N, 1, 32, 32], output y computed by {@code node} from {@code init}. */
    private Path onnx(String name, onnx.Onnx.NodeProto node, onnx.Onnx.TensorProto init) throws Exception {
        onnx.Onnx.TensorShapeProto.Builder shape = onnx.Onnx.TensorShapeProto.newBuilder()
                .addDim(onnx.Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : new long[] {1, 32, 32}) shape.addDim(onnx.Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        onnx.Onnx.GraphProto g = onnx.Onnx.GraphProto.newBuilder().setName(name).addNode(node).addInitializer(init)
                .addInput(onnx.Onnx.ValueInfoProto.newBuilder().setName("x").setType(onnx.Onnx.TypeProto.newBuilder()
                        .setTensorType(onnx.Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))))
                .addOutput(onnx.Onnx.ValueInfoProto.newBuilder().setName("y")).build();
        Path p = dir.resolve(name + ".onnx");
        Files.write(p, onnx.Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(onnx.Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray());
        return p;
    }

    @Test void sizesThatOverflowAreInputErrors() throws Exception {
        long huge = 1L << 40;
        // an initializer declaring 2^80 elements (was an ArithmeticException: exit 3)
        Path init = onnx("init", onnx.Onnx.NodeProto.newBuilder().setOpType("Identity").addInput("w").addOutput("y").build(),
                onnx.Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(huge).addDims(huge).build());
        assertThat(AceCommand.execute("explain", "--classifier", init.toString(), "--image", imageFile(32).toString(),
                "--target", "3", "--out", dir.toString())).isEqualTo(1);
        assertThat(errorLine()).contains("init.onnx").contains("too large");
        console.resetErr();
        // a constant of 2^80 elements folded at import
        Path cos = onnx("cos", onnx.Onnx.NodeProto.newBuilder().setOpType("ConstantOfShape").setName("big").addInput("s")
                .addOutput("y").build(), onnx.Onnx.TensorProto.newBuilder().setName("s").setDataType(7).addDims(2)
                .addInt64Data(huge).addInt64Data(huge).build());
        assertThat(AceCommand.execute("explain", "--classifier", cos.toString(), "--image", imageFile(32).toString(),
                "--target", "3", "--out", dir.toString())).isEqualTo(1);
        assertThat(errorLine()).contains("cos.onnx").contains("over the limit");
    }

    /** The embedded diffusion model has its own schedule: --timesteps and --respacing would be ignored yet recorded. */
    @Test void aScheduleForTheEmbeddedDiffusionModelIsRefused() {
        assertThat(AceCommand.execute("explain", "--image", imageFile(32).toString(), "--target", "3", "--timesteps", "1000",
                "--out", dir.toString())).isEqualTo(1);
        assertThat(errorLine()).contains("--timesteps").contains("--diffusion").contains("T=500");
        console.resetErr();
        assertThat(AceCommand.execute("calibrate", "--respacing", "25", "--out", dir.toString())).isEqualTo(1);
        assertThat(errorLine()).contains("--respacing").contains("respacing 50");
    }

    /** A class loss is a choice of PGD and GD only; a bad one names the accepted forms. */
    @Test void aLossForAnAttackThatHasItsOwnOrAnUnknownLossIsRefused() {
        assertThat(AceCommand.execute("explain", "--image", imageFile(32).toString(), "--target", "3", "--attack", "cw",
                "--loss", "margin:5", "--out", dir.toString())).isNotZero();
        assertThat(errorLine()).contains("--loss").contains("cw");
        console.resetErr();
        assertThat(AceCommand.execute("demo", "--loss", "softmax", "--out", dir.toString())).isNotZero();
        assertThat(errorLine()).contains("--loss").contains("margin:KAPPA").contains("'softmax'");
    }

    @Test void badNumberIsAUsageError() {
        assertThat(AceCommand.execute("demo", "--steps", "many")).isEqualTo(2);
        assertThat(errorLine()).contains("many");
    }
}
