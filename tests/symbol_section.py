#!/usr/bin/env python3
"""Checks that a symbol of an executable lives in the given section (objdump -t), e.g. that a compiled-in
model is in read-only data.

usage: symbol_section.py EXECUTABLE MANGLED_SYMBOL SECTION
"""
import subprocess
import sys

executable, symbol, section = sys.argv[1:4]
table = subprocess.run(['objdump', '-t', executable], check=True, capture_output=True, text=True).stdout
rows = [line.split() for line in table.splitlines() if line.split() and line.split()[-1] == symbol]
if not rows:
    sys.exit(f'{executable}: no symbol {symbol}')
found = [row[-3] for row in rows]  # ... section size name
if found != [section]:
    sys.exit(f'{executable}: {symbol} is in {found}, expected {section}')
print(f'{executable}: {symbol} is in {section}')
