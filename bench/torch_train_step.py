#!/usr/bin/python3
"""PyTorch peer for bench/train_step.cpp: one training step (forward, MSE backward, Adam) at batch 32 for
nets B and C, one thread, float32; prints median and minimum microseconds per step.

Run with Debian's python3-torch, pinned like the C++ benchmark:  taskset -c 1 /usr/bin/python3 bench/torch_train_step.py
"""
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 101
# BLAS_INFO names the BLAS torch was built against; Debian's "generic" means libblas.so.3, whichever
# implementation the alternatives system points it to. The loaded library is the honest answer.
config = torch.__config__.show()
blas_info = config.split('BLAS_INFO=')[1].split(',')[0] if 'BLAS_INFO=' in config else 'unknown'
torch.mm(torch.ones(64, 64), torch.ones(64, 64))
with open('/proc/self/maps') as maps:
    loaded = sorted({line.split()[-1] for line in maps if 'blas' in line.lower() and '/' in line})
print(f'torch {torch.__version__}, 1 thread, BLAS_INFO={blas_info}, BLAS libraries loaded: {", ".join(loaded) or "none"}')

for name, widths, calls in (('B 16-64-64-8 relu', (16, 64, 8), 200), ('C 128-256-256-10 relu', (128, 256, 10), 20)):
    n_in, hidden, n_out = widths
    net = torch.nn.Sequential(torch.nn.Linear(n_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                              torch.nn.ReLU(), torch.nn.Linear(hidden, n_out))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    criterion = torch.nn.MSELoss()
    x = torch.rand(32, n_in) * 2 - 1
    y = torch.rand(32, n_out) * 2 - 1

    def step():
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(calls):
        step()
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(calls):
            step()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    print(f'{name:22s} train step  PyTorch {statistics.median(samples):8.2f} us (min {min(samples):8.2f})')
