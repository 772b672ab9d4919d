#!/usr/bin/env python3
"""Compile-fail test: compiling SOURCE must fail, and the compiler's output must contain the message
announced in SOURCE by a line `// expect: <message>`.

usage: compile_fail.py SOURCE [extra compiler flags...] -- COMPILER [compiler args...]
"""
import pathlib
import subprocess
import sys

separator = sys.argv.index('--')
source = pathlib.Path(sys.argv[1])
extra_flags = sys.argv[2:separator]
compiler = sys.argv[separator + 1:]

expected = [line.split('// expect:', 1)[1].strip()
            for line in source.read_text().splitlines() if '// expect:' in line]
if not expected:
    sys.exit(f'{source}: no "// expect:" line')

result = subprocess.run(compiler + ['-std=c++20', '-fsyntax-only', *extra_flags, str(source)],
                        capture_output=True, text=True)
output = result.stdout + result.stderr
if result.returncode == 0:
    sys.exit(f'{source}: compiled, but it must not')
missing = [message for message in expected if message not in output]
if missing:
    print(output[:4000])
    sys.exit(f'{source}: the compiler failed without the expected message(s): {missing}')
print(f'{source.name}: fails to compile with: {expected}')
