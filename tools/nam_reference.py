#!/usr/bin/python3
"""Reference data for typenet's Neural Amp Modeler (.nam) loader: our own float64 PyTorch implementation of
NAM's A1 WaveNet and LSTM, .nam files with random weights, and the output each gives for a test signal.
The C++ tests load each .nam file, run tests/data/nam/signal.f32 through it and compare with the expected
output (tolerance 1e-5 of the output's peak).

Run with Debian's python3-torch:  /usr/bin/python3 tools/nam_reference.py           (writes tests/data/nam/)
                                  /usr/bin/python3 tools/nam_reference.py --check   (verifies what is there)
                                  /usr/bin/python3 tools/nam_reference.py --run MODEL.nam INPUT [OUTPUT.f32]
CI does not need torch: the output files are committed. --run plays any A1 WaveNet or LSTM .nam file (INPUT
a mono 16/24/32-bit PCM .wav or raw float32 .f32) and prints the output's peak; OUTPUT gets raw float32.

The semantics are NAM's (read at the source, no code taken from it): the trainer
sdatkinson/neural-amp-modeler v0.12.3 (nam/models/wavenet.py, recurrent.py, exportable.py, base.py,
metadata.py; presets in nam/train/core.py) and the engine sdatkinson/NeuralAmpModelerCore (NAM/dsp.cpp,
NAM/lstm.cpp, NAM/wavenet/model.cpp, NAM/conv1d.cpp, NAM/get_dsp.cpp, NAM/activations.h/.cpp).

A1 WaveNet, config {"layers": [ARRAY...], "head": null, "head_scale": S}, every ARRAY
  {input_size, condition_size, head_size, channels, kernel_size, dilations, activation, gated, head_bias}:
    array input x (array 0: the signal; array i+1: array i's residual output), condition c = the signal
    x = rechannel(x)                                     Conv1x1 input_size -> channels, no bias
    per dilation d:  z = conv_d(x) + mixin(c)            causal conv channels -> M (M = 2*channels if gated),
                                                         kernel_size taps, dilation d, bias; mixin Conv1x1
                                                         condition_size -> M, no bias
                     a = act(z), or act(z[:channels]) * sigmoid(z[channels:]) if gated
                     head += a                           (array 0's head starts at zero, array i+1's at
                                                         array i's head output)
                     x = x + conv1x1(a)                  channels -> channels, bias
    head output = head_rechannel(head)                   Conv1x1 channels -> head_size, bias if head_bias
  model output = head_scale * (last array's head output); head_scale is the LAST weight of the file (NAM
  Core reads it there; the config's copy only documents it). Weights, in order: per array the rechannel
  [out][in], per layer conv weight [out][in][tap] (tap kernel_size-1 is the current sample) then its bias,
  mixin [out][in], 1x1 [out][in] then bias; then the head_rechannel [out][in] (+ bias); finally head_scale.
  Receptive field R = 1 + sum over all layers of dilation * (kernel_size - 1).
  act is the array's "activation", a torch.nn class name the trainer instantiates with default arguments
  (getattr(torch.nn, name)()), NAM Core's formula per element: Tanh; ReLU max(x, 0); Sigmoid 1/(1+e^-x);
  Hardtanh clamp(x, -1, 1); SiLU x*sigmoid(x); Hardswish x*clamp(x+3, 0, 6)/6; Softsign x/(1+|x|);
  LeakyReLU x > 0 ? x : 0.01*x. Here computed by torch's float64 functions (torch.tanh, relu, sigmoid,
  F.hardtanh, silu, hardswish, softsign, leaky_relu); --check compares them with the formulas.
LSTM, config {input_size, hidden_size, num_layers}: per layer (input input_size, then hidden_size)
  W = [W_ih | W_hh] (4H x (in + H), row-major), b = b_ih + b_hh (4H), initial hidden h0 (H), initial cell c0 (H);
  gates in the order i, f, g, o; then the head Linear(H -> 1): weight (H), bias (1).
  c = sigmoid(f) * c + sigmoid(i) * tanh(g),  h = sigmoid(o) * tanh(c),  output = head(h of the last layer).

Prewarm (NAM Core's DSP::prewarm(), which Reset(sample_rate, block) runs on a freshly loaded model): zeros,
processed in blocks of the host's maximum block size (4096 when none was set) until at least
GetPrewarmSamples() samples have gone through:
    WaveNet  1 + sum over layer arrays of sum(dilation * (kernel_size - 1)) = R samples; a WaveNet is a
             function of its last R inputs, so the state after prewarm is the steady state of zero input
             and the output equals that of the valid (unpadded) convolutions over R zeros followed by the
             signal, for any block size (the --check replays it block by block from zeroed histories).
    LSTM     int(0.5 * sample_rate) = 24000 samples at 48 kHz (1 without a sample rate), starting from the
             file's initial states. The expected outputs use exactly 24000 zero samples (what Reset(48000, 64)
             does); the --check verifies that 24576 (4096-sample blocks) gives the same output to 1e-9 of the
             peak, since these random LSTMs forget their start long before. The LSTMs' *.noprewarm.f32 are the
             outputs from the file's initial states without any prewarm, where h0 and c0 matter.

Writes, into tests/data/nam/:
    signal.f32                   the test signal: 2048 samples at 48 kHz, raw little-endian float32, |x| <= 0.9
    NAME.nam                     the model as NAM's trainer exports it (file version "0.5.4", the A1 trainer's
                                 last; keys version, metadata, architecture, config, weights, sample_rate;
                                 each weight a float32 value printed as the Python float (double) equal to
                                 it, e.g. 0.019999999552965164 for 0.02f, as the trainer prints them)
    NAME.expected.f32            the model's output for signal.f32 after NAM Core's prewarm, computed in
                                 float64 from the float32 weights, rounded to float32 at the end
    NAME.noprewarm.f32           (LSTMs) the output for signal.f32 from the file's initial states, no prewarm
    README.md                    what the files are
Models: the trainer's WaveNet presets wavenet_standard, wavenet_lite, wavenet_feather, wavenet_nano (configs
exactly as nam/train/core.py has them), wavenet_gated, wavenet_relu_k2, wavenet_three_arrays; one small
WaveNet per other activation, wavenet_silu, wavenet_hardtanh, wavenet_softsign, wavenet_hardswish,
wavenet_leaky_relu, wavenet_sigmoid (2 arrays: 4 then 2 channels, head sizes 2 then 1, kernel 3, dilations
[1, 2, 4] and [8, 16], head bias on the second only, not gated; 296 weights, R = 63); LSTMs lstm_1x8,
lstm_1x16, lstm_2x8, lstm_2x12, lstm_3x4. Random weights from a fixed seed per model (our own splitmix64
seeded from the model's name, so that no library version changes them and adding a model changes no other),
uniform within the bounds given at WAVENET_BOUND below, those feeding the activations of the per-activation
models widened by their DRIVE so that the pre-activations pass the kinks (COVERAGE); then the final linear
map is rescaled so that the output for signal.f32 swings +-0.5 about a zero mean.

--check re-reads every file and verifies: the signal and the weights are what the generator makes; the
closed parameter-count formula equals len(weights) (and the real trained files' 13802 / 3026 / 842 for the
standard / feather / nano presets); the expected outputs recomputed; a second, independent computation
(WaveNet: a block-by-block streaming replay with per-convolution histories and an explicit prewarm, in
blocks of 64 and of 4096; LSTM: torch.nn.LSTM, also with a 24576-sample prewarm); that a float32
computation stays within 2e-6 of the peak (the margin under the C++ tests' 1e-5); that torch's activation
functions equal NAM Core's formulas (to 1e-15, relative above 1, on a grid through the kinks); and, for
each WaveNet, prints the range of its pre-activations over signal.f32 and requires for ReLU, LeakyReLU,
Hardtanh, Hardswish, SiLU, Softsign and Sigmoid that at least 1% lie beyond each side of COVERAGE's point.
"""
import json
import math
import pathlib
import struct
import sys
import wave

