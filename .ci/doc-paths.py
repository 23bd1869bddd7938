#!/usr/bin/env python3
"""Every repository path a document names must exist.

Scans the Markdown files and the doc comments (`//!`, `///`) of the Rust sources for
paths that start with one of the repository's top-level folders (`src/`, `tests/`,
`examples/`, `docs/`, `embedded/`, `typenet-bench/`, `typenet-macros/`, `fuzz/`,
`.ci/`) or end in a file name of the repository's kinds (`*.rs`, `*.md`, `*.sh`,
`*.toml`, `*.tnet`, `*.csv`, `*.py`). A path is found if it exists relative to the
document's folder, one of that folder's parents, or the repository root (`*` globs
allowed). Exits 1 and lists the
missing ones.
"""
import glob, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
docs = [f for f in files if f.endswith(".md") or f.endswith(".rs")]
tops = r"(?:src|tests|examples|docs|embedded|typenet-bench|typenet-macros|typenet-cli|fuzz|\.ci)/"
path_re = re.compile(r"(?<![\w./$-])((?:\.\./)*(?:" + tops + r")[\w./*-]*[\w*]|[\w./-]*/[\w.-]+\.(?:rs|md|sh|toml|tnet|csv|py))(?![\w/])")
missing = []
for doc in docs:
    text = open(doc, encoding="utf-8").read()
    if doc.endswith(".rs"):
        text = "\n".join(l.split("//", 1)[1] for l in text.splitlines()
                         if l.lstrip().startswith(("//!", "///")))
    for m in path_re.finditer(text):
        p = m.group(1).rstrip(".")
        if p.startswith(("target/", "http", "/")) or "://" in p:
            continue
        bases, d = [], os.path.dirname(doc)
        while d:
            bases.append(d)
            d = os.path.dirname(d)
        if any(glob.glob(os.path.join(b, p)) for b in bases + [""]):
            continue
        missing.append(f"{doc}: {p}")
if missing:
    print("paths named in documents that do not exist:")
    print("\n".join("  " + m for m in missing))
    sys.exit(1)
print(f"ok: every path named in {len(docs)} documents exists")
