#!/usr/bin/env python3
"""A layer folder includes the contract and the shared kernels, never another layer's folder: every header
under include/typenet/layers/KIND/ and include/typenet/structure/ includes only its own folder's headers and
headers outside layers/ (layer.hpp, kernel/, detail/, ...).

usage: layer_folders.py INCLUDE_DIRECTORY   (include/typenet)
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1]).resolve()
layers = root / 'layers'
failures = []
folders = [folder for folder in layers.iterdir() if folder.is_dir()] + [root / 'structure']
for folder in folders:
    for header in sorted(folder.glob('*.hpp')):
        for number, line in enumerate(header.read_text().splitlines(), 1):
            match = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if not match:
                continue
            target = (header.parent / match.group(1)).resolve()
            inside_layers = layers in target.parents
            if inside_layers and target.parent != folder:
                failures.append(f'{header.relative_to(root)}:{number}: includes {match.group(1)}, another layer folder')
for failure in failures:
    print(failure)
checked = sum(len(list(folder.glob('*.hpp'))) for folder in folders)
print(f'{checked} headers in {len(folders)} layer and structure folders: {len(failures)} include another layer folder')
sys.exit(1 if failures else 0)
