#!/usr/bin/python3
"""PyTorch <-> typenet through safetensors. Run with Debian's python3-torch (/usr/bin/python3).

  make                 trains a small nn.Sequential MLP for 20 Adam steps and writes, into tests/data/,
                       its state_dict as safetensors in F64, F32, F16 and BF16 (torch_mlp_<dtype>.safetensors),
                       the same weights under a module's own names (torch_mlp_named.safetensors: body.fc1.weight,
                       ...), and torch_mlp_io.safetensors: inputs and PyTorch's outputs for each file.
  check MODEL IO       loads a safetensors file written by typenet into the same nn.Sequential with
                       load_state_dict(strict=True), runs IO's "inputs" and compares with IO's "outputs"
                       (typenet's); exits 1 unless they agree to 1e-12 (float64) or 1e-5 (float32).

The files are written by hand (8-byte little-endian header length, JSON, raw little-endian data), as the
format specifies, so no safetensors package is needed. CI does not need torch: the files are committed.
"""
import json
import pathlib
import struct
import sys

import torch

WIDTHS = [6, 16, 12, 3]  # Linear(6, 16), Tanh, Linear(16, 12), ReLU, Linear(12, 3)
DATA = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'data'
DTYPES = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}
NAMES = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def make_model(dtype):
    return torch.nn.Sequential(torch.nn.Linear(WIDTHS[0], WIDTHS[1]), torch.nn.Tanh(), torch.nn.Linear(WIDTHS[1], WIDTHS[2]),
                               torch.nn.ReLU(), torch.nn.Linear(WIDTHS[2], WIDTHS[3])).to(dtype)


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous()
        if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16: take the raw 16-bit patterns
            blob = tensor.view(torch.int16).numpy().astype('<i2').tobytes()
        else:
            blob = tensor.numpy().astype(tensor.numpy().dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': NAMES[tensor.dtype], 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    path.write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def read_safetensors(path):
    raw = path.read_bytes()
    (length,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        begin, end = info['data_offsets']
        dtype = DTYPES[info['dtype']]
        if dtype == torch.bfloat16:
            tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.int16).view(torch.bfloat16)
        else:
            tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        tensors[name] = tensor.reshape(info['shape']).clone()
    return tensors


def make():
    torch.manual_seed(20261129)
    model = make_model(torch.float64)
    inputs = torch.randn(64, WIDTHS[0], dtype=torch.float64)
    targets = torch.sin(inputs @ torch.randn(WIDTHS[0], WIDTHS[-1], dtype=torch.float64))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(20):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()

    test_inputs = torch.randn(8, WIDTHS[0], dtype=torch.float64)
    io = {'inputs': test_inputs}
    with torch.no_grad():
        for name, dtype in DTYPES.items():
            state = {key: value.to(dtype) for key, value in model.state_dict().items()}
            write_safetensors(DATA / f'torch_mlp_{name.lower()}.safetensors', state, {'format': 'pt'})
            # F16 and BF16 files are loaded by converting to float64 exactly: the reference computes in
            # float64 with the rounded weights. F32 runs in float32 as well: PyTorch's own float error.
            rounded = make_model(torch.float64)
            rounded.load_state_dict({key: value.to(torch.float64) for key, value in state.items()})
            io[f'outputs_{name.lower()}'] = rounded(test_inputs)
        float_model = make_model(torch.float32)
        float_model.load_state_dict(model.state_dict())
        io['outputs_f32_in_float32'] = float_model(test_inputs.to(torch.float32))

        class Named(torch.nn.Module):  # what a user's own module looks like: body.fc1.weight, ...
            def __init__(self):
                super().__init__()
                self.body = torch.nn.Module()
                self.body.fc1, self.body.fc2, self.body.fc3 = model[0], model[2], model[4]
                self.extra = torch.nn.Linear(2, 2)  # a head typenet does not have

        named = Named()
        write_safetensors(DATA / 'torch_mlp_named.safetensors', named.state_dict(), {'format': 'pt'})
    write_safetensors(DATA / 'torch_mlp_io.safetensors', io)
    print(f'wrote torch_mlp_*.safetensors to {DATA} (torch {torch.__version__})')


def check(model_path, io_path):
    state = read_safetensors(pathlib.Path(model_path))
    io = read_safetensors(pathlib.Path(io_path))
    dtype = state['0.weight'].dtype
    model = make_model(dtype)
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        outputs = model(io['inputs'].to(dtype)).to(torch.float64)
    expected = io['outputs'].to(torch.float64)
    error = ((outputs - expected).abs() / expected.abs().clamp(min=1e-3)).max().item()
    tolerance = 1e-12 if dtype == torch.float64 else 1e-5
    print(f'PyTorch {torch.__version__} ran the typenet-written {model_path} ({NAMES[dtype]}): largest relative difference '
          f'from typenet\'s outputs {error:.3g} (tolerance {tolerance:g})')
    return 0 if error <= tolerance else 1


if __name__ == '__main__':
    if len(sys.argv) == 2 and sys.argv[1] == 'make':
        make()
    elif len(sys.argv) == 4 and sys.argv[1] == 'check':
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
