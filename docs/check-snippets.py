#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The 'docs' suite's check that every C snippet of the docs compiles.

    check-snippets.py SOURCE_ROOT PRELUDE -- CC [ARG...]

A reader copies the code blocks of README.md, docs/*.md and the manual
pages (docs/man/*.scd); each must compile with CC against the public
headers (SOURCE_ROOT/include) with -Wall -Wextra -Werror (-fsyntax-only).
Which blocks are C:

- Markdown: a fence whose language is "c". Another language (sh, meson,
  rust) is not C; a block without a language that looks like C (a line
  ends in ";") is an error: say "c" or say what it is.
- Manual pages (scdoc takes no fence language): every block that looks
  like C, except the SYNOPSIS, which docs/check-contract.py holds to the
  headers. Shell sessions and program output have no line ending in ";".

A snippet is mostly statements, as a VMM would write them in a function:
its preprocessor lines and function definitions go to file scope, the rest
into the body of a function returning int, with a label for each goto.
PRELUDE declares the names the snippets take from the program around them
(vcpu_fd, sea, event, stop_vm(), ...) and that function (SNIPPET_FUNCTION).
-Wno-unused-function: a snippet may define a handler without the program
that installs it.

Exit: 0 all compiled, 1 one did not, 2 usage.
"""
import glob
import os
import re
import subprocess
import sys

FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
         "-fsyntax-only", "-x", "c", "-"]


def looks_like_c(lines):
    code = re.sub(r"/\*.*?\*/", "", "\n".join(lines), flags=re.S)
    return any(line.rstrip().endswith(";") for line in code.split("\n"))


def blocks(path):
    """(first line number, lines, language or None, section) of each block."""
    out, section, start, lang, body = [], "", None, None, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            fence = re.match(r"^\s*```\s*(\S*)\s*$", line)
            if start is None and line.startswith("# "):
                section = line[2:].strip()
            if fence and start is None:
                start, lang, body = n + 1, fence.group(1) or None, []
            elif fence:
                out.append((start, body, lang, section))
                start = None
            elif start is not None:
                body.append(line)
    return out


def is_c(path, lines, lang, section):
    """True to compile; a string (why) to skip; raises ValueError if unclear."""
    if path.endswith(".scd"):
        if section == "SYNOPSIS":
            return "SYNOPSIS (check-contract.py)"
        return True if looks_like_c(lines) else "not C"
    if lang == "c":
        return True
    if lang is None and looks_like_c(lines):
        raise ValueError("looks like C but its fence has no language")
    return lang or "no language"


def function_end(lines, i):
    """The index of the closing '}' if lines[i] starts a function definition."""
    if not re.match(r"^[A-Za-z_].*\(", lines[i]) or lines[i].endswith(";"):
        return None
    j = i
    while j < len(lines) and lines[j] != "{":
        if lines[j].rstrip().endswith(";") or j > i + 4:
            return None
        j += 1
    while j < len(lines) and lines[j] != "}":
        j += 1
    return j if j < len(lines) else None


def translation_unit(path, start, lines, prelude):
    top, body = [], []
    i = 0
    while i < len(lines):
        end = function_end(lines, i)
        if lines[i].startswith("#"):
            top += ['#line %d "%s"' % (start + i, path), lines[i]]
        elif end is not None:
            top.append('#line %d "%s"' % (start + i, path))
            top += lines[i:end + 1]
            i = end
        else:
            body.append('#line %d "%s"' % (start + i, path))
            body.append(lines[i])
        i += 1
    labels = sorted(set(re.findall(r"\bgoto\s+(\w+)\s*;", "\n".join(body))))
    return "\n".join(
        ['#include "%s"' % prelude] + top +
        ["SNIPPET_FUNCTION", "{"] + body +
        ["#line 1 \"(harness)\"", "\treturn 0;"] +
        ["%s:\n\treturn -1;" % label for label in labels] + ["}", ""])


def main(argv):
    if len(argv) < 5 or argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    root, prelude, cc = argv[1], argv[2], argv[4:]
    include = os.path.join(root, "include")
    os.chdir(root)  # the documents by their names in the tree
    docs = ["README.md"] + sorted(glob.glob("docs/*.md")) + \
        sorted(glob.glob("docs/man/*.scd"))
    compiled, skipped, failed = {}, {}, 0
    for path in docs:
        for start, lines, lang, section in blocks(path):
            where = "%s:%d" % (path, start - 1)
            try:
                verdict = is_c(path, lines, lang, section)
            except ValueError as e:
                print("FAIL %s: %s" % (where, e))
                failed += 1
                continue
            if verdict is not True:
                skipped[verdict] = skipped.get(verdict, 0) + 1
                continue
            tu = translation_unit(path, start, lines, prelude)
            r = subprocess.run(cc + FLAGS + ["-I", include], input=tu,
                               text=True, capture_output=True)
            if r.returncode != 0:
                print("FAIL %s: does not compile\n%s" % (where, r.stderr))
                failed += 1
            else:
                compiled[path] = compiled.get(path, 0) + 1
    total = sum(compiled.values())
    print("compiled %d C snippets: %s" % (total, ", ".join(
        "%s %d" % (p, n) for p, n in sorted(compiled.items()))))
    print("not compiled: %s" % (", ".join(
        "%d %s" % (n, why) for why, n in sorted(skipped.items())) or "none"))
    if failed:
        print("%d snippet(s) failed" % failed)
    return 1 if failed or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