import torch
import torch.nn.functional as F

DATA = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'data' / 'nam'
SAMPLE_RATE = 48000
SIGNAL_LENGTH = 2048
FILE_VERSION = '0.5.4'
BLOCK = 64                  # the block size of the --check's streaming replay (and of NAM Core's render tool)
DEFAULT_MAX_BLOCK = 4096    # NAM_DEFAULT_MAX_BUFFER_SIZE: prewarm()'s block size when no size was set
DATE = {'year': 2026, 'month': 1, 'day': 2, 'hour': 3, 'minute': 4, 'second': 5}  # fixed: files regenerate identically


# ---- Random numbers: splitmix64, independent of numpy's and torch's versions.

class Random:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def uniform(self, low=0.0, high=1.0):
        return low + (high - low) * ((self.next64() >> 11) * 2.0 ** -53)

    def normal(self):
        u1 = 1.0 - self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * self.uniform())


def f32(value):
    """The float32 nearest value, as a Python float (exact)."""
    return struct.unpack('<f', struct.pack('<f', value))[0]


def write_f32(path, values):
    path.write_bytes(struct.pack(f'<{len(values)}f', *values))


def read_f32(path):
    data = path.read_bytes()
    return list(struct.unpack(f'<{len(data) // 4}f', data))


# ---- The test signal.

def test_signal():
    """2048 samples, rounded to float32, the whole scaled so that its peak is 0.9 (factor 0.85; the peaks
    below are after it): 96 samples of silence, a logarithmic sine sweep (peak 0.51), a Gaussian noise
    burst (0.35), a DC step (0.21) and a decaying plucked-string-like tone with a noisy attack (0.9),
    with short silences between them."""
    rng = Random(20260102)
    x = [0.0] * SIGNAL_LENGTH

    def fade(i, n, edge):
        return min(1.0, i / edge, (n - 1 - i) / edge)

    # 96..735: sweep 60 Hz -> 9 kHz, amplitude 0.6, 32-sample fades
    start, n = 96, 640
    f0, f1 = 60.0, 9000.0
    k = math.log(f1 / f0)
    for i in range(n):
        t = i / SAMPLE_RATE
        duration = n / SAMPLE_RATE
        phase = 2.0 * math.pi * f0 * duration / k * (math.exp(k * t / duration) - 1.0)
        x[start + i] = 0.6 * fade(i, n, 32) * math.sin(phase)
    # 768..1023: noise burst, Gaussian (standard deviation 0.15), Hann envelope
    start, n = 768, 256
    for i in range(n):
        env = 0.5 - 0.5 * math.cos(2.0 * math.pi * i / (n - 1))
        x[start + i] = max(-0.85, min(0.85, 0.15 * env * rng.normal()))
    # 1040..1103: DC step at 0.25 with 8-sample ramps
    start, n = 1040, 64
    for i in range(n):
        x[start + i] = 0.25 * fade(i, n, 8)
    # 1152..2047: pluck at 196 Hz: 8 decaying harmonics, the higher ones decaying faster, plus a noise attack
    # decaying with a 2 ms time constant
    start = 1152
    for i in range(SIGNAL_LENGTH - start):
        t = i / SAMPLE_RATE
        v = 0.0
        for h in range(1, 9):
            v += (0.55 / h) * math.exp(-t * (18.0 + 14.0 * h)) * math.sin(2.0 * math.pi * 196.0 * h * t + 0.3 * h)
        v += 0.3 * math.exp(-t / 0.002) * rng.uniform(-1.0, 1.0)
        v *= min(1.0, i / 4.0)
        x[start + i] = v
    peak = max(abs(v) for v in x)
    scale = min(1.0, 0.9 / peak)
    return [f32(v * scale) for v in x]


# ---- WaveNet (A1).

def wavenet_tensors(config):
    """The weight list's tensors in file order: (name, shape, fan_in)."""
    out = []
    for a, la in enumerate(config['layers']):
        ch, k = la['channels'], la['kernel_size']
        mid = 2 * ch if la['gated'] else ch
        out.append((f'{a}.rechannel', (ch, la['input_size'], 1), la['input_size']))
        for l, _ in enumerate(la['dilations']):
            out.append((f'{a}.{l}.conv.weight', (mid, ch, k), ch * k))
            out.append((f'{a}.{l}.conv.bias', (mid,), ch * k))
            out.append((f'{a}.{l}.mixin', (mid, la['condition_size'], 1), la['condition_size']))
            out.append((f'{a}.{l}.1x1.weight', (ch, ch, 1), ch))
            out.append((f'{a}.{l}.1x1.bias', (ch,), ch))
        out.append((f'{a}.head_rechannel.weight', (la['head_size'], ch, 1), ch))
        if la['head_bias']:
            out.append((f'{a}.head_rechannel.bias', (la['head_size'],), ch))
    out.append(('head_scale', (), 1))
    return out


