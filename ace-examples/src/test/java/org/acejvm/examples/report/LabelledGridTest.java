package org.acejvm.examples.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.util.List;
import org.acejvm.core.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LabelledGridTest {
    private static final int WHITE = 0xffffff;

    /** A grid of two rows of three 28x28 grey images: black, mid grey, a heat map of a ramp. */
    private static LabelledGrid grid() {
        DifferenceScale scale = new DifferenceScale(0.5);
        LabelledGrid g = new LabelledGrid("a title", List.of("input", "explanation", "difference |x'-x|"))
                .colourBar(scale, "one scale");
        for (int r = 0; r < 2; r++) {
            INDArray ramp = Nd4j.linspace(0, 0.5, 28 * 28, DataType.FLOAT).reshape(1, 1, 28, 28);
            g.row(List.of(new LabelledGrid.Line("#" + r), new LabelledGrid.Line("Sneaker -> Sandal")),
                    List.of(Nd4j.zeros(DataType.FLOAT, 1, 1, 28, 28), Nd4j.valueArrayOf(new long[] {1, 1, 28, 28}, 0.5f),
                            scale.heat(ramp)));
        }
        return g;
    }

    @Test
    void upscalesSmallImagesByAWholeFactorToAReadableSize() {
        assertThat(LabelledGrid.upscale(28, 28)).isEqualTo(4);
        assertThat(LabelledGrid.upscale(32, 32)).isEqualTo(4);
        assertThat(LabelledGrid.upscale(16, 16)).isEqualTo(7);
        assertThat(LabelledGrid.upscale(224, 224)).isEqualTo(1);
        assertThat(LabelledGrid.upscale(28, 1000)).isEqualTo(1);
    }

    @Test
    void sizeFollowsTheLayoutAndCellsAreNearestNeighbourCopies() {
        LabelledGrid g = grid();
        LabelledGrid.Layout lay = g.layout();
        BufferedImage img = g.render();
        assertThat(img.getWidth()).isEqualTo(lay.width());
        assertThat(img.getHeight()).isEqualTo(lay.height());
        assertThat(lay.cellWidth()).isEqualTo(112);
        assertThat(lay.cellHeight()).isEqualTo(112);
        assertThat(lay.cellX(2) + lay.cellWidth() + LabelledGrid.MARGIN).isLessThanOrEqualTo(img.getWidth());
        // the black and the mid-grey cells are uniform: no smoothing into the white gaps
        for (int y = lay.cellY(1); y < lay.cellY(1) + lay.cellHeight(); y++) {
            assertThat(img.getRGB(lay.cellX(0), y) & WHITE).isZero();
            assertThat(img.getRGB(lay.cellX(0) + lay.cellWidth() - 1, y) & WHITE).isZero();
            assertThat(img.getRGB(lay.cellX(1) + 5, y) & WHITE).isEqualTo(0x808080);
        }
        // the heat map's last pixel (0.5 on a scale of 0.5) is white
        assertThat(img.getRGB(lay.cellX(2) + lay.cellWidth() - 1, lay.cellY(0) + lay.cellHeight() - 1) & WHITE).isEqualTo(WHITE);
    }

    /** A mask over the whole image is an all-white cell: its frame keeps it apart from the white page. */
    @Test
    void everyCellHasAFrameSoAnAllWhiteCellStillShows() {
        LabelledGrid g = new LabelledGrid("", List.of("input", "mask"));
        g.row(List.of(new LabelledGrid.Line("#0")), List.of(Nd4j.zeros(DataType.FLOAT, 1, 1, 28, 28),
                Nd4j.ones(DataType.FLOAT, 1, 1, 28, 28)));
        LabelledGrid.Layout lay = g.layout();
        BufferedImage img = g.render();
        int x = lay.cellX(1), y = lay.cellY(0);
        assertThat(img.getRGB(x + 5, y + 5) & WHITE).as("inside the white cell").isEqualTo(WHITE);
        for (int[] p : new int[][] {{x - 1, y + 5}, {x + lay.cellWidth(), y + 5}, {x + 5, y - 1}, {x + 5, y + lay.cellHeight()}}) {
            assertThat(img.getRGB(p[0], p[1]) & WHITE).as("frame at %d,%d", p[0], p[1]).isNotEqualTo(WHITE);
        }
        assertThat(img.getRGB(x - 3, y + 5) & WHITE).as("the gap beyond the frame").isEqualTo(WHITE);
    }

    @Test
    void drawsHeadersRowLabelsAndAColourBar() {
        LabelledGrid g = grid();
        LabelledGrid.Layout lay = g.layout();
        BufferedImage img = g.render();
        assertThat(inked(img, lay.cellX(0), lay.headerTop(), lay.width() - LabelledGrid.MARGIN, lay.top()))
                .as("header text above the cells").isGreaterThan(50);
        assertThat(inked(img, 0, lay.cellY(0), lay.left(), lay.cellY(0) + lay.rowHeight()))
                .as("row label left of row 0").isGreaterThan(50);
        assertThat(inked(img, 0, 0, lay.width(), LabelledGrid.MARGIN / 2)).as("nothing in the top margin").isZero();
        int red = 0;
        for (int y = lay.footerTop(); y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (((rgb >> 16) & 255) > 200 && (rgb & 255) < 60 && ((rgb >> 8) & 255) < 120) red++;
            }
        }
        assertThat(red).as("red part of the colour bar").isGreaterThan(100);
    }

    @Test
    void headersWiderThanACellWrapOnWords() {
        FontMetrics fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
                .getFontMetrics(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        List<String> lines = LabelledGrid.wrap("plain PGD difference", fm, 112);
        assertThat(lines).hasSizeGreaterThan(1);
        assertThat(String.join(" ", lines)).isEqualTo("plain PGD difference");
        lines.forEach(l -> assertThat(fm.stringWidth(l)).isLessThanOrEqualTo(112));
        assertThat(LabelledGrid.wrap("input", fm, 112)).containsExactly("input");
    }

    @Test
    void scaleTicksAndRowChecks() {
        assertThat(LabelledGrid.tick(0)).isEqualTo("0");
        assertThat(LabelledGrid.tick(0.734)).isEqualTo("0.73");
        assertThat(LabelledGrid.tick(0.0421)).isEqualTo("0.042");
        assertThatThrownBy(() -> new LabelledGrid("t", List.of("a", "b")).row(List.of(), List.of(Nd4j.zeros(1, 1, 4, 4))))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new LabelledGrid("t", List.of("a")).render()).isInstanceOf(InvalidInputException.class);
    }

    /** Pixels in [x0, x1) x [y0, y1) that are not background. */
    private static int inked(BufferedImage img, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) if ((img.getRGB(x, y) & WHITE) != WHITE) n++;
        }
        return n;
    }
}
