#!/usr/bin/env python3
"""Every C++ block of the README compiles (as xsimd compiles its documentation's examples).

Each ```cpp block must be preceded by a comment that says how it is compiled:
  <!-- compiled: tests/readme/NAME.cpp -->
      the block replaces the line '// README BLOCK' of that file, which gives it its context (includes, the
      variables it uses); the result is compiled with COMPILER and FLAGS (-fsyntax-only)
  <!-- compiled: SOURCE "TITLE" -->
      the block is the code between '// README: TITLE' and '// README: end' in SOURCE, a file the build
      compiles and runs (a test or an example)
A block without such a comment fails the test. A block of compiler output or shell commands is not ```cpp.

usage: readme_blocks.py SOURCE_ROOT README -- COMPILER [FLAGS...]
"""
import pathlib
import re
import subprocess
import sys
import tempfile

root, readme = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
compiler = sys.argv[sys.argv.index('--') + 1:]
text = readme.read_text()
blocks = list(re.finditer(r'(?:<!-- compiled: (.*?) -->\n)?```cpp\n(.*?)```', text, re.S))
failures = 0
compilations = []


def report(where, how, process):
    output, _ = process.communicate()
    if process.returncode != 0:
        print(f'{where}: does not compile in {how}:\n{output}')
        return 1
    print(f'{where}: compiles in {how}')
    return 0


with tempfile.TemporaryDirectory() as directory:
    for number, block in enumerate(blocks, 1):
        line = text.count('\n', 0, block.start(2))
        how, code = block.group(1), block.group(2)
        where = f'{readme}:{line} (C++ block {number})'
        if how is None:
            print(f'{where}: no "<!-- compiled: ... -->" line before the block says how it is compiled')
            failures += 1
            continue
        section = re.fullmatch(r'(\S+) "(.*)"', how)
        if section:
            source, title = root / section.group(1), section.group(2)
            match = re.search(r'// README: ' + re.escape(title) + r'\n(.*?)// README: end\n', source.read_text(), re.S)
            if not match or match.group(1) != code:
                print(f'{where}: differs from the "{title}" section of {source} (update the README from the source)')
                failures += 1
            else:
                print(f'{where}: is the "{title}" section of {section.group(1)}')
            continue
        context = (root / how).read_text()
        if '// README BLOCK\n' not in context:
            sys.exit(f'{how}: no "// README BLOCK" line')
        unit = pathlib.Path(directory) / f'block_{number}.cpp'
        unit.write_text(context.replace('// README BLOCK\n', f'#line {line + 1} "{readme}"\n' + code, 1))
        compilations.append((where, how, subprocess.Popen(compiler + ['-fsyntax-only', str(unit)], stdout=subprocess.PIPE,
                                                          stderr=subprocess.STDOUT, text=True)))
        # Two compilers at a time (CI has two cores); the oldest finishes first.
        if len(compilations) >= 2:
            failures += report(*compilations.pop(0))
    while compilations:
        failures += report(*compilations.pop(0))
print(f'{len(blocks)} C++ blocks, {failures} failed')
sys.exit(1 if failures or not blocks else 0)