def wavenet_parameter_count(config):
    """The closed formula (checked against the tensor list and the files)."""
    total = 1  # head_scale
    for la in config['layers']:
        ch, k, cond = la['channels'], la['kernel_size'], la['condition_size']
        mid = 2 * ch if la['gated'] else ch
        per_layer = mid * ch * k + mid + cond * mid + ch * ch + ch
        total += la['input_size'] * ch + len(la['dilations']) * per_layer + ch * la['head_size']
        total += la['head_size'] if la['head_bias'] else 0
    return total


def wavenet_receptive_field(config):
    return 1 + sum(d * (la['kernel_size'] - 1) for la in config['layers'] for d in la['dilations'])


def wavenet_unpack(config, weights, dtype=torch.float64):
    tensors, i = {}, 0
    for name, shape, _ in wavenet_tensors(config):
        n = math.prod(shape)
        tensors[name] = torch.tensor(weights[i:i + n], dtype=dtype).reshape(shape)
        i += n
    if i != len(weights):
        raise ValueError(f'WaveNet config takes {i} weights, the file has {len(weights)}')
    return tensors


ACTIVATIONS = {  # the A1 trainer's activations are torch.nn classes by name; NAM Core knows these spellings
    'Tanh': torch.tanh, 'ReLU': torch.relu, 'Sigmoid': torch.sigmoid, 'Hardtanh': F.hardtanh,
    'SiLU': F.silu, 'Hardswish': F.hardswish, 'Softsign': F.softsign, 'LeakyReLU': F.leaky_relu,
}


# NAM Core's own formulas (NAM/activations.h), written out per element in float64: --check verifies that the
# torch functions above agree with them. The trainer builds getattr(torch.nn, name)() with default
# arguments, so Hardtanh is [-1, 1] and LeakyReLU's slope 0.01 (NAM Core's too).
NAM_CORE_FORMULAS = {
    'Tanh': math.tanh,
    'ReLU': lambda x: x if x > 0.0 else 0.0,
    'Sigmoid': lambda x: 1.0 / (1.0 + math.exp(-x)),
    'Hardtanh': lambda x: min(max(x, -1.0), 1.0),
    'SiLU': lambda x: x / (1.0 + math.exp(-x)),                     # swish: x * sigmoid(x)
    'Hardswish': lambda x: x * min(max(x + 3.0, 0.0), 6.0) / 6.0,   # x * clamp(x + 3, 0, 6) / 6
    'Softsign': lambda x: x / (1.0 + abs(x)),
    'LeakyReLU': lambda x: x if x > 0.0 else 0.01 * x,
}


def activation(la):
    name = la['activation']
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f'activation {name!r} is not one this A1 reference knows')
    return ACTIVATIONS[name]


def wavenet_forward(config, weights, signal, dtype=torch.float64, probe=None):
    """Valid (unpadded) convolutions over the whole input: output length len(signal) - (R - 1). A list as
    `probe` collects every layer's activation input (array index, tensor channels x samples)."""
    w = wavenet_unpack(config, weights, dtype)
    c = torch.tensor(signal, dtype=dtype).reshape(1, 1, -1)
    x, head = c, None
    for a, la in enumerate(config['layers']):
        act, ch = activation(la), la['channels']
        x = F.conv1d(x, w[f'{a}.rechannel'])
        for l, d in enumerate(la['dilations']):
            z = F.conv1d(x, w[f'{a}.{l}.conv.weight'], w[f'{a}.{l}.conv.bias'], dilation=d)
            n = z.shape[2]
            z = z + F.conv1d(c[:, :, -n:], w[f'{a}.{l}.mixin'])
            if probe is not None:
                probe.append((a, z[0, :ch]))
            post = act(z[:, :ch]) * torch.sigmoid(z[:, ch:]) if la['gated'] else act(z)
            head = post if head is None else head[:, :, -n:] + post
            x = x[:, :, -n:] + F.conv1d(post, w[f'{a}.{l}.1x1.weight'], w[f'{a}.{l}.1x1.bias'])
        head = F.conv1d(head, w[f'{a}.head_rechannel.weight'], w.get(f'{a}.head_rechannel.bias'))
    return (w['head_scale'] * head)[0, 0]


def wavenet_run(config, weights, signal, dtype=torch.float64):
    """The output for signal after NAM Core's prewarm: R zeros before it."""
    r = wavenet_receptive_field(config)
    return wavenet_forward(config, weights, [0.0] * r + list(signal), dtype)[-len(signal):]


def wavenet_streaming(config, weights, signal, block=BLOCK):
    """Independent replay of NAM Core's streaming: every convolution keeps its own input history (zeros at
    load), prewarm feeds zeros in blocks until at least R samples went through, then the signal block by
    block. Used by --check to confirm that wavenet_run's zero-padding equals the prewarm."""
    w = wavenet_unpack(config, weights)
    histories = {}

    def conv(name, x, weight, bias, d):
        k = weight.shape[2]
        context = d * (k - 1)
        if context == 0:
            return F.conv1d(x, weight, bias)
        h = histories.get(name)
        if h is None:
            h = x.new_zeros(1, x.shape[1], context)
        frames = torch.cat([h, x], dim=2)
        histories[name] = frames[:, :, -context:]
        return F.conv1d(frames, weight, bias, dilation=d)

    def process(samples):
        c = torch.tensor(samples, dtype=torch.float64).reshape(1, 1, -1)
        x, head = c, None
        for a, la in enumerate(config['layers']):
            act, ch = activation(la), la['channels']
            x = F.conv1d(x, w[f'{a}.rechannel'])
            layer_head = torch.zeros(1, ch, c.shape[2], dtype=torch.float64) if head is None else head
            for l, d in enumerate(la['dilations']):
                z = conv(f'{a}.{l}', x, w[f'{a}.{l}.conv.weight'], w[f'{a}.{l}.conv.bias'], d)
                z = z + F.conv1d(c, w[f'{a}.{l}.mixin'])
                post = act(z[:, :ch]) * torch.sigmoid(z[:, ch:]) if la['gated'] else act(z)
                layer_head = layer_head + post
                x = x + F.conv1d(post, w[f'{a}.{l}.1x1.weight'], w[f'{a}.{l}.1x1.bias'])
            head = F.conv1d(layer_head, w[f'{a}.head_rechannel.weight'], w.get(f'{a}.head_rechannel.bias'))
        return (w['head_scale'] * head)[0, 0]

    prewarm = wavenet_receptive_field(config)
    done = 0
    while done < prewarm:
        process([0.0] * block)
        done += block
    return torch.cat([process(signal[i:i + block]) for i in range(0, len(signal), block)])


