#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kvmsea_event_format(3)'s schema table against what the code writes.

    check-event-schema.py EVENT-SAMPLES kvmsea_event_format.3.scd \\
        kvmsea_vcpu_inject.3.scd

Runs EVENT-SAMPLES (JSON events of every shape, one a line; under
$MESON_EXE_WRAPPER in a cross build) and checks every record against the
table under "## The record libkvmsea.event/1":

1. Its keys are the table's, in the table's order ("every key is always
   there, in this order"), and each value has a type of its row's Type.
2. An object's keys (exit, sigbus, memory_fault, guest) are the ones its row
   names, "*key* (type)", each of that type. The esr object is
   kvmsea_esr_format(3)'s and not looked into.
3. Every string that is not an address ("0x" and hex digits) is quoted in
   its row, lost's items included; a row that points at
   kvmsea_strategy_name(3) has its strings on that function's part of
   kvmsea_vcpu_inject(3) instead.
4. Every string quoted there is written by some record (but a row's
   reference to another key's value: for source "exit").

Exit: 0 all good, 1 a check failed, 2 usage or the samples failed.
"""
import json
import os
import re
import shlex
import subprocess
import sys

ADDRESS = re.compile(r"0x[0-9a-f]+")
TYPES = {str: "string", int: "number", bool: "boolean", dict: "object",
         list: "array", type(None): "null"}
# "*a*, *b* (strings)": the keys of an object and their type.
OBJECT_KEYS = re.compile(r"((?:\*\w+\*,?\s*)+)\((\w+?)s?\)")


def section(text, start, end):
    a = text.index(start)
    return text[a:text.index(end, a + len(start))]


def rows(table):
    """{key: {"type": str, "value": str}} in the table's order."""
    out = {}
    for row in table.split("\n|  ")[1:]:
        keys, type_, value = row.split("\n:  ", 2)
        value = " ".join(value.split())
        for key in keys.split(", "):
            out[key.strip()] = {"type": type_.strip(), "value": value}
    return out


def json_type(v):
    return TYPES[type(v)]


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    samples, page, inject_page = argv[1:]
    wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
    run = subprocess.run(wrapper + [samples], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"{samples} failed: {run.stderr}", file=sys.stderr)
        return 2
    records = [json.loads(line) for line in run.stdout.splitlines()]
    with open(page, encoding="utf-8") as f:
        table = section(f.read(), "## The record libkvmsea.event/1",
                        "\n# ")
    with open(inject_page, encoding="utf-8") as f:
        strategy_names = section(f.read(), "## kvmsea_strategy_name", "\n#")
    doc = rows(table)
    errors = set()
    written = {key: set() for key in doc}

    def values_of(key):
        """Where the row's strings are; another key's quoted value left out."""
        where = doc[key]["value"]
        if "*kvmsea_strategy_name*(3)" in where:
            where = strategy_names
        return re.sub(r'for source "[^"]*"', "", where)

    def string_in_row(key, s):
        if f'"{s}"' not in values_of(key):
            errors.add(f'{key}: "{s}" is not on the page')
        written[key].add(s)

    for rec in records:
        if list(rec) != list(doc):
            errors.add(f"keys {list(rec)}\n  the page's {list(doc)}")
        for key, v in rec.items():
            if key not in doc:
                continue
            if json_type(v) not in doc[key]["type"]:
                errors.add(f"{key}: a {json_type(v)}, the page says "
                           f"{doc[key]['type']}")
            if isinstance(v, str) and not ADDRESS.fullmatch(v):
                string_in_row(key, v)
            if isinstance(v, list):
                for item in v:
                    string_in_row(key, item)
            if isinstance(v, dict) and key != "esr":
                named = {}
                for keys, t in OBJECT_KEYS.findall(doc[key]["value"]):
                    for k in re.findall(r"\*(\w+)\*", keys):
                        named[k] = t
                if set(v) != set(named):
                    errors.add(f"{key}: keys {sorted(v)}, the page's "
                               f"{sorted(named)}")
                for k, kv in v.items():
                    if k in named and json_type(kv) != named[k]:
                        errors.add(f"{key}.{k}: a {json_type(kv)}, the page "
                                   f"says {named[k]}")
    for key in doc:
        quoted = set(re.findall(r'"([^"]*)"', values_of(key)))
        for s in sorted(quoted - written[key]):
            errors.add(f'{key}: the page has "{s}", no record writes it')
    for e in sorted(errors):
        print(f"check-event-schema: {e}", file=sys.stderr)
    print(f"{len(records)} records, {len(doc)} keys, "
          f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
