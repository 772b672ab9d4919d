#!/usr/bin/python3
"""PyTorch's activations and losses at special inputs (NaN, +-inf, +-0, subnormals, the largest finite values),
written to tests/data/torch_special_values.txt for tests/test_numerics_special.cpp. Run with Debian's
python3-torch (/usr/bin/python3); CI reads the committed file.

Line format:  activation <name> <dtype> <input> <output>
              loss <name> <dtype> <logit> <target> <loss> <gradient>    (one element, one sample)
Numbers are C99 hexadecimal floats (float.hex), nan and inf spelled as strtod reads them.
"""
import math
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'data' / 'torch_special_values.txt'
F = torch.nn.functional
ACTIVATIONS = {
    'identity': lambda x: x,
    'relu': torch.relu,
    'leaky_relu': F.leaky_relu,  # negative_slope 0.01, typenet::leaky_relu<>
    'tanh': torch.tanh,
    'sigmoid': torch.sigmoid,
    'selu': torch.selu,
    'gelu': F.gelu,
}


def inputs(dtype):
    info = torch.finfo(dtype)
    tiny = info.tiny  # smallest normal
    values = [math.nan, math.inf, -math.inf, 0.0, -0.0, tiny, -tiny, tiny / 4, -tiny / 4, info.max, -info.max,
              1.0, -1.0, 20.0, -20.0, 100.0, -100.0, 1000.0, -1000.0]
    return [float(torch.tensor(v, dtype=dtype)) for v in values]


def spell(value):
    if math.isnan(value):
        return 'nan'
    if math.isinf(value):
        return 'inf' if value > 0 else '-inf'
    return float.hex(value)


def main():
    lines = []
    for dtype, dtype_name in [(torch.float32, 'float32'), (torch.float64, 'float64')]:
        for name, function in ACTIVATIONS.items():
            for value in inputs(dtype):
                y = function(torch.tensor([value], dtype=dtype))[0].item()
                lines.append(f'activation {name} {dtype_name} {spell(value)} {spell(y)}')
        logits = [math.nan, math.inf, -math.inf, 0.0, 1.0, -1.0, 100.0, -100.0]
        for logit in logits:
            for target in [0.0, 0.5, 1.0, math.nan]:
                z = torch.tensor([[logit]], dtype=dtype, requires_grad=True)
                t = torch.tensor([[target]], dtype=dtype)
                loss = F.binary_cross_entropy_with_logits(z, t)
                loss.backward()
                lines.append(f'loss binary_cross_entropy_with_logits {dtype_name} {spell(logit)} {spell(target)} '
                             f'{spell(loss.item())} {spell(z.grad[0, 0].item())}')
                z = torch.tensor([[logit]], dtype=dtype, requires_grad=True)
                loss = F.mse_loss(z, t)
                loss.backward()
                lines.append(f'loss mse {dtype_name} {spell(logit)} {spell(target)} {spell(loss.item())} '
                             f'{spell(z.grad[0, 0].item())}')
        # Cross-entropy over two classes: the special logit is class 0, class 1 has logit 0, the target is 0.
        for logit in logits:
            z = torch.tensor([[logit, 0.0]], dtype=dtype, requires_grad=True)
            loss = F.cross_entropy(z, torch.tensor([0]))
            loss.backward()
            lines.append(f'loss softmax_cross_entropy {dtype_name} {spell(logit)} 0 {spell(loss.item())} '
                         f'{spell(z.grad[0, 0].item())}')
    OUT.write_text('# made by tools/torch_special_values.py with torch ' + torch.__version__ + '\n' + '\n'.join(lines) + '\n')
    print(f'{len(lines)} lines -> {OUT}')


if __name__ == '__main__':
    main()
