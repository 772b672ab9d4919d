#!/usr/bin/python3
"""PyTorch reference data for typenet's residual-structure combinators (structure/: residual,
residual_projection, skip_init, gated, parallel, sequential), replayed by tests/test_structure_torch.cpp.

Run with Debian's python3-torch:  /usr/bin/python3 tools/torch_structure.py
CI does not need torch: the output files are committed.

The modules below are what a PyTorch user writes to exchange weights with typenet's combinators
(docs/structure-pytorch.md):
    Residual(*layers, shortcut=None, gain=False)   residual<Layers...>, residual_projection<P, Layers...>
                                                   (shortcut=P), residual<skip_init, Layers...> (gain=True)
    Parallel('sum' | 'concat', *branches)           parallel<sum | concat, Branches...>
    nn.Sequential(*layers)                          sequential<Layers...>
    Gated(a=torch.tanh, b=torch.sigmoid)            gated<A, B>
    CausalConv1d(in, out, k, dilation)              conv1d<out, k, dilation> (on [batch, time, channels])

Models, float64, PyTorch's default initialization from a fixed seed (typenet types in
tests/test_structure_torch.cpp):
    residual_mlp  Linear(6,16) ReLU Residual(Linear ReLU Linear) ReLU Residual(Linear Tanh Linear, gain)
                  Residual(Linear(16,12) ReLU Linear(12,8), shortcut=Linear(16,8)) Linear(8,3);
                  the SkipInit gain is set to 0.5 (it starts at zero) so that the branch matters
    gated         Linear(5,12) Gated Residual(Linear(6,12) Gated Linear(6,6)) Linear(6,2)
    parallel      Parallel(concat: Linear(5,4), Sequential(Linear(5,6) ReLU Linear(6,3))) Tanh
                  Parallel(sum: Linear(7,7), Sequential(Linear(7,8) GELU Linear(8,7)),
                               Residual(Linear(7,7) ReLU Linear(7,7))) Linear(7,2)
    tcn           Residual(CausalConv1d(3,6,3,1) ReLU CausalConv1d(6,6,3,2), shortcut=CausalConv1d(3,6,1)) ReLU
                  Residual(CausalConv1d(6,6,3,4) Tanh CausalConv1d(6,6,1)) Linear(6,2)

Writes, into tests/data/, for each model NAME:
  torch_structure_NAME.safetensors  the initial state_dict (F64), names exactly PyTorch's
  torch_structure_NAME.txt          lines of key words and numbers (tests/torch_table.hpp); tensor names
                                    in brackets ("gradient [4.0.weight]"), values row-major:
    feed-forward models (batch 8, 4 batches of training data used in turn):
      test inputs / outputs float64 / outputs float32   8 fixed inputs, outputs of the float64 model and of
                                                        the same weights rounded to float32, run in float32
      train inputs / train targets                      [batch][sample][feature]
      gradient [NAME]                                   d MSE / d tensor for train batch 0 (initial weights)
      losses                                            50 Adam steps (step s: batch s % 4), loss before each update
      final [NAME]                                      the parameters after the 50 steps
    tcn (3 streams, 50 consecutive chunks of 12 steps; typenet::sequence_trainer<Net, mse, adam, 12, 3>,
         carry_state on, its default):
      inputs / targets                                  [stream][step][feature], 600 steps
      outputs float64 chunk0 / chunk1 (and float32)     chunk 0 from zero states, chunk 1 from the states chunk 0
                                                        left (each CausalConv1d's history), [stream][step][output]
      gradient [NAME]                                   d MSE / d tensor over chunk 0 from zero states, mean over
                                                        streams, steps and outputs
      losses / final [NAME]                             50 Adam steps, one per chunk, the convolutions' histories
                                                        carried from chunk to chunk and detached (truncated BPTT)
Adam: lr 0.005, betas (0.9, 0.999), eps 1e-8, all float32 values, because typenet's optimizer fields are float.
"""
import copy
import functools
import operator
import pathlib
import sys

import torch
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from torch_safetensors import write_safetensors  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'data'
STEPS = 50
BATCH, BATCHES = 8, 4
STREAMS, CHUNK = 3, 12


def f32(value):
    return torch.tensor(value, dtype=torch.float32).item()


# ---- The modules (docs/structure-pytorch.md shows the same definitions).

