package org.acejvm.examples.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.acejvm.core.InvalidInputException;
import org.acejvm.core.io.Images;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A grid PNG a person can read on its own: a title, column headers, a label left of every row, images upscaled
 * with nearest neighbour (so 28 px images show their pixels instead of a blur) and, when the grid has difference
 * maps, a colour bar with its scale. Drawn with Java2D; the layout is computed once so tests can find every cell.
 */
public final class LabelledGrid {
    /** Cells are upscaled by a whole factor until their longer side is at least this many pixels. */
    static final int MIN_CELL = 112;
    static final int MARGIN = 12, GAP = 6, LINE_GAP = 4;
    static final Color BACKGROUND = Color.WHITE, TEXT = new Color(0x22, 0x22, 0x22);
    static final Color GOOD = new Color(0x00, 0x77, 0x00), BAD = new Color(0xaa, 0x00, 0x00);
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    private static final Font BOLD = FONT.deriveFont(Font.BOLD);
    private static final Font TITLE = FONT.deriveFont(Font.BOLD, 16f);
    private static final int BAR_WIDTH = 256, BAR_HEIGHT = 14;

    /** One line of a row label, in its colour (e.g. green for a flipped prediction). */
    public record Line(String text, Color colour) {
        public Line(String text) { this(text, TEXT); }
    }

    private record Row(List<Line> label, List<INDArray> cells) {}

    private final String title;
    private final List<String> columns;
    private final List<Row> rows = new ArrayList<>();
    private DifferenceScale scale;
    private String scaleCaption;

    public LabelledGrid(String title, List<String> columns) {
        if (columns.isEmpty()) throw new InvalidInputException("a grid needs at least one column");
        this.title = title == null ? "" : title;
        this.columns = List.copyOf(columns);
    }

    /** Adds a row: its label lines and one image [1, C, H, W] or [C, H, W] in [0, 1] per column. */
    public LabelledGrid row(List<Line> label, List<INDArray> cells) {
        if (cells.size() != columns.size()) {
            throw new InvalidInputException("a row needs " + columns.size() + " cells, got " + cells.size());
        }
        rows.add(new Row(List.copyOf(label), List.copyOf(cells)));
        return this;
    }

    /** Draws a colour bar for the difference maps' common scale under the grid. */
    public LabelledGrid colourBar(DifferenceScale differenceScale, String caption) {
        this.scale = differenceScale;
        this.scaleCaption = caption;
        return this;
    }

    public List<String> columns() { return columns; }

    public int rowCount() { return rows.size(); }

    /** The label lines of a row, as text. */
    List<String> labels(int row) { return rows.get(row).label().stream().map(Line::text).toList(); }

    /** The whole factor 28-32 px images are drawn at (4), larger ones less, never below 1. */
    static int upscale(long height, long width) {
        long side = Math.max(1, Math.max(height, width));
        return (int) Math.max(1, (MIN_CELL + side - 1) / side);
    }

    /** Where everything goes; computed from the font metrics and the first row's image size. */
    record Layout(int width, int height, int cellWidth, int cellHeight, int left, int headerTop, int headerHeight,
                  int top, int rowHeight, int footerTop) {
        int cellX(int column) { return left + column * (cellWidth + GAP); }
        int cellY(int row) { return top + row * (rowHeight + GAP); }
    }

