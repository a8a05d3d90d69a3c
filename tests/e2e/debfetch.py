#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fetch packages from Debian's archive for the e2e suite, with a cache.

  debfetch.py binary SUITE ARCH PACKAGE DEST   -> prints "PACKAGE VERSION FILE"
  debfetch.py source SUITE PACKAGE DEST        -> prints "PACKAGE VERSION FILE..."
  debfetch.py depends SUITE ARCH PACKAGE       -> prints the Depends names

Versions are resolved from the suite's index each run (nothing is pinned);
when the archive cannot be reached, the last index seen is used and a
warning says so. Every file is checked against the index's SHA256 before it
is used; files already in DEST with the right hash are not downloaded again.
Exit status 77 (the meson "skip" code; CI turns it into a failure) when a
package cannot be had, with the reason on stderr.
"""
import hashlib
import lzma
import os
import subprocess
import sys
import time
import urllib.request

ARCHIVE = os.environ.get("KVMSEA_E2E_MIRROR", "http://deb.debian.org/debian")
SKIP = 77


def die(msg):
    print(f"debfetch: cannot continue: {msg}", file=sys.stderr)
    sys.exit(SKIP)


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(base, "libkvmsea")


def download(url, path):
    tmp = path + ".part"
    with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            f.write(chunk)
    os.replace(tmp, path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def index(suite, relpath):
    """The text of dists/SUITE/RELPATH (an .xz index)."""
    local = os.path.join(cache_dir(), "index",
                         suite + "_" + relpath.replace("/", "_"))
    os.makedirs(os.path.dirname(local), exist_ok=True)
    try:
        # One run asks several times: an index fetched minutes ago will do.
        fresh = time.time() - os.path.getmtime(local) < 600
    except OSError:
        fresh = False
    try:
        if not fresh:
            download(f"{ARCHIVE}/dists/{suite}/{relpath}", local)
    except OSError as e:
        if not os.path.exists(local):
            die(f"{suite} index {relpath}: {e}")
        print(f"debfetch: WARNING: {suite} index unreachable ({e}); "
              f"using the cached copy", file=sys.stderr)
    with lzma.open(local, "rt", encoding="utf-8", errors="replace") as f:
        return "\n" + f.read()


def stanzas_of(text, name):
    """The stanzas of package NAME (an index may list several versions).
    Finds them by their first line rather than parsing the whole index."""
    found, key, start = [], "\nPackage: " + name + "\n", 0
    while True:
        at = text.find(key, start)
        if at < 0:
            return found
        end = text.find("\n\n", at + 1)
        found.extend(parse(text[at + 1:end if end >= 0 else len(text)]))
        start = at + len(key)


def parse(text):
    stanzas, cur, key = [], {}, None
    for line in text.split("\n"):
        if not line:
            if cur:
                stanzas.append(cur)
            cur, key = {}, None
        elif line[0] in " \t" and key:
            cur[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, val = line.partition(":")
            cur[key] = val.strip()
    if cur:
        stanzas.append(cur)
    return stanzas


def newest(text, name):
    found = stanzas_of(text, name)
    if not found:
        return None
    best = found[0]
    for s in found[1:]:  # an index may list several versions of a package
        newer = subprocess.run(["dpkg", "--compare-versions", s["Version"],
                                "gt", best["Version"]]).returncode == 0
        if newer:
            best = s
    return best


def fetch(url, dest, name, want_sha):
    path = os.path.join(dest, name)
    if os.path.exists(path) and sha256(path) == want_sha:
        return path
    try:
        download(url, path)
    except OSError as e:
        die(f"{url}: {e}")
    got = sha256(path)
    if got != want_sha:
        os.unlink(path)
        die(f"{url}: sha256 {got} does not match the index ({want_sha})")
    return path


def binary(suite, arch, package, dest):
    st = newest(index(suite, f"main/binary-{arch}/Packages.xz"), package)
    if not st:
        die(f"{package} is not in {suite}/{arch}")
    path = fetch(f"{ARCHIVE}/{st['Filename']}", dest,
                 os.path.basename(st["Filename"]), st["SHA256"])
    print(package, st["Version"], path)


def depends(suite, arch, package):
    st = newest(index(suite, f"main/binary-{arch}/Packages.xz"), package)
    if not st:
        die(f"{package} is not in {suite}/{arch}")
    for dep in st.get("Depends", "").split(","):
        print(dep.split("|")[0].split("(")[0].strip())


def source(suite, package, dest):
    st = newest(index(suite, "main/source/Sources.xz"), package)
    if not st:
        die(f"source {package} is not in {suite}")
    paths = []
    for line in st["Checksums-Sha256"].split("\n"):
        parts = line.split()
        if len(parts) != 3:
            continue
        want, _, name = parts
        paths.append(fetch(f"{ARCHIVE}/{st['Directory']}/{name}", dest,
                           name, want))
    print(package, st["Version"], *paths)


def main(argv):
    try:
        if argv[:1] == ["binary"] and len(argv) == 5:
            os.makedirs(argv[4], exist_ok=True)
            binary(*argv[1:])
        elif argv[:1] == ["source"] and len(argv) == 4:
            os.makedirs(argv[3], exist_ok=True)
            source(*argv[1:])
        elif argv[:1] == ["depends"] and len(argv) == 4:
            depends(*argv[1:])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except KeyError as e:
        die(f"malformed index stanza (no {e})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
