#!/usr/bin/env python3
"""typenet's NAM models beside the peers' own benchmark programs, on one pinned core, as one Markdown table.

The peers' programs are built by hand as their READMEs describe, outside this repository (it keeps no peer
code, binary or build recipe); this script only runs them, given their paths:

  --typenet PATH        typenet's bench/nam_realtime (build/bench/nam_realtime)
  --nam-core PATH       NeuralAmpModelerCore's tools/benchmodel_bufsize (optional)
  --neural-audio PATH   NeuralAudio's Utils/ModelTest (optional), as NeuralAudio builds it by default (its
                        WaveNet and LSTM math FastMath: approximated tanh and sigmoid)
  --neural-audio-exact PATH
                        a ModelTest whose WaveNet and LSTM math is StdMath (std::tanh, std::exp), the
                        counterpart of NAM Core's --no-fast-tanh (optional)

Every program loads the same .nam files (--models) and processes silence, as the peers' programs do, in
blocks of --blocks frames. The runs are interleaved round-robin (for each round, for each model and block,
each program once, in an order rotated every round), each under `taskset -c CORE`. A run gives one real-time
factor, RTF = seconds of 48 kHz audio processed per second (higher is faster):

  typenet        nam_realtime --model M --block B --seconds 2 --repetitions P: the median of P passes of 2 s
                 (after a reset(B), NAM Core's prewarm, and one untimed pass)
  NAM Core       benchmodel_bufsize M B P [--no-fast-tanh]: prints "B,<mean microseconds per pass>" over P
                 passes of floor(96000 / B) blocks (after Reset(rate, B) and one untimed pass); "exact" is
                 --no-fast-tanh, "default" its fast tanh
  NeuralAudio    ModelTest M -b B: its "Internal" model (NeuralAudio's own implementation), one timed pass
                 of 4096 * 64 samples, printed as "Internal: <seconds> (<RTF>xRT)"; a model it cannot run
                 with a static (compiled-in) architecture is marked *; "StdMath" is --neural-audio-exact

Each cell is the median over the rounds / the best round; the ratios are of the medians (above 1: typenet
is faster).

usage: bench/compare_nam.py --typenet build/bench/nam_realtime [--nam-core PATH] [--neural-audio PATH]
                            [--neural-audio-exact PATH]
                            [--models A.nam ...] [--blocks 1 16 64 256] [--rounds 5] [--passes 3] [--core 1]
"""
import argparse
import pathlib
import re
import shlex
import statistics
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_MODELS = ['../shared/nam/trained/BossWN-standard.nam', '../shared/nam/trained/BossWN-feather.nam',
                  '../shared/nam/trained/BossWN-nano.nam', '../shared/nam/trained/BossLSTM-1x16.nam',
                  '../shared/nam/trained/BossLSTM-2x8.nam']
SAMPLE_RATE = 48000.0


class Failure(Exception):
    pass


def run(command, core):
    full = ['taskset', '-c', str(core)] + [str(part) for part in command]
    result = subprocess.run(full, capture_output=True, text=True)
    if result.returncode != 0:
        raise Failure(f'{shlex.join(full)} exited with {result.returncode}: {(result.stderr or result.stdout).strip()[-300:]}')
    return result.stdout


def typenet_rtf(program, model, block, passes, core):
    output = run([program, '--model', model, '--block', block, '--seconds', 2, '--repetitions', passes], core)
    # Rows: model block input RTF-median RTF-at-min-time ns-median ns-min
    for line in output.splitlines():
        fields = line.split()
        if len(fields) == 7 and fields[1] == str(block) and fields[2] == 'silence':
            return float(fields[3]), ''
    raise Failure(f'nam_realtime printed no row for block {block}:\n{output}')


