#!/usr/bin/env python3
"""Every C++ block of the documentation compiles (as xsimd compiles its documentation's examples).

Checks README.md and every page of docs/ (the Markdown files or directories given; a directory stands for
the *.md files in it). Each ```cpp block must be preceded by a comment that says how it is compiled:
  <!-- compiled: tests/readme/NAME.cpp -->
      the block replaces the line '// README BLOCK' of that file, which gives it its context (includes, the
      variables it uses); the result is compiled with COMPILER and FLAGS (-fsyntax-only)
  <!-- compiled: SOURCE "TITLE" -->
      the block is the code between '// README: TITLE' and '// README: end' in SOURCE, a file the build
      compiles and runs (a test or an example)
A block without such a comment fails the test. A block of compiler output or shell commands is not ```cpp.
A page without C++ blocks is fine; no C++ block at all in the pages given fails (the test would check nothing).

usage: readme_blocks.py SOURCE_ROOT MARKDOWN_FILE_OR_DIRECTORY... -- COMPILER [FLAGS...]
"""
import pathlib
import re
import subprocess
import sys
import tempfile

separator = sys.argv.index('--')
root = pathlib.Path(sys.argv[1])
compiler = sys.argv[separator + 1:]
pages = []
for argument in sys.argv[2:separator]:
    path = pathlib.Path(argument)
    pages += sorted(path.glob('*.md')) if path.is_dir() else [path]

failures = 0
block_count = 0
compilations = []


def report(where, how, process):
    output, _ = process.communicate()
    if process.returncode != 0:
        print(f'{where}: does not compile in {how}:\n{output}')
        return 1
    print(f'{where}: compiles in {how}')
    return 0


with tempfile.TemporaryDirectory() as directory:
    for page in pages:
        text = page.read_text()
        blocks = list(re.finditer(r'(?:<!-- compiled: (.*?) -->\n)?```cpp\n(.*?)```', text, re.S))
        for number, block in enumerate(blocks, 1):
            block_count += 1
            line = text.count('\n', 0, block.start(2))
            how, code = block.group(1), block.group(2)
            where = f'{page}:{line} (C++ block {number})'
            if how is None:
                print(f'{where}: no "<!-- compiled: ... -->" line before the block says how it is compiled')
                failures += 1
                continue
            section = re.fullmatch(r'(\S+) "(.*)"', how)
            if section:
                source, title = root / section.group(1), section.group(2)
                match = re.search(r'// README: ' + re.escape(title) + r'\n(.*?)// README: end\n', source.read_text(), re.S)
                if not match or match.group(1) != code:
                    print(f'{where}: differs from the "{title}" section of {source} (update the page from the source)')
                    failures += 1
                else:
                    print(f'{where}: is the "{title}" section of {section.group(1)}')
                continue
            context = (root / how).read_text()
            if '// README BLOCK\n' not in context:
                sys.exit(f'{how}: no "// README BLOCK" line')
            unit = pathlib.Path(directory) / f'block_{block_count}.cpp'
            unit.write_text(context.replace('// README BLOCK\n', f'#line {line + 1} "{page}"\n' + code, 1))
            compilations.append((where, how, subprocess.Popen(compiler + ['-fsyntax-only', str(unit)], stdout=subprocess.PIPE,
                                                              stderr=subprocess.STDOUT, text=True)))
            # Two compilers at a time (CI has two cores); the oldest finishes first.
            if len(compilations) >= 2:
                failures += report(*compilations.pop(0))
    while compilations:
        failures += report(*compilations.pop(0))
print(f'{block_count} C++ blocks in {len(pages)} pages, {failures} failed')
sys.exit(1 if failures or not block_count else 0)