# ---- LSTM.

def lstm_parameter_count(config):
    h, total, inputs = config['hidden_size'], 0, config['input_size']
    for _ in range(config['num_layers']):
        total += 4 * h * (inputs + h) + 4 * h + 2 * h
        inputs = h
    return total + h + 1


def lstm_prewarm_samples(sample_rate):
    samples = int(0.5 * sample_rate) if sample_rate is not None else -1
    return samples if samples > 0 else 1


def lstm_unpack(config, weights, dtype=torch.float64):
    h, inputs, i, layers = config['hidden_size'], config['input_size'], 0, []

    def take(n):
        nonlocal i
        t = torch.tensor(weights[i:i + n], dtype=dtype)
        i += n
        return t

    for _ in range(config['num_layers']):
        layers.append({'W': take(4 * h * (inputs + h)).reshape(4 * h, inputs + h), 'b': take(4 * h),
                       'h0': take(h), 'c0': take(h)})
        inputs = h
    head_w, head_b = take(h), take(1)
    if i != len(weights):
        raise ValueError(f'LSTM config takes {i} weights, the file has {len(weights)}')
    return layers, head_w, head_b


def lstm_run(config, weights, signal, prewarm):
    """Our own cell: `prewarm` zero samples from the file's initial states, then the signal."""
    layers, head_w, head_b = lstm_unpack(config, weights)
    hn = config['hidden_size']
    state = [(layer['h0'].clone(), layer['c0'].clone()) for layer in layers]
    inputs = [0.0] * prewarm + list(signal)
    out = torch.empty(len(signal), dtype=torch.float64)
    for t, sample in enumerate(inputs):
        v = torch.tensor([sample], dtype=torch.float64)
        for j, layer in enumerate(layers):
            h, c = state[j]
            g = layer['W'] @ torch.cat([v, h]) + layer['b']
            c = torch.sigmoid(g[hn:2 * hn]) * c + torch.sigmoid(g[:hn]) * torch.tanh(g[2 * hn:3 * hn])
            h = torch.sigmoid(g[3 * hn:]) * torch.tanh(c)
            state[j] = (h, c)
            v = h
        if t >= prewarm:
            out[t - prewarm] = head_w @ v + head_b[0]
    return out


def lstm_torch(config, weights, signal, prewarm, dtype=torch.float64):
    """The same through torch.nn.LSTM (W split into W_ih | W_hh, the summed bias as b_ih, b_hh zero)."""
    layers, head_w, head_b = lstm_unpack(config, weights, dtype)
    hn, n = config['hidden_size'], config['num_layers']
    net = torch.nn.LSTM(config['input_size'], hn, num_layers=n, batch_first=True).to(dtype)
    with torch.no_grad():
        for j, layer in enumerate(layers):
            inputs = config['input_size'] if j == 0 else hn
            getattr(net, f'weight_ih_l{j}').copy_(layer['W'][:, :inputs])
            getattr(net, f'weight_hh_l{j}').copy_(layer['W'][:, inputs:])
            getattr(net, f'bias_ih_l{j}').copy_(layer['b'])
            getattr(net, f'bias_hh_l{j}').zero_()
        h0 = torch.stack([layer['h0'] for layer in layers])[:, None, :]
        c0 = torch.stack([layer['c0'] for layer in layers])[:, None, :]
        x = torch.tensor([0.0] * prewarm + list(signal), dtype=dtype).reshape(1, -1, 1)
        features, _ = net(x, (h0, c0))
        return (features[0, prewarm:] @ head_w + head_b[0])


# ---- The models.

def array(input_size, channels, head_size, dilations, head_bias, kernel_size=3, activation='Tanh', gated=False):
    """One layer array's config, keys in the order the A1 trainer exports them."""
    return {'input_size': input_size, 'condition_size': 1, 'head_size': head_size, 'channels': channels,
            'kernel_size': kernel_size, 'dilations': dilations, 'activation': activation, 'gated': gated,
            'head_bias': head_bias}


TO_512 = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
TO_64 = [1, 2, 4, 8, 16, 32, 64]
SECOND = [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512]


def preset(channels, head_size, first, second):
    """nam/train/core.py's get_wavenet_config: two arrays, Tanh, kernel 3, head_scale 0.02."""
    return [array(1, channels, head_size, first, False), array(channels, head_size, 1, second, True)], 0.02


WAVENETS = {
    'wavenet_standard': preset(16, 8, TO_512, TO_512),
    'wavenet_lite': preset(12, 6, TO_64, SECOND),
    'wavenet_feather': preset(8, 4, TO_64, SECOND),
    'wavenet_nano': preset(4, 2, TO_64, SECOND),
    'wavenet_gated': ([array(1, 4, 3, [1, 2, 4, 8, 16], False, gated=True),
                       array(4, 3, 1, [32, 64, 1, 2], True, gated=True)], 0.1),
    'wavenet_relu_k2': ([array(1, 6, 3, [1, 2, 4, 8], True, kernel_size=2, activation='ReLU'),
                         array(6, 3, 1, [16, 32, 64, 128], True, kernel_size=2, activation='ReLU')], 0.2),
    'wavenet_three_arrays': ([array(1, 5, 4, [1, 2, 4], False),
                              array(5, 4, 3, [8, 16, 32], True),
                              array(4, 3, 1, [64, 128, 256, 1], True)], 0.1),
}


