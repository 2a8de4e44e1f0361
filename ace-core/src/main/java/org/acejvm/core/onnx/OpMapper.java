package org.acejvm.core.onnx;

import java.util.List;

/**
 * Translates one ONNX node into SameDiff ops (or into import-time values). Reads its inputs and attributes from the
 * {@link NodeContext} and returns one {@link Value} per node output it produces, in order.
 */
@FunctionalInterface
interface OpMapper {
    List<Value> map(NodeContext ctx);
}
