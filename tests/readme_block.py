#!/usr/bin/env python3
"""The README's example of a user-defined layer is the code that tests/test_custom_layer.cpp compiles and
tests: the lines between '// README: <title>' and '// README: end' in SOURCE must be one C++ block of README.

usage: readme_block.py README SOURCE TITLE
"""
import re
import sys

readme, source, title = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(source).read()
match = re.search(r'// README: ' + re.escape(title) + r'\n(.*?)// README: end\n', text, re.S)
if not match:
    sys.exit(f'{source}: no "// README: {title}" ... "// README: end" section')
blocks = re.findall(r'```cpp\n(.*?)```', open(readme).read(), re.S)
if match.group(1) not in blocks:
    sys.exit(f'{readme}: no C++ block equals the "{title}" section of {source} (update the README from the test)')
print(f'{readme}: the "{title}" block is the code of {source}')