def small(activation):
    """One small model per other activation: 2 arrays (4 then 2 channels, head sizes 2 then 1), kernel 3,
    dilations [1, 2, 4] and [8, 16], head bias on the second array only, not gated; 296 weights, R = 63."""
    return [array(1, 4, 2, [1, 2, 4], False, activation=activation),
            array(4, 2, 1, [8, 16], True, activation=activation)], 0.1


ACTIVATION_MODELS = {'wavenet_silu': 'SiLU', 'wavenet_hardtanh': 'Hardtanh', 'wavenet_softsign': 'Softsign',
                     'wavenet_hardswish': 'Hardswish', 'wavenet_leaky_relu': 'LeakyReLU',
                     'wavenet_sigmoid': 'Sigmoid'}
WAVENETS.update({name: small(act) for name, act in ACTIVATION_MODELS.items()})
EXPECTED_WEIGHTS = {'wavenet_standard': 13802, 'wavenet_feather': 3026, 'wavenet_nano': 842}  # the real files'
LSTMS = {'lstm_1x8': (1, 8), 'lstm_1x16': (1, 16), 'lstm_2x8': (2, 8), 'lstm_2x12': (2, 12), 'lstm_3x4': (3, 4)}

# Metadata as the trainer writes it (nam/models/exportable.py, base.py, metadata.py; nam/train/metadata.py):
# date, loudness, gain always; the user's fields (all keys, null when not given) when the user gave any;
# "training" from the simplified trainers. Here: all fields on wavenet_standard, the user's fields with
# null levels on lstm_1x16 (as trainer files show), date/loudness/gain only on three models, and no
# "metadata" key at all on the rest (the loader must not need it). loudness is 20 log10 of the RMS of the
# expected output for signal.f32 (the trainer measures its own loudness input); gain is made up.
METADATA = {
    'wavenet_standard': {'name': 'typenet test standard', 'modeled_by': 'tools/nam_reference.py',
                         'gear_type': 'amp', 'gear_make': 'Random', 'gear_model': 'Uniform 13802',
                         'tone_type': 'crunch', 'input_level_dbu': 12.5, 'output_level_dbu': 9.25,
                         'training': {'settings': {'ignore_checks': False},
                                      'data': {'latency': {'manual': None,
                                                           'calibration': {'algorithm_version': 1, 'delays': [0],
                                                                           'safety_factor': 1, 'recommended': -1,
                                                                           'warnings': {'matches_lookahead': False,
                                                                                        'disagreement_too_high': False,
                                                                                        'not_detected': False}}},
                                               'checks': {'version': 4, 'passed': True}},
                                      'validation_esr': 0.0123}},
    'lstm_1x16': {'name': 'typenet test LSTM 1x16', 'modeled_by': 'tools/nam_reference.py', 'gear_type': 'pedal',
                  'gear_make': 'Random', 'gear_model': 'Uniform 1201', 'tone_type': 'overdrive',
                  'input_level_dbu': None, 'output_level_dbu': None},
    'wavenet_nano': {}, 'wavenet_feather': {}, 'lstm_2x8': {},
}


def model_config(name):
    if name in WAVENETS:
        layers, scale = WAVENETS[name]
        return 'WaveNet', {'layers': layers, 'head': None, 'head_scale': scale}
    n, h = LSTMS[name]
    return 'LSTM', {'input_size': 1, 'hidden_size': h, 'num_layers': n}


def output_layer(architecture, config):
    """Where the final linear map's weight and bias sit in the weight list: (slice of the weight, index of
    the bias). WaveNet: the last array's head_rechannel (the presets give it a bias); LSTM: the head."""
    if architecture == 'LSTM':
        h = config['hidden_size']
        return slice(-(h + 1), -1), -1
    i, weight = 0, None
    for tensor, shape, _ in wavenet_tensors(config):
        n = math.prod(shape)
        if tensor == f'{len(config["layers"]) - 1}.head_rechannel.weight':
            weight = slice(i, i + n)
        if tensor == f'{len(config["layers"]) - 1}.head_rechannel.bias':
            return weight, i
        i += n
    raise ValueError('the last layer array has no head bias')


# Random weights: uniform in +-FACTOR/sqrt(fan_in), FACTOR by tensor kind: PyTorch's default bound (1) except
# that the input mixins drive the layers harder (2) and the biases inside the arrays are smaller (0.3), so
# that the tanh layers work beyond their linear range without a large offset. LSTM: the first layer's input
# weights +-2 (trained models have them near +-1.5) and the deeper layers' +-2/sqrt(H), recurrent weights
# +-1/sqrt(H), biases +-0.3/sqrt(H) with the forget gates' shifted by +1, initial states +-0.5.
WAVENET_BOUND = {'rechannel': 1.0, 'conv.weight': 1.0, 'conv.bias': 0.3, 'mixin': 2.0, '1x1.weight': 1.0,
                 '1x1.bias': 0.3, 'head_rechannel.weight': 1.0, 'head_rechannel.bias': 1.0}
OUTPUT_SWING = 0.5
# The activation models' drive: a factor on the bounds of the weights that feed the pre-activations (the
# rechannel, the dilated convolutions and the mixins), so that the pre-activations for signal.f32 reach
# well past each activation's kinks or bends (--check verifies it against COVERAGE below); 1 elsewhere.
DRIVE = {'wavenet_silu': 3.0, 'wavenet_hardtanh': 2.0, 'wavenet_softsign': 3.0, 'wavenet_hardswish': 2.5,
         'wavenet_leaky_relu': 2.0, 'wavenet_sigmoid': 3.0}
DRIVEN = ('rechannel', 'conv.weight', 'mixin')
# Per activation, a point t: at least 1% of the pre-activations (all layers, all channels, over signal.f32
# after prewarm) lie below -t and at least 1% above +t, and at least 25% within [-t, t] (t > 0): past
# Hardtanh's kinks at +-1 and Hardswish's at +-3, into SiLU's, Softsign's and Sigmoid's tails (SiLU's
# minimum is at -1.28), on both sides of ReLU's and LeakyReLU's kink at 0.
COVERAGE = {'Hardtanh': 1.0, 'Hardswish': 3.0, 'SiLU': 3.0, 'Softsign': 3.0, 'Sigmoid': 3.0, 'LeakyReLU': 0.0,
            'ReLU': 0.0}