    Layout layout() {
        if (rows.isEmpty()) throw new InvalidInputException("a grid needs at least one row");
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            INDArray first = chw(rows.get(0).cells().get(0));
            int factor = upscale(first.size(1), first.size(2));
            int cw = (int) first.size(2) * factor, ch = (int) first.size(1) * factor;
            FontMetrics fm = g.getFontMetrics(FONT), bold = g.getFontMetrics(BOLD);
            int line = fm.getHeight();
            int labelWidth = 0, labelLines = 0;
            for (Row r : rows) {
                for (Line l : r.label()) labelWidth = Math.max(labelWidth, fm.stringWidth(l.text()));
                labelLines = Math.max(labelLines, r.label().size());
            }
            int left = MARGIN + (labelWidth > 0 ? labelWidth + 2 * GAP : 0);
            int headerLines = 1;
            for (String c : columns) headerLines = Math.max(headerLines, wrap(c, bold, cw).size());
            int titleHeight = title.isEmpty() ? 0 : g.getFontMetrics(TITLE).getHeight() + 2 * LINE_GAP;
            int headerTop = MARGIN + titleHeight, headerHeight = headerLines * line + LINE_GAP;
            int top = headerTop + headerHeight;
            int rowHeight = Math.max(ch, labelLines * line);
            int footerTop = top + rows.size() * (rowHeight + GAP);
            int footer = scale == null ? 0 : BAR_HEIGHT + 2 * line + 2 * LINE_GAP;
            int width = left + columns.size() * (cw + GAP) - GAP + MARGIN;
            width = Math.max(width, MARGIN + g.getFontMetrics(TITLE).stringWidth(title) + MARGIN);
            if (scale != null) {
                width = Math.max(width, left + barOffset(fm) + BAR_WIDTH + fm.stringWidth("0.0000") + MARGIN);
                width = Math.max(width, left + fm.stringWidth(scaleCaption) + MARGIN);
            }
            return new Layout(width, footerTop + footer + MARGIN - GAP, cw, ch, left, headerTop, headerHeight, top,
                    rowHeight, footerTop);
        } finally {
            g.dispose();
        }
    }

    public BufferedImage render() {
        Layout lay = layout();
        BufferedImage out = new BufferedImage(lay.width(), lay.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, lay.width(), lay.height());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            FontMetrics fm = g.getFontMetrics(FONT);
            if (!title.isEmpty()) {
                g.setFont(TITLE);
                g.setColor(TEXT);
                g.drawString(title, MARGIN, MARGIN + g.getFontMetrics().getAscent());
            }
            drawHeaders(g, lay);
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                int y = lay.cellY(r);
                // the label is centred vertically on the row's images
                int textTop = y + Math.max(0, (lay.cellHeight() - row.label().size() * fm.getHeight()) / 2);
                g.setFont(FONT);
                for (int i = 0; i < row.label().size(); i++) {
                    Line l = row.label().get(i);
                    g.setColor(l.colour());
                    g.drawString(l.text(), MARGIN, textTop + i * fm.getHeight() + fm.getAscent());
                }
                for (int c = 0; c < columns.size(); c++) {
                    BufferedImage cell = Images.toBufferedImage(chw(row.cells().get(c)));
                    g.drawImage(cell, lay.cellX(c), y, lay.cellWidth(), lay.cellHeight(), null);
                    // a frame, so that an all-white cell (a mask over the whole image) still reads as an image
                    g.setColor(Color.GRAY);
                    g.drawRect(lay.cellX(c) - 1, y - 1, lay.cellWidth() + 1, lay.cellHeight() + 1);
                }
            }
            if (scale != null) drawColourBar(g, lay, fm);
        } finally {
            g.dispose();
        }
        return out;
    }

    private void drawHeaders(Graphics2D g, Layout lay) {
        g.setFont(BOLD);
        g.setColor(TEXT);
        FontMetrics fm = g.getFontMetrics();
        for (int c = 0; c < columns.size(); c++) {
            List<String> lines = wrap(columns.get(c), fm, lay.cellWidth());
            // headers sit on the images: the last line just above the cell
            int y0 = lay.top() - LINE_GAP - lines.size() * fm.getHeight();
            for (int i = 0; i < lines.size(); i++) {
                int x = lay.cellX(c) + (lay.cellWidth() - fm.stringWidth(lines.get(i))) / 2;
                g.drawString(lines.get(i), Math.max(lay.cellX(c) - GAP / 2, x), y0 + i * fm.getHeight() + fm.getAscent());
            }
        }
    }

    private void drawColourBar(Graphics2D g, Layout lay, FontMetrics fm) {
        g.setFont(FONT);
        g.setColor(TEXT);
        int x = lay.left() + barOffset(fm), y = lay.footerTop() + fm.getHeight() + LINE_GAP;
        g.drawString(scaleCaption, lay.left(), lay.footerTop() + fm.getAscent());
        // the legend's text centred on the bar
        g.drawString("|x' - x|", lay.left(), y + (BAR_HEIGHT + fm.getAscent() - fm.getDescent()) / 2);
        INDArray ramp = Nd4j.linspace(0, scale.max(), BAR_WIDTH, DataType.FLOAT).reshape(1, BAR_WIDTH);
        BufferedImage bar = Images.toBufferedImage(scale.heat(ramp.reshape(1, 1, 1, BAR_WIDTH)));
        g.drawImage(bar, x, y, BAR_WIDTH, BAR_HEIGHT, null);
        g.setColor(Color.GRAY);
        g.drawRect(x - 1, y - 1, BAR_WIDTH + 1, BAR_HEIGHT + 1);
        g.setColor(TEXT);
        int ticksY = y + BAR_HEIGHT + LINE_GAP + fm.getAscent();
        for (double f : new double[] {0, 0.5, 1}) {
            String v = tick(f * scale.max());
            int tx = x + (int) Math.round(f * BAR_WIDTH);
            g.drawLine(tx, y + BAR_HEIGHT, tx, y + BAR_HEIGHT + 3);
            g.drawString(v, Math.max(x, tx - fm.stringWidth(v) / 2), ticksY);
        }
    }

    /** Where the bar starts right of the row labels: after its "|x' - x|" legend. */
    private static int barOffset(FontMetrics fm) { return fm.stringWidth("|x' - x|") + 2 * GAP; }

    static String tick(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, v >= 0.1 ? "%.2f" : "%.3f", v);
    }

    /** Words of a header on as many lines as it needs to fit over its cell (a single long word stays whole). */
    static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String word : text.split(" ")) {
            String next = cur.length() == 0 ? word : cur + " " + word;
            if (fm.stringWidth(next) <= width || cur.length() == 0) {
                cur.setLength(0);
                cur.append(next);
            } else {
                lines.add(cur.toString());
                cur.setLength(0);
                cur.append(word);
            }
        }
        lines.add(cur.toString());
        return lines;
    }

    private static INDArray chw(INDArray image) {
        return image.rank() == 4 ? image.reshape(image.size(1), image.size(2), image.size(3)) : image;
    }
}