class Residual(nn.Sequential):
    """y = shortcut(x) + gain * F(x), F the numbered children; shortcut the identity unless given, gain 1
    unless gain=True (a learnable scalar that starts at zero: SkipInit). state_dict: 'J.<tensor>' for child
    J, 'gain', 'shortcut.<tensor>'."""

    def __init__(self, *layers, shortcut=None, gain=False):
        super().__init__(*layers)
        if gain:
            self.gain = nn.Parameter(torch.zeros(1))
        if shortcut is not None:
            self.shortcut = shortcut

    def forward(self, x):
        f = x
        for name, layer in self._modules.items():
            if name.isdigit():
                f = layer(f)
        if 'gain' in self._parameters:
            f = self.gain * f
        return (self.shortcut(x) if 'shortcut' in self._modules else x) + f


class Parallel(nn.ModuleList):
    """Every branch sees the input; outputs summed (in order: ((b0 + b1) + b2) ...) or concatenated along
    the last dimension. state_dict: 'B.<tensor>' for branch B."""

    def __init__(self, combine, *branches):
        super().__init__(branches)
        assert combine in ('sum', 'concat')
        self.combine = combine

    def forward(self, x):
        outputs = [branch(x) for branch in self]
        return torch.cat(outputs, dim=-1) if self.combine == 'concat' else functools.reduce(operator.add, outputs)


class Gated(nn.Module):
    """Input 2N -> N: a(x[..., :N]) * b(x[..., N:]) (WaveNet's gated unit). No parameters."""

    def __init__(self, a=torch.tanh, b=torch.sigmoid):
        super().__init__()
        self.a, self.b = a, b

    def forward(self, x):
        n = x.shape[-1] // 2
        return self.a(x[..., :n]) * self.b(x[..., n:])