def random_weights(name, architecture, config, signal):
    """Random float32 weights, then the final linear map (the last head_rechannel, the LSTM's head)
    rescaled so that the output for `signal` swings +-OUTPUT_SWING about a mean of zero (its bias takes the
    mean away): plausible levels whatever the net, and little of the output is a constant."""
    rng = Random(sum((i + 1) * ord(ch) for i, ch in enumerate(name)))
    weights = []
    if architecture == 'WaveNet':
        for tensor, shape, fan_in in wavenet_tensors(config):
            if tensor == 'head_scale':
                weights.append(f32(config['head_scale']))
                continue
            kind = '.'.join(part for part in tensor.split('.') if not part.isdigit())
            bound = WAVENET_BOUND[kind] / math.sqrt(fan_in)
            if name in DRIVE and kind in DRIVEN:
                bound *= DRIVE[name]
            weights += [f32(rng.uniform(-bound, bound)) for _ in range(math.prod(shape))]
    else:
        h, inputs = config['hidden_size'], config['input_size']
        bound = 1.0 / math.sqrt(h)
        for layer in range(config['num_layers']):
            input_bound = 2.0 if layer == 0 else 2.0 * bound
            for row in range(4 * h):
                weights += [f32(rng.uniform(-input_bound, input_bound) if col < inputs else rng.uniform(-bound, bound))
                            for col in range(inputs + h)]
            weights += [f32(rng.uniform(-0.3 * bound, 0.3 * bound) + (1.0 if h <= k < 2 * h else 0.0))
                        for k in range(4 * h)]
            weights += [f32(rng.uniform(-0.5, 0.5)) for _ in range(2 * h)]  # h0, c0
            inputs = h
        weights += [f32(rng.uniform(-bound, bound)) for _ in range(h + 1)]
    weight, bias = output_layer(architecture, config)
    weights[bias] = 0.0
    y = run(architecture, config, weights, signal)
    mean = y.mean().item()
    gain = OUTPUT_SWING / (y - mean).abs().max().item()
    weights[weight] = [f32(gain * v) for v in weights[weight]]
    scale = weights[-1] if architecture == 'WaveNet' else 1.0  # head_scale multiplies the bias too
    weights[bias] = f32(-gain * mean / scale)
    return weights


def run(architecture, config, weights, signal, sample_rate=SAMPLE_RATE):
    if architecture == 'WaveNet':
        return wavenet_run(config, weights, signal)
    if architecture == 'LSTM':
        return lstm_run(config, weights, signal, lstm_prewarm_samples(sample_rate))
    raise ValueError(f'architecture {architecture!r} is not A1 WaveNet or LSTM')


def prewarm_samples(architecture, config, sample_rate=SAMPLE_RATE):
    return wavenet_receptive_field(config) if architecture == 'WaveNet' else lstm_prewarm_samples(sample_rate)


def receptive_field(architecture, config):
    return wavenet_receptive_field(config) if architecture == 'WaveNet' else 1


def parameter_count(architecture, config):
    return wavenet_parameter_count(config) if architecture == 'WaveNet' else lstm_parameter_count(config)


def nam_document(name, architecture, config, weights, expected):
    doc = {'version': FILE_VERSION}
    if name in METADATA:
        rms = math.sqrt(sum(v * v for v in expected) / len(expected))
        doc['metadata'] = {'date': dict(DATE), 'loudness': f32(20.0 * math.log10(rms)), 'gain': 0.4375}
        doc['metadata'].update(METADATA[name])
    doc.update({'architecture': architecture, 'config': config, 'weights': weights, 'sample_rate': SAMPLE_RATE})
    return doc


MODELS = list(WAVENETS) + list(LSTMS)


def rounded(tensor):
    return [f32(v) for v in tensor.tolist()]


def describe(name, architecture, config, weights, expected):
    peak = max(abs(v) for v in expected)
    print(f'{name:22s} weights {len(weights):6d}  receptive field {receptive_field(architecture, config):5d}  '
          f'prewarm {prewarm_samples(architecture, config):6d}  peak {peak:.6f}')
    return peak


def preactivations(config, weights, signal):
    """Every layer's activation input over `signal` after prewarm: per array, a 1-D tensor of all its
    layers' and channels' values."""
    probe = []
    wavenet_forward(config, weights, [0.0] * wavenet_receptive_field(config) + list(signal), probe=probe)
    return [torch.cat([z[:, -len(signal):].flatten() for i, z in probe if i == a])
            for a in range(len(config['layers']))]


def coverage(name, config, weights, signal):
    """(problems, one line per activation: the pre-activations' range, per array, and the fractions about
    COVERAGE's point t)."""
    problems, lines, arrays = [], [], preactivations(config, weights, signal)
    for act in dict.fromkeys(la['activation'] for la in config['layers']):
        which = [a for a, la in enumerate(config['layers']) if la['activation'] == act]
        z = torch.cat([arrays[a] for a in which])
        line = (f'{act} pre-activations [{z.min().item():.2f}, {z.max().item():.2f}] ('
                + ', '.join(f'array {a} [{arrays[a].min().item():.2f}, {arrays[a].max().item():.2f}]' for a in which)
                + ')')
        if act in COVERAGE:
            t = COVERAGE[act]
            below, above = (z < -t).double().mean().item(), (z > t).double().mean().item()
            line += (f', below -{t:g}: {below:.1%}, above {t:g}: {above:.1%}' if t > 0 else
                     f', negative: {below:.1%}, positive: {above:.1%}')
            if below < 0.01 or above < 0.01:
                problems.append(f'{name}: too few {act} pre-activations beyond +-{t:g} ({below:.2%} / {above:.2%})')
            if t > 0:
                inside = 1.0 - below - above
                line += f', within: {inside:.1%}'
                if inside < 0.25:
                    problems.append(f'{name}: only {inside:.1%} of the {act} pre-activations within +-{t:g}')
        lines.append(line)
    return problems, lines


