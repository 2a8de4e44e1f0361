"""Weights of an ONNX file exported from a PyTorch module, loaded back into that module by initializer name."""
import onnx
import torch
from onnx import numpy_helper


def load_by_name(module, path):
    """Loads every entry of `module`'s state dict from the ONNX initializer of the same name in `path` (a model that
    torch.onnx.export wrote from this module's class without folding its weights); returns the module. Raises
    ValueError naming the entries the file lacks."""
    values = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(path).graph.initializer}
    state = module.state_dict()
    missing = [k for k in state if k not in values]
    if missing:
        raise ValueError('%s lacks the weights %s' % (path, missing))
    module.load_state_dict({k: values[k] for k in state})
    return module
