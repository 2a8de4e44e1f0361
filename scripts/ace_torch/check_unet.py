"""Self-check of ace_torch.unet: einsum == matmul attention, int/float timesteps, zero init, ONNX export
at opsets 13-17 with a dynamic batch axis (onnx.checker). Run: /usr/bin/python3 scripts/ace_torch/check_unet.py"""
import sys, io, torch, onnx
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from ace_torch.unet import UNetModel, set_attention_impl, count_parameters, resolutions_to_factors
torch.manual_seed(0)
m = UNetModel(32, 1, 32, num_res_blocks=1, attention_resolutions=(2, 4), channel_mult=(1, 2, 2), num_head_channels=16,
              use_scale_shift_norm=True, resblock_updown=True, learn_sigma=True, zero_init=False).eval()
m2 = UNetModel(32, 3, 32, num_res_blocks=1, attention_resolutions=(4,), channel_mult=(1, 2, 2), num_heads=2,
              use_scale_shift_norm=False, resblock_updown=False, learn_sigma=False, zero_init=False).eval()
print(count_parameters(m), count_parameters(m2))
x = torch.randn(3, 1, 32, 32); t = torch.tensor([0, 10, 499])
with torch.no_grad():
    set_attention_impl(m, 'einsum'); a = m(x, t)
    set_attention_impl(m, 'matmul'); b = m(x, t)
    c = m(x, t.float())
print(a.shape, (a-b).abs().max().item(), (a-c).abs().max().item(), a.std().item())
print(m2(torch.randn(2,3,32,32), torch.tensor([5, 7])).shape)
z = UNetModel(32, 1, 32, num_res_blocks=1, attention_resolutions=(2,), channel_mult=(1, 2), learn_sigma=True)
print('zero-init out', z(x, t).abs().max().item())
for impl in ['einsum', 'matmul']:
  set_attention_impl(m, impl)
  for op in range(13, 18):
    f = io.BytesIO()
    torch.onnx.export(m, (x, t), f, opset_version=op, input_names=['x', 'timesteps'], output_names=['out'],
                      dynamic_axes={'x': {0: 'N'}, 'timesteps': {0: 'N'}, 'out': {0: 'N'}})
    mp = onnx.load_from_string(f.getvalue()); onnx.checker.check_model(mp)
    print(impl, op, sorted(set(n.op_type for n in mp.graph.node)))