def nam_core_rtf(program, model, block, passes, core, exact):
    output = run([program, model, block, passes] + (['--no-fast-tanh'] if exact else []), core)
    match = re.search(r'^\s*(\d+),([0-9.eE+-]+)\s*$', output, re.MULTILINE)
    if not match or int(match.group(1)) != block:
        raise Failure(f'benchmodel_bufsize printed no "{block},<microseconds>" line:\n{output}')
    samples = (96000 // block) * block  # floor(48000 * 2 / block) blocks per pass
    return samples / SAMPLE_RATE / (float(match.group(2)) * 1e-6), ''


def neural_audio_rtf(program, model, block, passes, core):
    del passes  # ModelTest times one pass of a fixed length
    output = run([program, model, '-b', block], core)
    match = re.search(r'^Internal: ([0-9.eE+-]+) \(', output, re.MULTILINE)
    if not match:
        raise Failure(f'ModelTest printed no "Internal:" line (the model has no internal implementation?):\n{output.strip()}')
    samples = (4096 * 64 // block) * block
    dynamic = 'not using a static architecture' in output
    return samples / SAMPLE_RATE / float(match.group(1)), '*' if dynamic else ''


def cpu_name():
    try:
        for line in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines():
            if line.startswith('Model name:'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return 'unknown'


def cell(values, mark=''):
    if not values:
        return 'n/a'
    return f'{statistics.median(values):.1f} / {max(values):.1f}{mark}'


def ratio(ours, theirs):
    if not ours or not theirs:
        return 'n/a'
    return f'{statistics.median(ours) / statistics.median(theirs):.2f}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--typenet', required=True, help="typenet's nam_realtime")
    parser.add_argument('--nam-core', help="NAM Core's benchmodel_bufsize")
    parser.add_argument('--neural-audio', help="NeuralAudio's ModelTest (its default FastMath)")
    parser.add_argument('--neural-audio-exact', help="NeuralAudio's ModelTest with StdMath")
    parser.add_argument('--models', nargs='+', default=DEFAULT_MODELS,
                        help='.nam files (relative paths: from the repository root); default: the Boss captures in ../shared/nam/trained')
    parser.add_argument('--blocks', nargs='+', type=int, default=[1, 16, 64, 256])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--passes', type=int, default=3, help='timed 2 s passes per run of typenet and NAM Core')
    parser.add_argument('--core', type=int, default=1, help='the core taskset pins every run to')
    args = parser.parse_args()

    models = [pathlib.Path(m) if pathlib.Path(m).is_absolute() else (REPO / m).resolve() for m in args.models]
    for path in models:
        if not path.is_file():
            sys.exit(f'compare_nam.py: no model file {path}')

    programs = [('typenet', lambda m, b: typenet_rtf(args.typenet, m, b, args.passes, args.core))]
    if args.nam_core:
        programs.append(('NAM Core exact', lambda m, b: nam_core_rtf(args.nam_core, m, b, args.passes, args.core, True)))
        programs.append(('NAM Core default', lambda m, b: nam_core_rtf(args.nam_core, m, b, args.passes, args.core, False)))
    if args.neural_audio:
        programs.append(('NeuralAudio', lambda m, b: neural_audio_rtf(args.neural_audio, m, b, args.passes, args.core)))
    if args.neural_audio_exact:
        programs.append(('NeuralAudio StdMath', lambda m, b: neural_audio_rtf(args.neural_audio_exact, m, b, args.passes, args.core)))

    results = {}  # (model, block, program) -> [rtf per round]
    marks = {}
    errors = {}
    for r in range(args.rounds):
        order = programs[r % len(programs):] + programs[:r % len(programs)]
        for model in models:
            for block in args.blocks:
                for name, measure in order:
                    key = (model, block, name)
                    results.setdefault(key, [])
                    if key in errors:
                        continue
                    try:
                        value, mark = measure(model, block)
                        results[key].append(value)
                        marks[key] = mark
                    except Failure as failure:
                        errors[key] = str(failure)
                        print(f'compare_nam.py: {failure}', file=sys.stderr)
                print(f'round {r + 1}/{args.rounds}: {model.stem} block {block} done', file=sys.stderr, flush=True)

    names = [name for name, _ in programs]
    print(f'CPU: {cpu_name()}; every run pinned with taskset -c {args.core}; input: silence at 48 kHz\n')
    print(f'Command: {shlex.join([sys.argv[0]] + sys.argv[1:])}\n')
    print(f'RTF = seconds of audio per second of one core (higher is faster); each cell: median over {args.rounds} rounds / best round\n')
    header = ['model', 'block', 'typenet RTF'] + [f'{n} RTF' for n in names[1:]]
    if 'NeuralAudio' in names:
        header.append('typenet / NeuralAudio')
    if 'NeuralAudio StdMath' in names:
        header.append('typenet / NeuralAudio StdMath')
    if 'NAM Core exact' in names:
        header += ['typenet / NAM Core exact', 'typenet / NAM Core default']
    print('| ' + ' | '.join(header) + ' |')
    print('|' + '|'.join(['---'] + ['---:'] * (len(header) - 1)) + '|')
    for model in models:
        for block in args.blocks:
            row = [model.stem, str(block)]
            row += [cell(results[(model, block, n)], marks.get((model, block, n), '')) for n in names]
            ours = results[(model, block, 'typenet')]
            if 'NeuralAudio' in names:
                row.append(ratio(ours, results[(model, block, 'NeuralAudio')]))
            if 'NeuralAudio StdMath' in names:
                row.append(ratio(ours, results[(model, block, 'NeuralAudio StdMath')]))
            if 'NAM Core exact' in names:
                row += [ratio(ours, results[(model, block, 'NAM Core exact')]), ratio(ours, results[(model, block, 'NAM Core default')])]
            print('| ' + ' | '.join(row) + ' |')
    if any(marks.values()):
        print('\n\\* NeuralAudio ran this model without a static (compiled-in) architecture.')
    if errors:
        print('\nFailed runs (n/a):')
        for (model, block, name), message in errors.items():
            print(f'- {name}, {model.stem}, block {block}: {message.splitlines()[0]}')


if __name__ == '__main__':
    main()
