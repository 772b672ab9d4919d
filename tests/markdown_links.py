#!/usr/bin/env python3
"""Every relative link of the documentation resolves: the file exists and, for a Markdown target, so does the
heading its #anchor names.

Checks the Markdown files given (a directory stands for the *.md files in it): inline links and images
[text](path), [text](path#anchor), [text](#anchor), reference definitions [name]: path, and HTML href/src
attributes, outside code blocks and code spans. Links with a scheme (https:, mailto:) are not followed.
A relative link must stay inside SOURCE_ROOT (GitHub cannot follow it out of the repository).

Anchors are GitHub's: the heading's text (ATX headings, '# ...' to '###### ...'; inline code, emphasis and
links reduced to their text), lowercased, every character that is not a letter, digit, mark, '-', '_' or
space removed, spaces turned into '-'; a repeated heading gets '-1', '-2', ... in order. Explicit HTML
anchors (<a name="x">, id="x") count too.

usage: markdown_links.py SOURCE_ROOT MARKDOWN_FILE_OR_DIRECTORY...
"""
import pathlib
import re
import sys
import unicodedata
import urllib.parse

root = pathlib.Path(sys.argv[1]).resolve()
pages = []
for argument in sys.argv[2:]:
    path = pathlib.Path(argument)
    pages += sorted(path.glob('*.md')) if path.is_dir() else [path]


def without_code(text):
    """The text with fenced code blocks, code spans and HTML comments blanked (line numbers kept)."""
    blank = lambda match: re.sub(r'[^\n]', ' ', match.group(0))
    text = re.sub(r'<!--.*?-->', blank, text, flags=re.S)
    text = re.sub(r'^( {0,3})(`{3,}|~{3,}).*?^\1\2[`~]*[ \t]*$', blank, text, flags=re.S | re.M)
    return re.sub(r'(`+)(?!`).*?(?<!`)\1(?!`)', blank, text, flags=re.S)


def heading_text(heading):
    heading = re.sub(r'!?\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # links and images: their text
    heading = re.sub(r'<[^>]+>', '', heading)                      # HTML tags
    heading = heading.replace('`', '')
    return re.sub(r'(\*\*|\*)(?=\S)(.+?)(?<=\S)\1', r'\2', heading)  # emphasis


def slug(text):
    kept = (c for c in text.lower() if c in ' -_' or unicodedata.category(c)[0] in 'LMN' or unicodedata.category(c) == 'Pc')
    return ''.join(kept).replace(' ', '-')


anchor_cache = {}


def anchors(page):
    """The anchors GitHub gives the headings of a Markdown file."""
    page = page.resolve()
    if page not in anchor_cache:
        text = page.read_text()
        fenced = re.sub(r'^( {0,3})(`{3,}|~{3,}).*?^\1\2[`~]*[ \t]*$', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text,
                        flags=re.S | re.M)
        found, seen = set(), {}
        for match in re.finditer(r'^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$', fenced, re.M):
            base = slug(heading_text(match.group(1)))
            name, count = base, seen.get(base, 0)
            while name in found:
                count += 1
                name = f'{base}-{count}'
            seen[base] = count
            found.add(name)
        found |= set(re.findall(r'<a\s[^>]*name="([^"]+)"', text)) | set(re.findall(r'\sid="([^"]+)"', text))
        anchor_cache[page] = found
    return anchor_cache[page]


link_patterns = [
    re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)'),  # [text](target "title")
    re.compile(r'^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$', re.M),             # [name]: target
    re.compile(r'\s(?:href|src)="([^"]*)"'),                                               # HTML
]

failures = checked = 0
for page in pages:
    text = without_code(page.read_text())
    for pattern in link_patterns:
        for match in pattern.finditer(text):
            target = match.group(1)
            if re.match(r'[A-Za-z][A-Za-z0-9+.-]*:', target) or target.startswith('//'):
                continue  # https:, mailto: ...: not ours to check
            checked += 1
            where = f'{page}:{text.count(chr(10), 0, match.start()) + 1}'
            path, _, anchor = target.partition('#')
            path = urllib.parse.unquote(path)
            resolved = (page.parent / path).resolve() if path else page.resolve()
            if not resolved.is_relative_to(root):
                print(f'{where}: link to {target} leaves the repository')
                failures += 1
            elif not resolved.exists():
                print(f'{where}: link to {target}: no such file {resolved.relative_to(root)}')
                failures += 1
            elif anchor and resolved.suffix == '.md' and urllib.parse.unquote(anchor) not in anchors(resolved):
                print(f'{where}: link to {target}: {resolved.relative_to(root)} has no heading with the anchor #{anchor}')
                failures += 1
print(f'{checked} relative links in {len(pages)} pages, {failures} broken')
sys.exit(1 if failures or not pages else 0)
