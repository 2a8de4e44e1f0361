package org.acejvm.core.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx;
import org.acejvm.core.ModelFormatException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

/**
 * A parsed and checked ONNX graph: nodes in order, initializers as arrays, inputs with their import-time shapes
 * (the first dimension of every input of rank >= 1 is the free batch), output names, opset.
 * Reading either succeeds completely or throws {@link ModelFormatException}.
 */
final class OnnxGraph {
    static final long MIN_OPSET = 11;
    static final long MAX_OPSET = 17;

    /** A graph input: name, import-time shape, ONNX element type. */
    record Port(String name, Dim[] shape, int elemType) {}

    final List<Onnx.NodeProto> nodes;
    final Map<String, INDArray> initializers;
    final List<Port> inputs;
    final List<String> outputs;
    final long opset;
    final String producer;
    final String source;
    /** CRC32 of the file's bytes, so that different models never share weight names by accident. */
    final String checksum;

    private OnnxGraph(List<Onnx.NodeProto> nodes, Map<String, INDArray> initializers, List<Port> inputs,
                      List<String> outputs, long opset, String producer, String source, String checksum) {
        this.nodes = nodes;
        this.initializers = initializers;
        this.inputs = inputs;
        this.outputs = outputs;
        this.opset = opset;
        this.producer = producer;
        this.source = source;
        this.checksum = checksum;
    }

    static OnnxGraph read(Path file, OpRegistry registry) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("ONNX model file not found: " + file, e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read ONNX model file " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(bytes, dir, file.toString(), registry);
    }

    static OnnxGraph parse(byte[] bytes, Path modelDir, String source, OpRegistry registry) {
        try {
            return parseChecked(bytes, modelDir, source, registry);
        } catch (org.acejvm.core.AceException e) {
            throw e;
        } catch (RuntimeException e) {
            // a model file is untrusted input: whatever the checks below miss is still a format error
            throw new ModelFormatException(source + ": cannot be read (" + OnnxModel.INTERNAL_ERROR + ": " + e + ")", e);
        }
    }

    private static OnnxGraph parseChecked(byte[] bytes, Path modelDir, String source, OpRegistry registry) {
        Onnx.ModelProto model;
        try {
            model = Onnx.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(source + " is not a valid ONNX model (corrupt or truncated file): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ModelFormatException(source + " is not a valid ONNX model: " + e, e);
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph()) {
            throw new ModelFormatException(source + " is not a valid ONNX model: no IR version or no graph");
        }
        Onnx.GraphProto g = model.getGraph();
        if (g.getNodeCount() == 0 || g.getOutputCount() == 0) {
            throw new ModelFormatException(source + ": the ONNX graph has no nodes or no outputs (truncated file?)");
        }
        long opset = -1;
        for (Onnx.OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) opset = id.getVersion();
        }
        if (opset < 0) throw new ModelFormatException(source + ": no opset import for the default ONNX domain");
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new ModelFormatException(source + ": opset " + opset + " is not supported (supported: " + MIN_OPSET
                    + " to " + MAX_OPSET + "); re-export with torch.onnx.export(..., opset_version=13 to 17)");
        }
        if (g.getSparseInitializerCount() > 0) throw new ModelFormatException(source + ": sparse initializers are not supported");

        // operators first: the most useful error for a well-formed file
        for (Onnx.NodeProto n : g.getNodeList()) {
            if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) {
                throw new ModelFormatException(source + ": node '" + n.getName() + "' (" + n.getOpType()
                        + ") has no first output (corrupt or truncated file?)");
            }
            String domain = n.getDomain();
            if (!(domain.isEmpty() || domain.equals("ai.onnx")) || !registry.supports(n.getOpType())) {
                String detail = domain.isEmpty() || domain.equals("ai.onnx") ? "" : "operator domain '" + domain + "' is not supported";
                throw new UnsupportedOperatorException(n.getOpType(), n.getName(), opset, detail);
            }
        }

        Map<String, INDArray> inits = new LinkedHashMap<>();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            try {
                inits.put(t.getName(), OnnxTensors.toArray(t, modelDir));
            } catch (ModelFormatException e) {
                throw new ModelFormatException(source + ": " + e.getMessage(), e); // name the file
            }
        }

        List<Port> inputs = new ArrayList<>();
        for (Onnx.ValueInfoProto vi : g.getInputList()) {
            if (inits.containsKey(vi.getName())) continue; // IR < 4 lists initializers as inputs
            inputs.add(port(vi, source));
        }
        List<String> outputs = new ArrayList<>();
        for (Onnx.ValueInfoProto vi : g.getOutputList()) outputs.add(vi.getName());

        Set<String> defined = new HashSet<>(inits.keySet());
        inputs.forEach(p -> defined.add(p.name()));
        for (Onnx.NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new ModelFormatException(source + ": node '" + n.getName() + "' (" + n.getOpType() + ") reads '"
                            + in + "', which no earlier node, input or initializer defines (corrupt or truncated file?)");
                }
            }
            defined.addAll(n.getOutputList());
        }
        for (String out : outputs) {
            if (!defined.contains(out)) throw new ModelFormatException(source + ": graph output '" + out + "' is never computed");
        }
        String producer = model.getProducerName() + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion());
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        return new OnnxGraph(List.copyOf(Fusions.apply(g.getNodeList(), outputs)), inits, List.copyOf(inputs), List.copyOf(outputs), opset,
                producer, source, String.format("%08x", crc.getValue()));
    }

    private static Port port(Onnx.ValueInfoProto vi, String source) {
        String what = source + ": input '" + vi.getName() + "'";
        if (!vi.getType().hasTensorType()) throw new ModelFormatException(what + " is not a tensor");
        Onnx.TypeProto.Tensor tt = vi.getType().getTensorType();
        OnnxTensors.dataType(tt.getElemType(), what);
        if (!tt.hasShape()) throw new ModelFormatException(what + " has no shape; export with fixed sizes except the batch");
        int rank = tt.getShape().getDimCount();
        Dim[] shape = new Dim[rank];
        for (int i = 0; i < rank; i++) {
            Onnx.TensorShapeProto.Dimension d = tt.getShape().getDim(i);
            if (i == 0) {
                shape[i] = Dim.N; // the batch stays free, whatever the export says
            } else if (d.hasDimValue() && d.getDimValue() > 0) {
                shape[i] = Dim.of(d.getDimValue());
            } else {
                throw new ModelFormatException(what + ": dimension " + i + " is not fixed ("
                        + (d.hasDimParam() ? "'" + d.getDimParam() + "'" : "unknown")
                        + "); export with fixed sizes except the batch (dynamic_axes only on axis 0)");
            }
        }
        return new Port(vi.getName(), shape, tt.getElemType());
    }
}