def check_activation_formulas():
    """The torch functions of ACTIVATIONS against NAM Core's formulas, on a grid through the kinks."""
    grid = [i / 64.0 for i in range(-20 * 64, 20 * 64 + 1)] + [-3.0 - 1e-9, -3.0 + 1e-9, 3.0 - 1e-9, 3.0 + 1e-9,
                                                             -1.0 - 1e-9, 1.0 + 1e-9, -1e-300, 1e-300, -50.0, 50.0]
    x = torch.tensor(grid, dtype=torch.float64)
    worst = {}
    for act, formula in NAM_CORE_FORMULAS.items():
        y = ACTIVATIONS[act](x).tolist()
        worst[act] = max(abs(a - formula(v)) / max(1.0, abs(v)) for a, v in zip(y, grid))
    return worst


def plausible(name, expected):
    peak = max(abs(v) for v in expected)
    spread = max(expected) - min(expected)
    if not (1e-2 < peak < 1.0 and spread > 1e-2):
        raise SystemExit(f'{name}: output peak {peak}, spread {spread}: not a plausible test output')


def generate():
    DATA.mkdir(parents=True, exist_ok=True)
    signal = test_signal()
    write_f32(DATA / 'signal.f32', signal)
    for name in MODELS:
        architecture, config = model_config(name)
        weights = random_weights(name, architecture, config, signal)
        assert len(weights) == parameter_count(architecture, config)
        expected = rounded(run(architecture, config, weights, signal))
        plausible(name, expected)
        if architecture == 'WaveNet' and coverage(name, config, weights, signal)[0]:
            raise SystemExit('\n'.join(coverage(name, config, weights, signal)[0]))
        doc = nam_document(name, architecture, config, weights, expected)
        (DATA / f'{name}.nam').write_text(json.dumps(doc))  # as json.dump writes it, no newline
        write_f32(DATA / f'{name}.expected.f32', expected)
        if architecture == 'LSTM':
            write_f32(DATA / f'{name}.noprewarm.f32', rounded(lstm_run(config, weights, signal, 0)))
        describe(name, architecture, config, weights, expected)
    (DATA / 'README.md').write_text(README)
    print(f'wrote {DATA}')