class CausalConv1d(nn.Conv1d):
    """nn.Conv1d on [batch, time, channels], causal: (k - 1) * dilation frames of left context, zeros at the
    start. It keeps the last (k - 1) * dilation input frames of each call (detached) as the left context of
    the next, as typenet's state: reset_state(model) starts again from zeros."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
        self.context = (kernel_size - 1) * dilation
        self.history = None

    def forward(self, x):
        x = x.transpose(1, 2)  # [batch, channels, time]
        history = self.history if self.history is not None else x.new_zeros(x.shape[0], x.shape[1], self.context)
        frames = torch.cat([history, x], dim=2)
        self.history = frames[:, :, frames.shape[2] - self.context:].detach()
        return super().forward(frames).transpose(1, 2)


def reset_state(model):
    for module in model.modules():
        if isinstance(module, CausalConv1d):
            module.history = None


# ---- The four models.

def residual_mlp():
    model = nn.Sequential(
        nn.Linear(6, 16), nn.ReLU(),
        Residual(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 16)),
        nn.ReLU(),
        Residual(nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 16), gain=True),
        Residual(nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 8), shortcut=nn.Linear(16, 8)),
        nn.Linear(8, 3))
    with torch.no_grad():
        model[4].gain.fill_(0.5)
    return model, 6, 3


def gated():
    return nn.Sequential(nn.Linear(5, 12), Gated(), Residual(nn.Linear(6, 12), Gated(torch.tanh, torch.sigmoid), nn.Linear(6, 6)),
                         nn.Linear(6, 2)), 5, 2


def parallel():
    return nn.Sequential(
        Parallel('concat', nn.Linear(5, 4), nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 3))),
        nn.Tanh(),
        Parallel('sum', nn.Linear(7, 7), nn.Sequential(nn.Linear(7, 8), nn.GELU(), nn.Linear(8, 7)),
                 Residual(nn.Linear(7, 7), nn.ReLU(), nn.Linear(7, 7))),
        nn.Linear(7, 2)), 5, 2


def tcn():
    return nn.Sequential(
        Residual(CausalConv1d(3, 6, 3, 1), nn.ReLU(), CausalConv1d(6, 6, 3, 2), shortcut=CausalConv1d(3, 6, 1)),
        nn.ReLU(),
        Residual(CausalConv1d(6, 6, 3, 4), nn.Tanh(), CausalConv1d(6, 6, 1)),
        nn.Linear(6, 2)), 3, 2


# ---- Output.

def numbers(tensor):
    return ' '.join(repr(float(v)) for v in tensor.detach().reshape(-1).tolist())


def adam(model):
    return torch.optim.Adam(model.parameters(), lr=f32(0.005), betas=(f32(0.9), f32(0.999)), eps=f32(1e-8))


def tensors(lines, key, model, gradient=False):
    for name, parameter in model.named_parameters():
        lines.append(f'{key} [{name}] {numbers(parameter.grad if gradient else parameter)}')


def feed_forward(name, make):
    model, inputs, outputs = make()
    write_safetensors(DATA / f'torch_structure_{name}.safetensors', dict(model.state_dict()), {'format': 'pt'})
    lines = [f'# tools/torch_structure.py ({name}), torch {torch.__version__}; rows row-major']

    test_inputs = torch.rand(8, inputs) * 4 - 2
    with torch.no_grad():
        single = copy.deepcopy(model).float()
        lines += [f'test inputs {numbers(test_inputs)}', f'outputs float64 {numbers(model(test_inputs))}',
                  f'outputs float32 {numbers(single(test_inputs.float()))}']

    # Targets: a smooth function of the inputs, learnable by the model.
    mixing = torch.randn(inputs, outputs)
    train_inputs = torch.rand(BATCHES, BATCH, inputs) * 4 - 2
    train_targets = torch.sin(train_inputs @ mixing * 0.5)
    lines += [f'train inputs {numbers(train_inputs)}', f'train targets {numbers(train_targets)}']

    optimizer = adam(model)
    losses = []
    for step in range(STEPS):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(train_inputs[step % BATCHES]), train_targets[step % BATCHES])
        loss.backward()
        if step == 0:
            tensors(lines, 'gradient', model, gradient=True)
        optimizer.step()
        losses.append(loss.item())
    lines.append('losses ' + ' '.join(repr(v) for v in losses))
    tensors(lines, 'final', model)
    (DATA / f'torch_structure_{name}.txt').write_text('\n'.join(lines) + '\n')
    print(f'{name}: loss {losses[0]:.4g} -> {losses[-1]:.4g}')


def system(x):
    """Targets with memory: a tanh of a one-pole low-pass of the inputs (output 0), a decaying envelope
    (output 1)."""
    low = torch.zeros(x.shape[0])
    envelope = torch.zeros(x.shape[0])
    y = torch.zeros(x.shape[0], x.shape[1], 2)
    for t in range(x.shape[1]):
        low = 0.7 * low + 0.3 * (x[:, t, 0] - 0.5 * x[:, t, 1] + 0.25 * x[:, t, 2])
        envelope = torch.maximum(0.85 * envelope, x[:, t, 2].abs())
        y[:, t, 0] = torch.tanh(2 * low)
        y[:, t, 1] = envelope - 0.5
    return y


def sequence(name, make):
    model, inputs, _ = make()
    write_safetensors(DATA / f'torch_structure_{name}.safetensors', dict(model.state_dict()), {'format': 'pt'})
    lines = [f'# tools/torch_structure.py ({name}), torch {torch.__version__}; rows [stream][step][feature], row-major']
    x = torch.rand(STREAMS, CHUNK * STEPS, inputs) * 2 - 1
    targets = system(x)
    chunk = lambda tensor, k: tensor[:, k * CHUNK:(k + 1) * CHUNK]  # noqa: E731
    lines += [f'inputs {numbers(x)}', f'targets {numbers(targets)}']

    with torch.no_grad():
        for label, copy_of in (('float64', model), ('float32', copy.deepcopy(model).float())):
            reset_state(copy_of)
            data = x if label == 'float64' else x.float()
            lines.append(f'outputs {label} chunk0 {numbers(copy_of(chunk(data, 0)))}')
            lines.append(f'outputs {label} chunk1 {numbers(copy_of(chunk(data, 1)))}')
        # The carried histories are the left context: two chunks give the outputs of one run over both.
        reset_state(model)
        streamed = torch.cat([model(chunk(x, 0)), model(chunk(x, 1))], dim=1)
        reset_state(model)
        whole = model(x[:, :2 * CHUNK])
        assert torch.allclose(streamed, whole, rtol=0, atol=1e-14), (streamed - whole).abs().max()

    reset_state(model)
    optimizer = adam(model)
    losses = []
    for k in range(STEPS):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(chunk(x, k)), chunk(targets, k))
        loss.backward()
        if k == 0:
            tensors(lines, 'gradient', model, gradient=True)
        optimizer.step()
        losses.append(loss.item())
    lines.append('losses ' + ' '.join(repr(v) for v in losses))
    tensors(lines, 'final', model)
    (DATA / f'torch_structure_{name}.txt').write_text('\n'.join(lines) + '\n')
    print(f'{name}: loss {losses[0]:.4g} -> {losses[-1]:.4g}')


def main():
    torch.set_default_dtype(torch.float64)
    for index, (name, make) in enumerate((('residual_mlp', residual_mlp), ('gated', gated), ('parallel', parallel))):
        torch.manual_seed(20261201 + index)
        feed_forward(name, make)
    torch.manual_seed(20261204)
    sequence('tcn', tcn)


if __name__ == '__main__':
    main()
