#!/usr/bin/env python3
"""Gives every header under include/typenet/ its license line and the page of docs/ that documents it.

Every header starts with a comment that says what it provides. This script keeps that comment and, after
its first paragraph (the lines up to the first empty '//' line), adds what is missing of

    //
    // Documentation: docs/PAGE.md
    // Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).

It touches only the top comment: a header that already has both lines is left as it is (run it again after
adding or moving headers; it changes nothing that is already there). The page comes from PAGES below, by
path, most specific entry first; a header no entry matches gets docs/internals.md, and the script says so.
References to the README's old sections inside a top comment are pointed at the pages that hold them now.

usage: tools/header_license.py [--check] [INCLUDE_DIRECTORY]   (default: include/typenet next to tools/)
  --check   change nothing; list the headers that lack a line and exit 1 if there are any
"""
import pathlib
import sys

LICENSE = ('// Distributed under the Boost Software License, Version 1.0 '
           '(see LICENSE or https://www.boost.org/LICENSE_1_0.txt).')
DOCUMENTATION = '// Documentation: '

# Path under include/typenet/ (a file, or a folder ending in '/') -> the page that documents it.
PAGES = [
    ('typenet.hpp', 'docs/README.md'),
    ('input.hpp', 'docs/declaring-networks.md'),
    ('network.hpp', 'docs/declaring-networks.md'),
    ('activation.hpp', 'docs/declaring-networks.md'),
    ('repeat.hpp', 'docs/declaring-networks.md'),
    ('summary.hpp', 'docs/declaring-networks.md'),
    ('reference.hpp', 'docs/declaring-networks.md'),
    ('layers/dense/dense.hpp', 'docs/declaring-networks.md'),
    ('init.hpp', 'docs/initializers.md'),
    ('random.hpp', 'docs/initializers.md'),
    ('diagnostics.hpp', 'docs/initializers.md'),
    ('lsuv.hpp', 'docs/initializers.md'),
    ('layers/recurrent/recurrent_init.hpp', 'docs/initializers.md'),
    ('trainer.hpp', 'docs/training.md'),
    ('loss.hpp', 'docs/training.md'),
    ('optim.hpp', 'docs/training.md'),
    ('monitor.hpp', 'docs/training.md'),
    ('workspace.hpp', 'docs/training.md'),
    ('sequence_trainer.hpp', 'docs/sequence-layers.md'),
    ('layers/recurrent/gru.hpp', 'docs/sequence-layers.md'),
    ('layers/recurrent/lstm.hpp', 'docs/sequence-layers.md'),
    ('layers/conv1d/', 'docs/sequence-layers.md'),
    ('denormals.hpp', 'docs/numerics.md'),
    ('detail/raise.hpp', 'docs/numerics.md'),
    ('io.hpp', 'docs/deploying.md'),
    ('models/nam.hpp', 'docs/nam.md'),
    ('models/nam/', 'docs/nam.md'),
    ('io/nam.hpp', 'docs/nam.md'),
    ('io/', 'docs/deploying.md'),
    ('dispatch.hpp', 'docs/deploying.md'),
    ('dispatch/', 'docs/deploying.md'),
    ('layer.hpp', 'docs/writing-a-layer.md'),
    ('simd.hpp', 'docs/writing-a-layer.md'),
    ('spelling.hpp', 'docs/writing-a-layer.md'),
    ('config.hpp', 'docs/internals.md'),
    ('detail/', 'docs/internals.md'),
    ('structure/', 'docs/declaring-networks.md'),
    ('kernel/', 'docs/internals.md'),
    ('layers/', 'docs/internals.md'),  # a layer kind's kernels and layouts
]

# The README's sections that moved to docs/ (only rewritten inside the top comment).
MOVED = [
    ("the README's sequence section has the measurements", 'docs/internals.md has the measurements'),
    ("The README's kernel section has the numbers.", 'docs/internals.md has the numbers.'),
    ("the README's benchmark section has the measurements", 'docs/internals.md has the measurements'),
]


def page_for(relative):
    for path, page in PAGES:
        if relative == path or (path.endswith('/') and relative.startswith(path)):
            return page, True
    return 'docs/internals.md', False


def updated(text, page):
    """The header's text with what is missing added to its top comment."""
    lines = text.split('\n')
    top = 0
    while top < len(lines) and lines[top].startswith('//'):
        top += 1
    comment, rest = lines[:top], lines[top:]
    for old, new in MOVED:
        comment = [line.replace(old, new) for line in comment]
    documentation = next((i for i, line in enumerate(comment) if line.startswith(DOCUMENTATION)), None)
    license = next((i for i, line in enumerate(comment) if 'Boost Software License' in line), None)
    if documentation is None and license is None:
        # After the first paragraph (what the header provides), as a paragraph of their own.
        first = next((i for i, line in enumerate(comment) if line.strip() == '//'), len(comment))
        comment = comment[:first] + (['//'] if comment else []) + [DOCUMENTATION + page, LICENSE] + comment[first:]
    elif documentation is None:
        comment.insert(license, DOCUMENTATION + page)  # just before the license line
    elif license is None:
        comment.insert(documentation + 1, LICENSE)  # just after the documentation line
    return '\n'.join(comment + rest)


def main():
    arguments = [a for a in sys.argv[1:] if a != '--check']
    check = '--check' in sys.argv[1:]
    root = pathlib.Path(arguments[0]) if arguments else pathlib.Path(__file__).resolve().parent.parent / 'include' / 'typenet'
    changed = []
    for header in sorted(root.rglob('*.hpp')):
        relative = header.relative_to(root).as_posix()
        page, known = page_for(relative)
        if not known:
            print(f'{relative}: not in PAGES, documented by {page} (add it to tools/header_license.py)')
        text = header.read_text()
        if not text.startswith('//'):
            print(f'{relative}: no top comment; write one that says what the header provides')
        new = updated(text, page)
        if new != text:
            changed.append(relative)
            if not check:
                header.write_text(new)
    verb = 'lack a license or documentation line' if check else 'updated'
    print(f'{len(changed)} headers {verb}' + (': ' + ', '.join(changed) if changed else ''))
    return 1 if check and changed else 0


if __name__ == '__main__':
    sys.exit(main())