def check():
    failures = []

    def expect(condition, message):
        if not condition:
            failures.append(message)
            print('FAIL', message)

    for act, error in check_activation_formulas().items():
        expect(error <= 1e-15, f'{act}: torch differs from NAM Core\'s formula by {error:.1e}')
    print('activations: torch functions vs NAM Core\'s formulas, largest difference (relative above 1) '
          + ', '.join(f'{act} {error:.1e}' for act, error in check_activation_formulas().items()))
    signal = read_f32(DATA / 'signal.f32')
    expect(signal == test_signal(), 'signal.f32 differs from the generator')
    expect(len(signal) == SIGNAL_LENGTH and max(abs(v) for v in signal) <= 0.9, 'signal length or range')
    for name in MODELS:
        doc = json.loads((DATA / f'{name}.nam').read_text())
        architecture, config = doc['architecture'], doc['config']
        weights = doc['weights']
        expect(doc['version'] == FILE_VERSION and doc['sample_rate'] == SAMPLE_RATE, f'{name}: version/sample_rate')
        expect((architecture, config) == model_config(name), f'{name}: config differs from the generator')
        expect(all(f32(v) == v for v in weights), f'{name}: weights not all float32 values')
        expect(weights == random_weights(name, architecture, config, signal),
               f'{name}: weights differ from the generator')
        count = parameter_count(architecture, config)
        expect(count == len(weights), f'{name}: parameter formula {count} != {len(weights)} weights')
        if architecture == 'WaveNet':
            expect(count == sum(math.prod(s) for _, s, _ in wavenet_tensors(config)), f'{name}: tensor list')
            expect(weights[-1] == f32(config['head_scale']), f'{name}: head_scale is not the last weight')
        if name in EXPECTED_WEIGHTS:
            expect(count == EXPECTED_WEIGHTS[name],
                   f'{name}: {count} weights, the real file has {EXPECTED_WEIGHTS[name]}')
        expected = read_f32(DATA / f'{name}.expected.f32')
        out = run(architecture, config, weights, signal)
        peak = max(abs(v) for v in expected)
        error = max(abs(a - b) for a, b in zip(out.tolist(), expected))
        expect(len(expected) == len(signal) and error <= 1e-6 * peak, f'{name}: recomputed output off by {error}')
        # independent second computations
        if architecture == 'WaveNet':
            streamed = wavenet_streaming(config, weights, signal)
            other = (streamed - out).abs().max().item()
            expect(other <= 1e-12 * peak, f'{name}: streaming replay differs by {other}')
            other4096 = (wavenet_streaming(config, weights, signal, DEFAULT_MAX_BLOCK) - out).abs().max().item()
            expect(other4096 <= 1e-12 * peak, f'{name}: 4096-block replay differs by {other4096}')
            note = f'streaming replay (64 / 4096) {other:.1e} / {other4096:.1e}'
            problems, lines = coverage(name, config, weights, signal)
            for problem in problems:
                expect(False, problem)
        else:
            prewarm = lstm_prewarm_samples(SAMPLE_RATE)
            other = (lstm_torch(config, weights, signal, prewarm) - out).abs().max().item()
            expect(other <= 1e-12 * peak, f'{name}: torch.nn.LSTM differs by {other}')
            longer = -(-prewarm // DEFAULT_MAX_BLOCK) * DEFAULT_MAX_BLOCK
            sensitivity = (lstm_torch(config, weights, signal, longer) - out).abs().max().item()
            expect(sensitivity <= 1e-9 * peak,
                   f'{name}: prewarm {longer} instead of {prewarm} changes by {sensitivity}')
            cold = read_f32(DATA / f'{name}.noprewarm.f32')
            cold_error = max(abs(a - b) for a, b in zip(lstm_torch(config, weights, signal, 0).tolist(), cold))
            expect(cold_error <= 1e-6 * max(abs(v) for v in cold), f'{name}: noprewarm off by {cold_error}')
            start = max(abs(a - b) for a, b in zip(cold, expected))
            expect(start > 1e-3 * peak, f'{name}: the initial states do not matter without prewarm')
            note = (f'torch.nn.LSTM {other:.1e}, prewarm {longer} vs {prewarm} {sensitivity:.1e}, '
                    f'no-prewarm differs by {start:.3f}')
            lines = []
        # what a float32 implementation is off by (NAM Core computes in float32): the 1e-5 tolerance's margin
        if architecture == 'WaveNet':
            single = wavenet_run(config, weights, signal, torch.float32)
        else:
            single = lstm_torch(config, weights, signal, lstm_prewarm_samples(SAMPLE_RATE), torch.float32)
        single_error = max(abs(a - b) for a, b in zip(single.tolist(), expected)) / peak
        expect(single_error <= 2e-6, f'{name}: float32 computation off by {single_error:.1e} of the peak')
        describe(name, architecture, config, weights, expected)
        print(f'{"":22s} recomputed {error:.1e}; {note}; float32 run {single_error:.1e} of the peak')
        for line in lines:
            print(f'{"":22s} {line}')
    size = sum(p.stat().st_size for p in DATA.iterdir())
    print(f'{DATA}: {size / 1e6:.2f} MB')
    if failures:
        raise SystemExit(f'{len(failures)} check(s) failed')
    print('all checks passed')


def read_input(path):
    path = pathlib.Path(path)
    if path.suffix.lower() != '.wav':
        return read_f32(path)
    with wave.open(str(path)) as w:
        if w.getnchannels() != 1:
            raise SystemExit('mono .wav only')
        width, frames = w.getsampwidth(), w.readframes(w.getnframes())
    samples = []
    for i in range(0, len(frames), width):
        value = int.from_bytes(frames[i:i + width], 'little', signed=width > 1)
        samples.append((value - 128) / 128.0 if width == 1 else value / float(1 << (8 * width - 1)))
    return samples


def run_file(model_path, input_path, output_path=None):
    doc = json.loads(pathlib.Path(model_path).read_text())
    architecture, config = doc['architecture'], doc['config']
    sample_rate = doc.get('sample_rate')
    count = parameter_count(architecture, config)
    if count != len(doc['weights']):
        raise SystemExit(f'{model_path}: config takes {count} weights, the file has {len(doc["weights"])}')
    signal = read_input(input_path)
    out = run(architecture, config, doc['weights'], signal, sample_rate)
    print(f'{model_path}: {architecture} version {doc.get("version")}, {count} weights, receptive field '
          f'{receptive_field(architecture, config)}, prewarm {prewarm_samples(architecture, config, sample_rate)}; '
          f'{len(signal)} samples in (peak {max(abs(v) for v in signal):.4f}), output peak '
          f'{out.abs().max().item():.6f}, RMS {out.pow(2).mean().sqrt().item():.6f}')
    if output_path:
        write_f32(pathlib.Path(output_path), rounded(out))


README = """# NAM reference models

Written by [`tools/nam_reference.py`](../../../tools/nam_reference.py), our own float64 PyTorch implementation of
Neural Amp Modeler's A1 WaveNet and LSTM (the semantics read in NAM's trainer and in NAM Core; no code
taken from them). Regenerate with `/usr/bin/python3 tools/nam_reference.py` (Debian's python3-torch) and
verify with `/usr/bin/python3 tools/nam_reference.py --check`; the script's docstring has the details.

| file | what |
|---|---|
| `signal.f32` | the test signal: 2048 samples at 48 kHz, raw little-endian float32, within +-0.9 (silence, a sine sweep, a noise burst, a DC step, a decaying pluck) |
| `NAME.nam` | a model with random weights, as NAM's trainer exports it (file version 0.5.4, sample_rate 48000) |
| `NAME.expected.f32` | the output for `signal.f32` of a freshly loaded model after NAM Core's prewarm, raw float32 (computed in float64) |
| `lstm_*.noprewarm.f32` | the LSTMs' output for `signal.f32` from the file's initial states, without prewarm |

Prewarm, as NAM Core's `DSP::prewarm()` does it: zeros, at least R samples for a WaveNet (R its receptive
field, `1 + sum of dilation * (kernel_size - 1)`; any more change nothing) and exactly 24000 (half a second)
for an LSTM, starting from the initial states in the file (24576, six 4096-sample blocks, gives the same
output to 1e-9 of the peak for these models).

Models: the trainer's WaveNet presets `wavenet_standard` (13 802 weights), `wavenet_lite` (6 554),
`wavenet_feather` (3 026), `wavenet_nano` (842), exactly as `nam/train/core.py` configures them;
`wavenet_gated` (gated, 2 arrays of 4 and 3 channels), `wavenet_relu_k2` (ReLU, kernel size 2, head bias
on both arrays), `wavenet_three_arrays`; one small WaveNet for each other activation NAM's A1 trainer
accepts, `wavenet_silu` (SiLU), `wavenet_hardtanh` (Hardtanh), `wavenet_softsign` (Softsign),
`wavenet_hardswish` (Hardswish), `wavenet_leaky_relu` (LeakyReLU, slope 0.01), `wavenet_sigmoid` (Sigmoid):
2 arrays of 4 and 2 channels, head sizes 2 and 1, kernel size 3, dilations [1, 2, 4] and [8, 16], head bias
on the second array, not gated (296 weights, receptive field 63), driven so that the pre-activations pass
the kinks (Hardtanh's +-1, Hardswish's +-3, 0) and reach the tails (beyond +-3); LSTMs `lstm_1x8`,
`lstm_1x16`, `lstm_2x8`, `lstm_2x12`, `lstm_3x4` (layers x hidden size). Metadata: every field on
`wavenet_standard`, the user's fields with null levels on `lstm_1x16`, date/loudness/gain on `wavenet_nano`,
`wavenet_feather` and `lstm_2x8`, no `metadata` key on the others. The outputs swing about +-0.5 around a
zero mean (the final linear map is scaled to that).
"""


def main(argv):
    if argv[1:2] == ['--check']:
        check()
    elif argv[1:2] == ['--run'] and len(argv) in (4, 5):
        run_file(*argv[2:])
    elif len(argv) == 1:
        generate()
    else:
        raise SystemExit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
