package org.acejvm.core.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Two-operand Einsum as one (batched) matrix product. Indices are grouped into batch (in both operands and the
 * output), left (first operand only), right (second only) and contracted (both, not in the output). When every
 * group is a single index, as in attention ({@code bct,bcs->bts}, {@code bts,bcs->bct}), the operands' layouts are
 * matched with the transpose flags of one {@code mmul} op; otherwise the operands are permuted and reshaped.
 */
final class Einsum {
    private Einsum() {}

    static List<Value> map(NodeContext ctx) {
        String eq = ctx.attrString("equation", "").replace(" ", "");
        if (ctx.inputCount() != 2) throw ctx.unsupported("Einsum with " + ctx.inputCount() + " operands (only 2)");
        if (eq.contains("...")) throw ctx.unsupported("Einsum with an ellipsis: " + eq);
        String lhs = eq.contains("->") ? eq.substring(0, eq.indexOf("->")) : eq;
        String[] ops = lhs.split(",");
        if (ops.length != 2) throw ctx.unsupported("Einsum equation " + eq);
        String a = ops[0], b = ops[1];
        String o = eq.contains("->") ? eq.substring(eq.indexOf("->") + 2) : implicitOutput(a, b);
        Dim[] sa = ctx.shape(0), sb = ctx.shape(1);
        if (a.length() != sa.length || b.length() != sb.length) {
            throw new ShapeException("Einsum " + eq + " on shapes " + Shapes.str(sa) + ", " + Shapes.str(sb));
        }
        Map<Character, Dim> size = new HashMap<>();
        for (String s : List.of(a, b)) {
            if (s.chars().distinct().count() != s.length()) throw ctx.unsupported("repeated index in operand '" + s + "' of " + eq);
        }
        for (int i = 0; i < a.length(); i++) size.put(a.charAt(i), sa[i]);
        for (int i = 0; i < b.length(); i++) {
            Dim prev = size.put(b.charAt(i), sb[i]);
            if (prev != null && !prev.equals(sb[i])) throw new ShapeException("Einsum index '" + b.charAt(i) + "': " + prev + " vs " + sb[i]);
        }
        StringBuilder batch = new StringBuilder(), left = new StringBuilder(), right = new StringBuilder(), contract = new StringBuilder();
        for (char c : o.toCharArray()) {
            if (!size.containsKey(c)) throw ctx.unsupported("output index '" + c + "' not in the operands of " + eq);
            boolean inA = a.indexOf(c) >= 0, inB = b.indexOf(c) >= 0;
            (inA && inB ? batch : inA ? left : right).append(c);
        }
        for (char c : a.toCharArray()) {
            if (o.indexOf(c) < 0) {
                if (b.indexOf(c) < 0) throw ctx.unsupported("index '" + c + "' summed in one operand only: " + eq);
                contract.append(c);
            }
        }
        for (char c : b.toCharArray()) {
            if (o.indexOf(c) < 0 && a.indexOf(c) < 0) throw ctx.unsupported("index '" + c + "' summed in one operand only: " + eq);
        }
        String bt = batch.toString(), l = left.toString(), r = right.toString(), k = contract.toString();
        Dim[] outShape = dims(o, size);

        boolean simple = bt.length() <= 1 && l.length() == 1 && r.length() == 1 && k.length() == 1;
        if (simple) {
            // match layouts with mmul's transpose flags: at most one op
            boolean ta = a.equals(bt + k + l);
            SDVariable va = ta || a.equals(bt + l + k) ? ctx.var(0) : permute(ctx, ctx.var(0), a, bt + l + k);
            boolean tb = b.equals(bt + r + k);
            SDVariable vb = tb || b.equals(bt + k + r) ? ctx.var(1) : permute(ctx, ctx.var(1), b, bt + k + r);
            boolean tr = o.equals(bt + r + l);
            if (tr || o.equals(bt + l + r)) {
                return List.of(ctx.dyn(ctx.sd.mmul(ctx.out(), va, vb, ta, tb, tr), outShape));
            }
            SDVariable prod = ctx.sd.mmul(ctx.tmp(), va, vb, ta, tb, false);
            return List.of(ctx.dyn(permute(ctx, prod, bt + l + r, o, ctx.out()), outShape));
        }
        // general: permute to [batch, left, contract] x [batch, contract, right], flatten the groups, one mmul
        SDVariable va = permute(ctx, ctx.var(0), a, bt + l + k);
        SDVariable vb = permute(ctx, ctx.var(1), b, bt + k + r);
        Dim gb = group(bt, size), gl = group(l, size), gr = group(r, size), gk = group(k, size);
        boolean hasBatch = !bt.isEmpty();
        va = ctx.sd.reshape(ctx.tmp(), va, Shapes.forReshape(hasBatch ? new Dim[] {gb, gl, gk} : new Dim[] {gl, gk}));
        vb = ctx.sd.reshape(ctx.tmp(), vb, Shapes.forReshape(hasBatch ? new Dim[] {gb, gk, gr} : new Dim[] {gk, gr}));
        SDVariable prod = ctx.sd.mmul(ctx.tmp(), va, vb);
        String res = bt + l + r;
        prod = ctx.sd.reshape(res.equals(o) ? ctx.out() : ctx.tmp(), prod, Shapes.forReshape(dims(res, size)));
        return List.of(ctx.dyn(res.equals(o) ? prod : permute(ctx, prod, res, o, ctx.out()), outShape));
    }

    private static String implicitOutput(String a, String b) {
        StringBuilder o = new StringBuilder();
        String all = a + b;
        all.chars().sorted().distinct().forEach(c -> {
            if (all.indexOf(c) == all.lastIndexOf(c)) o.append((char) c);
        });
        return o.toString();
    }

    private static Dim[] dims(String letters, Map<Character, Dim> size) {
        Dim[] d = new Dim[letters.length()];
        for (int i = 0; i < d.length; i++) d[i] = size.get(letters.charAt(i));
        return d;
    }

    private static Dim group(String letters, Map<Character, Dim> size) {
        Dim p = Dim.of(1);
        for (char c : letters.toCharArray()) p = p.times(size.get(c));
        return p;
    }

    private static SDVariable permute(NodeContext ctx, SDVariable x, String from, String to) {
        return permute(ctx, x, from, to, ctx.tmp());
    }

    private static SDVariable permute(NodeContext ctx, SDVariable x, String from, String to, String name) {
        if (from.equals(to)) return x;
        List<Integer> p = new ArrayList<>();
        for (char c : to.toCharArray()) p.add(from.indexOf(c));
        return ctx.sd.permute(name, x, p.stream().mapToInt(Integer::intValue).toArray());
    }
}
