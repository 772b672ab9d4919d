#!/usr/bin/env python3
"""Prints every header under include/ (relative paths, one per line) for the header self-containment tests.

The instruction-set files of kernel/arch/ (x86_*, arm_*) are left out: they hold intrinsics of one
instruction set and kernel/arch/select.hpp includes each only where the compiler enables it, so they are
compiled in every configuration that has their instruction set, through select.hpp."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
for header in sorted(root.rglob('*.hpp')):
    relative = header.relative_to(root).as_posix()
    if '/kernel/arch/' in relative and header.name.startswith(('x86_', 'arm_')):
        continue
    print(relative)
