#!/usr/bin/env python3
"""Compile time and peak compiler memory against network depth.

Generates one translation unit per (depth, use): a network of `depth` dense+activation pairs (widths 32 and
16, activations cycling through relu, tanh, sigmoid, gelu), used either for inference only (initialize,
forward, forward_batch) or for training (trainer<Net, mse, adam, 8>::step too). Compiles each with every
compiler given, at -O2 as users build, under /usr/bin/time -v, and prints a Markdown table with a
least-squares line (seconds and MB per layer pair) per compiler and use.

    tools/compile_scale.py [--depths 10 50 100 200] [--compilers g++-12 clang++-19] [--flags -O2]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ACTIVATIONS = ["typenet::relu", "typenet::tanh", "typenet::sigmoid", "typenet::gelu"]


def source(depth, use):
    layers = ["typenet::input<16>"]
    for i in range(depth):
        layers.append(f"typenet::dense<{32 if i % 2 == 0 else 16}>")
        layers.append(ACTIVATIONS[i % len(ACTIVATIONS)])
    layers.append("typenet::dense<4>")
    net = "using Net = typenet::network<\n    " + ",\n    ".join(layers) + ">;\n"
    body = """
int main() {
    auto net = std::make_unique<Net>();
    net->initialize(1);
    Net::input_type x{};
    x[0] = 1;
    auto y = (*net)(x);
    auto xs = std::make_unique<std::array<Net::input_type, 8>>();
    auto ys = std::make_unique<std::array<Net::output_type, 8>>();
    net->forward_batch(*xs, *ys);
    float result = y[0] + (*ys)[7][0];
"""
    if use == "training":
        body += """    auto trainer = std::make_unique<typenet::trainer<Net, typenet::mse, typenet::adam, 8>>();
    auto targets = std::make_unique<decltype(trainer)::element_type::target_batch>();
    result += trainer->step(*net, *xs, *targets);
"""
    body += "    return result > 1e30f;\n}\n"
    return "#include <typenet/typenet.hpp>\n#include <array>\n#include <memory>\n\n" + net + body


def measure(compiler, flags, include, path):
    command = ["/usr/bin/time", "-v", compiler, "-std=c++20", *flags, "-I", include, "-c", path, "-o", os.devnull]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr[-3000:]}")
    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", run.stderr)
    hours, minutes, seconds = elapsed.groups()
    wall = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    memory_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return wall, memory_kb / 1024


def fit(points):
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in points)
    total = sum((y - mean_y) ** 2 for _, y in points)
    return slope, intercept, 1 - residual / total if total else 1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depths", type=int, nargs="+", default=[10, 50, 100, 200])
    parser.add_argument("--compilers", nargs="+", default=["g++-12", "clang++-19"])
    parser.add_argument("--uses", nargs="+", default=["inference", "training"])
    parser.add_argument("--flags", nargs="+", default=["-O2"])
    arguments = parser.parse_args()
    include = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include")
    rows, lines = [], []
    with tempfile.TemporaryDirectory() as directory:
        for compiler in arguments.compilers:
            for use in arguments.uses:
                times, memories = [], []
                for depth in arguments.depths:
                    path = os.path.join(directory, f"depth_{depth}_{use}.cpp")
                    with open(path, "w") as file:
                        file.write(source(depth, use))
                    wall, memory = measure(compiler, arguments.flags, include, path)
                    print(f"{compiler} {use} {depth} layer pairs: {wall:.1f} s, {memory:.0f} MB", file=sys.stderr, flush=True)
                    rows.append((compiler, use, depth, wall, memory))
                    times.append((depth, wall))
                    memories.append((depth, memory))
                if len(arguments.depths) >= 2:
                    time_slope, time_intercept, time_r2 = fit(times)
                    memory_slope, memory_intercept, memory_r2 = fit(memories)
                    lines.append(f"| {compiler} | {use} | {time_intercept:.2f} s + {time_slope:.3f} s/pair (R² {time_r2:.3f}) | "
                                 f"{memory_intercept:.0f} MB + {memory_slope:.2f} MB/pair (R² {memory_r2:.3f}) |")
    print(f"flags: -std=c++20 {' '.join(arguments.flags)}\n")
    print("| compiler | use | " + " | ".join(f"{d} pairs" for d in arguments.depths) + " |")
    print("|---|---|" + "---|" * len(arguments.depths))
    for compiler in arguments.compilers:
        for use in arguments.uses:
            cells = [f"{wall:.1f} s, {memory:.0f} MB" for c, u, _, wall, memory in rows if c == compiler and u == use]
            print(f"| {compiler} | {use} | " + " | ".join(cells) + " |")
    if lines:
        print("\n| compiler | use | time (least squares) | peak memory (least squares) |\n|---|---|---|---|")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
