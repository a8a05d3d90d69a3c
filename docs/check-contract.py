#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The 'docs' suite's check that the headers and the manual pages agree.

    check-contract.py LIBKVMSEA.SYM HEADER... -- PAGE.3.scd...

The manual pages are the contract; the public headers are its terse
summary. They cannot drift apart:

1. The functions the headers declare are exactly the names the version
   script exports.
2. Every function and typedef of the headers is listed under NAME by
   exactly one page, and that page's SYNOPSIS declares it exactly as the
   header does (comments and spacing aside).
3. Every struct and enum the headers define (and every opaque struct they
   only declare), and every KVMSEA_* macro, is shown by exactly one page's
   SYNOPSIS, exactly as the header has it.
4. A SYNOPSIS shows nothing the headers do not have, and every name a
   page lists under NAME is a function, typedef, struct or enum it shows.
5. No header comment states a contract: none names an errno or says what
   something returns, and after the file's opening comment every comment
   is one line.

Exit: 0 all good, 1 a check failed, 2 usage.
"""
import errno
import re
import sys

ERRNO_NAMES = set(errno.errorcode.values())


def fail(problems, msg):
    problems.append(msg)


def strip_comments(text):
    """The text without C comments, and the comments with their line."""
    comments = []

    def keep(m):
        comments.append((text.count("\n", 0, m.start()) + 1, m.group(0)))
        return " " if "\n" not in m.group(0) else "\n" * m.group(0).count("\n")

    return re.sub(r"/\*.*?\*/", keep, text, flags=re.S), comments


def normalise(decl):
    """One spelling of a declaration: single spaces, none beside punctuation."""
    decl = re.sub(r"\s+", " ", decl).strip()
    decl = re.sub(r"\s*([(){}\[\],;*=|<>])\s*", r"\1", decl)
    return decl.rstrip(";")


class Decls:
    """What a piece of C declares: functions, typedefs, types, macros."""

    def __init__(self):
        self.functions = {}  # name -> normalised declaration
        self.typedefs = {}
        self.types = {}      # "struct x" / "enum x" -> normalised definition
        self.opaque = {}     # "struct x" -> "struct x" (declared, never defined)
        self.macros = {}     # name -> normalised value

    def names(self):
        return (set(self.functions) | set(self.typedefs) | set(self.types) |
                set(self.opaque) | set(self.macros))


def parse_c(text):
    """Parse a header, or the code of a SYNOPSIS, into Decls."""
    d = Decls()
    code, _ = strip_comments(text)
    # The C++ guard and every other preprocessor line go; KVMSEA_* macros
    # are kept as macros.
    code = re.sub(r"#ifdef __cplusplus.*?#endif", "", code, flags=re.S)
    kept = []
    for line in code.split("\n"):
        m = re.match(r"\s*#\s*define\s+(KVMSEA_\w+)\s+(.*)", line)
        if m:
            d.macros[m.group(1)] = normalise(m.group(2))
        elif not line.lstrip().startswith("#"):
            kept.append(line)
    code = "\n".join(kept)

    depth, start = 0, 0
    stmts = []
    for i, c in enumerate(code):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == ";" and depth == 0:
            stmts.append(code[start:i])
            start = i + 1
    rest = code[start:].strip()
    if rest:
        stmts.append(rest)  # a SYNOPSIS may leave the last ';' out; caught below

    forward = set()
    for s in stmts:
        s = s.strip()
        if not s:
            continue
        n = normalise(s)
        m = re.fullmatch(r"(struct|enum) (\w+)", n)
        if m:
            forward.add(n)
            continue
        m = re.match(r"(struct|enum) (\w+)\{", n)
        if m:
            d.types[m.group(1) + " " + m.group(2)] = n
            continue
        m = re.match(r"typedef .*\(\*(\w+)\)\(", n)
        if m:
            d.typedefs[m.group(1)] = n
            continue
        m = re.search(r"(\w+)\(", n)
        if m:
            d.functions[m.group(1)] = n
            continue
        raise ValueError("cannot classify: " + s[:80])
    for f in forward:
        if f not in d.types:
            d.opaque[f] = f
    return d


def sections(scd):
    """{"NAME": text, "SYNOPSIS": text, ...} of an scdoc page."""
    out, cur = {}, None
    for line in scd.split("\n"):
        m = re.match(r"# (\S.*)$", line)
        if m:
            cur = m.group(1).strip()
            out[cur] = []
        elif cur:
            out[cur].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def code_blocks(text):
    return "\n".join(re.findall(r"^```\n(.*?)^```", text, flags=re.S | re.M))


def name_list(text):
    head = text.strip().split(" - ")[0]
    return [n.strip() for n in head.replace("\n", " ").split(",") if n.strip()]


def sym_names(path):
    """The names of the global: sections of a version script."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    names = set()
    for part in re.findall(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        names |= set(re.findall(r"^\s*(kvmsea_\w+)\s*;", part, flags=re.M))
    return names


def check_header_comments(path, problems):
    text = open(path).read()
    _, comments = strip_comments(text)
    # The file's opening comments are those above its first directive.
    first_code = text.count("\n", 0, re.search(r"^#", text, flags=re.M).start()) + 1
    for line, c in comments:
        body = c[2:-2]
        where = "%s:%d" % (path, line)
        if line > first_code and "\n" in c:
            fail(problems, "%s: a comment of more than one line (the contract "
                 "belongs in the manual page)" % where)
        found = sorted(set(re.findall(r"\b(E[A-Z0-9]{2,})\b", body)) & ERRNO_NAMES)
        if found:
            fail(problems, "%s: the comment names %s (errors belong in the "
                 "manual page)" % (where, ", ".join(found)))
        if re.search(r"\berrnos?\b|\breturn", body, flags=re.I):
            fail(problems, "%s: the comment states a return or errno rule: %s"
                 % (where, " ".join(body.split())))


def main(argv):
    if "--" not in argv or len(argv) < 4:
        print(__doc__.split("\n")[2].strip(), file=sys.stderr)
        return 2
    sep = argv.index("--")
    sym, headers, pages = argv[1], argv[2:sep], argv[sep + 1:]
    problems = []

    h = Decls()
    for path in headers:
        d = parse_c(open(path).read())
        for attr in ("functions", "typedefs", "types", "opaque", "macros"):
            getattr(h, attr).update(getattr(d, attr))
        check_header_comments(path, problems)
    for t in list(h.opaque):
        if t in h.types:
            del h.opaque[t]

    # 1. Declared = exported.
    exported = sym_names(sym)
    for n in sorted(set(h.functions) - exported):
        fail(problems, "%s is declared in a header but not exported by %s" % (n, sym))
    for n in sorted(exported - set(h.functions)):
        fail(problems, "%s is exported by %s but declared in no header" % (n, sym))

    # The pages: what each lists under NAME and shows in SYNOPSIS.
    listed, shown = {}, {}
    for path in pages:
        secs = sections(open(path).read())
        page = path.rsplit("/", 1)[-1]
        listed[page] = name_list(secs.get("NAME", ""))
        try:
            shown[page] = parse_c(code_blocks(secs.get("SYNOPSIS", "")))
        except ValueError as e:
            fail(problems, "%s: SYNOPSIS: %s" % (page, e))
            shown[page] = Decls()

    def where_shown(kind, name):
        return [p for p in pages_sorted if name in getattr(shown[p], kind)]

    pages_sorted = sorted(shown)
    checks = [("functions", h.functions, True), ("typedefs", h.typedefs, True),
              ("types", h.types, False), ("opaque", h.opaque, False),
              ("macros", h.macros, False)]
    for kind, decls, in_name in checks:
        for name, decl in sorted(decls.items()):
            at = where_shown(kind, name)
            if len(at) != 1:
                fail(problems, "%s: shown in the SYNOPSIS of %d pages (%s), "
                     "must be exactly one" % (name, len(at), ", ".join(at) or "none"))
            for p in at:
                if getattr(shown[p], kind)[name] != decl:
                    fail(problems, "%s: %s SYNOPSIS differs from the header:\n"
                         "  page:   %s\n  header: %s"
                         % (name, p, getattr(shown[p], kind)[name], decl))
            if in_name:
                named = [p for p in pages_sorted if name in listed[p]]
                if len(named) != 1 or named != at:
                    fail(problems, "%s: listed under NAME by %s, shown by %s: "
                         "must be the same one page" % (name, named or "none", at or "none"))

    # 4. Nothing in a page that the headers do not have; NAME only names
    # what the page shows.
    for p in pages_sorted:
        extra = shown[p].names() - h.names()
        for n in sorted(extra):
            fail(problems, "%s: SYNOPSIS shows %s, which no header has" % (p, n))
        mine = shown[p].names()
        for n in listed[p]:
            if n not in mine and "struct " + n not in mine and "enum " + n not in mine:
                fail(problems, "%s: NAME lists %s, which its SYNOPSIS does not show" % (p, n))

    for msg in problems:
        print("check-contract: " + msg, file=sys.stderr)
    total = sum(len(x[1]) for x in checks)
    print("check-contract: %d functions, %d typedefs, %d types, %d opaque types, "
          "%d macros of %d headers against %d pages"
          % (len(h.functions), len(h.typedefs), len(h.types), len(h.opaque),
             len(h.macros), len(headers), len(pages)))
    if problems:
        print("check-contract: %d problem(s)" % len(problems), file=sys.stderr)
        return 1
    print("check-contract: OK: %d declarations, each on one page, as the header has it" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
