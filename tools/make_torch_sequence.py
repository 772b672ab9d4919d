#!/usr/bin/python3
"""Reference data for typenet's sequence layers, from PyTorch (Debian's python3-torch; run with /usr/bin/python3).

Model (float64), the layers named by their index as in nn.Sequential:
    0 Conv1d(2, 6, kernel_size=3, dilation=2), causal: 4 frames of left history
    1 Tanh
    2 GRU(6, 8, batch_first=True)
    3 Linear(8, 5)
    4 ReLU
    5 LSTM(5, 4, batch_first=True)
    6 Linear(4, 2)
typenet: basic_network<double, input<2>, conv1d<6, 3, 2>, tanh, gru<8>, dense<5>, relu, lstm<4>, dense<2>>.

Writes, into tests/data/:
  torch_sequence.safetensors   the initial weights (PyTorch's default initialization, seed 0): 0.weight, 0.bias,
                               2.weight_ih_l0, 2.weight_hh_l0, 2.bias_ih_l0, 2.bias_hh_l0, 3.weight, ...
  torch_sequence.txt           inputs and targets of 3 streams x 400 steps (50 consecutive chunks of 8 steps; the
                               targets come from a nonlinear system with memory); outputs of chunk 0 from zero
                               states and of chunk 1 from the states chunk 0 left; the gradient of chunk 0's mean
                               squared error (parameters_to_vector order); then 50 Adam steps (lr 0.01), one per
                               chunk, the states carried from chunk to chunk and detached (truncated BPTT): the
                               loss of every step and the final parameters.
Hyperparameters are float32 values, because typenet's optimizer fields are float.
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from torch_safetensors import write_safetensors  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'data'
STREAMS, CHUNK, CHUNKS, KERNEL, DILATION = 3, 8, 50, 3, 2
HISTORY = (KERNEL - 1) * DILATION


def f32(value):
    return torch.tensor(value, dtype=torch.float32).item()


class Stack(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module('0', torch.nn.Conv1d(2, 6, KERNEL, dilation=DILATION))
        self.add_module('2', torch.nn.GRU(6, 8, batch_first=True))
        self.add_module('3', torch.nn.Linear(8, 5))
        self.add_module('5', torch.nn.LSTM(5, 4, batch_first=True))
        self.add_module('6', torch.nn.Linear(4, 2))

    def forward(self, x, state):
        """x: [streams, steps, 2]; state: (conv history [streams, 2, HISTORY], gru h, (lstm h, lstm c))."""
        history, gru_hidden, lstm_state = state
        frames = torch.cat([history, x.transpose(1, 2)], dim=2)
        y = torch.tanh(getattr(self, '0')(frames).transpose(1, 2))
        y, gru_hidden = getattr(self, '2')(y, gru_hidden)
        y = torch.relu(getattr(self, '3')(y))
        y, lstm_state = getattr(self, '5')(y, lstm_state)
        y = getattr(self, '6')(y)
        return y, (frames[:, :, -HISTORY:], gru_hidden, lstm_state)


def zero_state():
    return (torch.zeros(STREAMS, 2, HISTORY, dtype=torch.float64), torch.zeros(1, STREAMS, 8, dtype=torch.float64),
            (torch.zeros(1, STREAMS, 4, dtype=torch.float64), torch.zeros(1, STREAMS, 4, dtype=torch.float64)))


def detach(state):
    history, gru_hidden, (h, c) = state
    return history.detach(), gru_hidden.detach(), (h.detach(), c.detach())


def system(x):
    """A tanh saturator after a one-pole low-pass (output 0) and a slowly decaying envelope (output 1)."""
    low = torch.zeros(STREAMS, dtype=torch.float64)
    envelope = torch.zeros(STREAMS, dtype=torch.float64)
    y = torch.zeros(STREAMS, x.shape[1], 2, dtype=torch.float64)
    for t in range(x.shape[1]):
        low = 0.8 * low + 0.2 * (x[:, t, 0] + 0.5 * x[:, t, 1])
        envelope = torch.maximum(0.9 * envelope, x[:, t, 0].abs())
        y[:, t, 0] = torch.tanh(2.5 * low)
        y[:, t, 1] = envelope - 0.5
    return y


def line(key, tensor):
    return key + ' ' + ' '.join(repr(float(v)) for v in tensor.reshape(-1).tolist()) + '\n'


def main():
    torch.manual_seed(0)
    model = Stack().double()
    write_safetensors(DATA / 'torch_sequence.safetensors', {name: value for name, value in model.state_dict().items()})

    steps = CHUNK * CHUNKS
    x = torch.rand(STREAMS, steps, 2, dtype=torch.float64) * 2 - 1
    targets = system(x)
    chunk = lambda tensor, k: tensor[:, k * CHUNK:(k + 1) * CHUNK]  # noqa: E731

    text = ['# tools/make_torch_sequence.py; rows [stream][step][feature], row-major\n', line('inputs', x), line('targets', targets)]
    with torch.no_grad():
        y0, state = model(chunk(x, 0), zero_state())
        y1, _ = model(chunk(x, 1), state)
    text += [line('outputs chunk0', y0), line('outputs chunk1', y1)]

    y0, _ = model(chunk(x, 0), zero_state())
    loss = torch.nn.functional.mse_loss(y0, chunk(targets, 0))
    model.zero_grad()
    loss.backward()
    text.append(line('gradient', torch.cat([p.grad.reshape(-1) for p in model.parameters()])))

    optimizer = torch.optim.Adam(model.parameters(), lr=f32(0.01), betas=(f32(0.9), f32(0.999)), eps=f32(1e-8))
    state = zero_state()
    losses = []
    for k in range(CHUNKS):
        optimizer.zero_grad()
        y, state = model(chunk(x, k), state)
        loss = torch.nn.functional.mse_loss(y, chunk(targets, k))
        loss.backward()
        optimizer.step()
        state = detach(state)
        losses.append(loss.item())
    text.append(line('losses', torch.tensor(losses, dtype=torch.float64)))
    text.append(line('final parameters', torch.cat([p.detach().reshape(-1) for p in model.parameters()])))
    (DATA / 'torch_sequence.txt').write_text(''.join(text))
    print('loss', losses[0], '->', losses[-1])


if __name__ == '__main__':
    main()
