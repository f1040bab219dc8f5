#!/usr/bin/env python3
"""Import-structure check for the Rust crates: module cycles and scheme-specific imports.

Why this check exists: zkmr has two proving schemes (Pedersen and halo2) behind one job
layer. Two things make adding a third scheme a branch everywhere instead of one new module:

- import cycles between modules of a crate (e.g. the job layer importing a scheme, which
  imports the job layer back), so no module can be moved, split or replaced on its own;
- engines (CLI, SQL, JNI, Python, readers) reaching into `zkmr_core::pedersen` or
  `zkmr_core::halo2` instead of the scheme-neutral API, so every engine knows every scheme.

What it does, with the standard library only (no cargo, no rustc):

1. For each crate (native/*/Cargo.toml and python/Cargo.toml) it walks the module tree from
   each target root (lib.rs, main.rs, src/bin) through `mod x;` declarations, lexes every
   file (comments, strings and char literals dropped) and collects `use crate::/super::/self::`
   trees and inline paths such as `crate::foo::bar(`. Each path resolves to the longest
   prefix that is a module of the crate. Edges from a module to itself or its own
   submodules are dropped; edges to ancestors (`use super::X`) count. Items under
   `#[cfg(test)]` (the `mod tests { .. }` blocks, test-only `use` lines) are test code and
   are skipped: tests may import anything.
2. Every strongly connected component with more than one module is reported, with one
   concrete cycle and the file:line of each import on it.
3. RULES below: crates matching a glob must not use paths under a prefix (in `use` trees or
   inline). Only src/ module-tree files are checked; integration tests, benches, examples and
   build scripts are not.

Exit status: 0 clean, 1 cycles or violations found, 2 bad usage or configuration.

    scripts/check-imports.py                 # both checks
    scripts/check-imports.py --only cycles   # or: --only rules
    scripts/check-imports.py --report        # also module/edge counts per crate
    scripts/check-imports.py --self-test     # checks the checker on throwaway crates
"""

import argparse
import collections
import fnmatch
import re
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11: [lib]/[[bin]] paths fall back to the defaults.
    tomllib = None

# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------

# Crates: every directory native/<name>/ with a Cargo.toml, plus these.
EXTRA_CRATE_DIRS = ["python"]

# Engines go through zkmr-core's job layer (job, setup, setup_job, verify, chain, and the store
# and bundle it re-exports from zkmr-scheme); only zkmr-core's registry names a scheme, and
# zkmr-aggregate is halo2 by design. zkmr-scheme and each scheme crate cannot name another
# scheme at all: their Cargo.toml files do not depend on one, so the compiler forbids it.
# Each rule: (crate glob, forbidden path prefix, allowlist). An allowlist entry is
# (file glob relative to the repository root, reason); the reason must say why.
ENGINES = ["zkmr-cli", "zkmr-sql", "zkmr-jni", "zkmr-python", "zkmr-io"]
BENCH_AGGREGATE = [
    ("native/cli/src/commands/bench_aggregate.rs",
     "measures halo2 aggregation against per-partition halo2 verification: a benchmark "
     "of that scheme's own machinery, which no job runs through"),
]
CORE_NAMES_SCHEMES = [
    ("native/core/src/registry.rs", "the registry: the one place that maps a scheme's name to "
     "its implementation"),
    ("native/core/src/lib.rs", "re-exports the scheme crates (`zkmr_core::halo2`) for the "
     "aggregation crate and the tests of one scheme's internals; no code here uses them"),
]
RULES = [
    (engine, prefix, BENCH_AGGREGATE if (engine, prefix) == ("zkmr-cli", "zkmr_core::halo2") else [])
    for engine in ENGINES
    for prefix in [
        "zkmr_core::pedersen", "zkmr_core::halo2", "zkmr_pedersen", "zkmr_halo2", "zkmr_cqlin",
    ]
] + [
    ("zkmr-core", "zkmr_pedersen", CORE_NAMES_SCHEMES),
    ("zkmr-core", "zkmr_halo2", CORE_NAMES_SCHEMES),
    ("zkmr-core", "zkmr_cqlin", CORE_NAMES_SCHEMES[:1]),
    ("zkmr-core", "crate::pedersen", []),
    ("zkmr-core", "crate::halo2", []),
]

# ---------------------------------------------------------------------------------------------
# Lexing: Rust source to tokens, without comments, string and char literals
# ---------------------------------------------------------------------------------------------

# kind: ident, punct or lit. A literal's text is its value in double quotes (numbers: `"0"`),
# so it never equals a punctuation or identifier token: the string "{" opens no block.
Token = collections.namedtuple("Token", "kind text line")

IDENT = re.compile(r"(?:r#)?([^\W\d]\w*)")
RAW_STRING = re.compile(r'(?:br|cr|r)(#*)"')
NUMBER = re.compile(r"\d[\w]*")
EOF = Token("eof", "", 0)


def tokenize(src):
    """Rust tokens with line numbers; literals become one `lit` token carrying their value."""
    tokens, i, line, n = [], 0, 1, len(src)
    while i < n:
        c = src[i]
        if c == "\n":
            line, i = line + 1, i + 1
        elif c.isspace():
            i += 1
        elif src.startswith("//", i):
            end = src.find("\n", i)
            i = n if end < 0 else end
        elif src.startswith("/*", i):
            end = block_comment_end(src, i)
            line, i = line + src.count("\n", i, end), end
        elif RAW_STRING.match(src, i):
            m = RAW_STRING.match(src, i)
            close = '"' + m.group(1)
            end = src.find(close, m.end())
            end = n if end < 0 else end + len(close)
            tokens.append(literal(src[m.end() : end - len(close)], line))
            line, i = line + src.count("\n", i, end), end
        elif c == '"' or (c in "bc" and src.startswith('"', i + 1)):
            start = i + 1 if c == '"' else i + 2
            end = string_end(src, start)
            tokens.append(literal(src[start : end - 1], line))
            line, i = line + src.count("\n", i, end), end
        elif c == "'" or (c == "b" and src.startswith("'", i + 1)):
            i = char_or_lifetime(src, i + (c == "b"), line, tokens)
        elif IDENT.match(src, i):
            m = IDENT.match(src, i)
            tokens.append(Token("ident", m.group(1), line))
            i = m.end()
        elif c == "$" and src.startswith("crate", i + 1):
            tokens.append(Token("ident", "$crate", line))
            i += 6
        elif NUMBER.match(src, i):
            tokens.append(literal("0", line))
            i = NUMBER.match(src, i).end()
        elif src.startswith("::", i):
            tokens.append(Token("punct", "::", line))
            i += 2
        else:
            tokens.append(Token("punct", c, line))
            i += 1
    return tokens


def literal(value, line):
    return Token("lit", f'"{value}"', line)


def block_comment_end(src, i):
    """Index just past the (possibly nested) block comment starting at i."""
    depth = 0
    while i < len(src):
        if src.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif src.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(src)


def string_end(src, i):
    """Index just past the closing quote of a (non-raw) string whose body starts at i."""
    while i < len(src):
        if src[i] == "\\":
            i += 2
        elif src[i] == '"':
            return i + 1
        else:
            i += 1
    return len(src)


def char_or_lifetime(src, i, line, tokens):
    """Lexes the char literal or lifetime whose quote is at i; returns the index after it."""
    if src.startswith("\\", i + 1):
        end = src.find("'", i + 3)
        end = len(src) if end < 0 else end + 1
        tokens.append(literal(src[i + 1 : end - 1], line))
        return end
    if i + 2 < len(src) and src[i + 2] == "'":
        tokens.append(literal(src[i + 1], line))
        return i + 3
    m = IDENT.match(src, i + 1)  # a lifetime or loop label: not a path, dropped
    return m.end() if m else i + 1


# ---------------------------------------------------------------------------------------------
# Scanning one file: submodule declarations, crate-relative paths, external-crate paths
# ---------------------------------------------------------------------------------------------

PATH_HEADS = {"crate", "$crate", "super", "self"}
TEST_CFG = re.compile(r"cfg\((?:all\()?test\b")

SubMod = collections.namedtuple("SubMod", "parent name path_attr line")
Ref = collections.namedtuple("Ref", "module segs line")  # module: the scope it appears in


class FileScan:
    """What one source file declares and refers to."""

    def __init__(self, path, module, extern_heads):
        self.path = path
        self.module = module
        self.submods = []  # SubMod: `mod x;` (file modules)
        self.inline = []  # module paths of inline `mod x { .. }`
        self.refs = []  # crate-relative paths: Ref(module, ["crate", "a", "b"], line)
        self.extern_refs = []  # Ref(module, ["zkmr_core", ...], line)
        self.notes = []  # (line, text): what could not be resolved
        self.aliases = {h: h for h in extern_heads}  # `use zkmr_core as zc;` adds zc
        self.test_mods = []  # SubMod: `#[cfg(test)] mod x;`, not part of the graph
        self.skipped_test_items = 0


def scan_file(path, module, extern_heads):
    scan = FileScan(path, module, extern_heads)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        scan.notes.append((0, f"cannot read: {e}"))
        return scan
    Scanner(tokenize(text), scan).run()
    return scan


class Scanner:
    """One pass over a file's tokens, tracking the (inline) module each token is in."""

    def __init__(self, tokens, scan):
        self.toks, self.scan = tokens, scan
        self.scopes = [(scan.module, None)]  # (module path, brace depth where it closes)
        self.depth = 0
        self.attrs, self.attrs_end = [], -1  # outer attributes just read, index after them

    def tok(self, i):
        return self.toks[i] if 0 <= i < len(self.toks) else EOF

    def run(self):
        i = 0
        while i < len(self.toks):
            t, module = self.toks[i], self.scopes[-1][0]
            if t.text == "#" and self.tok(i + 1).text in ("[", "!"):
                i = self.on_attribute(i, module)
            elif t.text == "mod" and self.tok(i + 1).kind == "ident":
                i = self.on_mod(i, module)
            elif t.text == "use":
                i, self.attrs = self.read_use(i + 1, module), []
            elif t.kind == "ident" and self.path_start(i):
                i = self.read_code_path(i, module)
            else:
                self.on_brace(t.text)
                i += 1

    def on_attribute(self, i, module):
        """Reads `#[..]` at i; skips the item after it when the attributes make it test-only."""
        inner = self.tok(i + 1).text == "!"
        attrs = self.attrs if self.attrs_end == i else []
        i, attr = self.read_attribute(i + (2 if inner else 1))
        if not inner:
            self.attrs, self.attrs_end = attrs + [attr], i
        if self.tok(i).text != "#" and any(TEST_CFG.match(a) for a in self.attrs):
            i, self.attrs = self.skip_test_item(i, module, self.attrs), []
        return i

    def on_mod(self, i, module):
        """`mod x;` is a file module; `mod x {` opens an inline one."""
        name, after = self.tok(i + 1).text, self.tok(i + 2).text
        attrs = self.attrs if visibility_end(self.toks, self.attrs_end) == i else []
        if after == ";":
            self.scan.submods.append(SubMod(module, name, path_attribute(attrs), self.toks[i].line))
        elif after == "{":
            self.scopes.append((module + (name,), self.depth))
            self.scan.inline.append(module + (name,))
            self.depth += 1
        self.attrs = []
        return i + 3

    def on_brace(self, text):
        if text == "{":
            self.depth += 1
        elif text == "}":
            self.depth -= 1
            if self.scopes[-1][1] == self.depth:
                self.scopes.pop()

    def skip_test_item(self, i, module, attrs):
        """Skips a `#[cfg(test)]` item; a test-only `mod x;` is remembered (its file is no orphan)."""
        j = visibility_end(self.toks, i)
        if self.tok(j).text == "mod" and self.tok(j + 2).text == ";":
            name = self.tok(j + 1).text
            self.scan.test_mods.append(SubMod(module, name, path_attribute(attrs), 0))
        self.scan.skipped_test_items += 1
        return skip_item(self.toks, i)

    def read_attribute(self, i):
        """i at `[`: returns (index after the matching `]`, attribute text without spaces)."""
        depth, parts = 0, []
        while i < len(self.toks):
            t = self.toks[i]
            depth += (t.text == "[") - (t.text == "]")
            parts.append(t.text)
            i += 1
            if depth == 0:
                break
        return i, "".join(parts[1:-1])

    def path_start(self, i):
        """Whether token i begins a crate-relative or watched external-crate path."""
        t = self.toks[i]
        if self.tok(i + 1).text != "::":
            return False
        if self.tok(i - 1).text == "::":  # the middle of a path, unless `::zkmr_core::..`
            before = self.tok(i - 2)
            if before.kind == "ident" or before.text in (">", ")"):
                return False
        if self.tok(i - 1).text == "in" and self.tok(i - 2).text == "(":
            return False  # pub(in crate::x): visibility, not a dependency
        return t.text in PATH_HEADS or t.text in self.scan.aliases

    def read_code_path(self, i, module):
        segs, line = [self.toks[i].text], self.toks[i].line
        i += 1
        while self.tok(i).text == "::" and self.tok(i + 1).kind == "ident":
            segs.append(self.tok(i + 1).text)
            i += 2
        self.record(module, segs, line)
        return i

    def read_use(self, i, module):
        """Expands the use tree starting at i; returns the index after its `;`."""
        leaves = []
        try:
            i = parse_use_tree(self.tok, i, [], leaves)
        except UseTreeError:
            self.scan.notes.append((self.tok(i).line, "could not parse this `use`"))
        while self.tok(i).text not in (";", ""):
            i += 1
        for segs, line, alias in leaves:
            if alias and segs == [self.scan.aliases.get(segs[0])]:
                self.scan.aliases[alias] = segs[0]
            self.record(module, segs, line)
        return i + 1

    def record(self, module, segs, line):
        head = segs[0]
        if head in PATH_HEADS:
            self.scan.refs.append(Ref(module, segs, line))
        elif head in self.scan.aliases:
            segs = [self.scan.aliases[head]] + segs[1:]
            if segs[-1] == "*" and len(segs) == 2:
                self.scan.notes.append((line, f"glob import of {segs[0]}: bare paths unchecked"))
            self.scan.extern_refs.append(Ref(module, segs, line))


class UseTreeError(Exception):
    pass


def parse_use_tree(tok, i, prefix, leaves):
    """Parses one use tree at i under `prefix`; appends (segments, line, alias) per leaf.

    `use a::{b, c::{self, d as e}, f::*}` gives a::b, a::c, a::c::d (alias e), a::f::*.
    """
    segs = list(prefix)
    if tok(i).text == "::":
        i += 1
    while True:
        t = tok(i)
        if t.text == "{":
            i += 1
            while tok(i).text != "}":
                i = parse_use_tree(tok, i, segs, leaves)
                if tok(i).text == ",":
                    i += 1
                elif tok(i).text != "}":
                    raise UseTreeError()
            return i + 1
        if t.text == "*":
            leaves.append((segs + ["*"], t.line, None))
            return i + 1
        if t.kind != "ident":
            raise UseTreeError()
        if tok(i + 1).text == "::":
            segs.append(t.text)
            i += 2
            continue
        leaf = segs if (t.text == "self" and segs) else segs + [t.text]
        alias = None
        if tok(i + 1).text == "as":
            alias, i = tok(i + 2).text, i + 2
        leaves.append((leaf, t.line, alias))
        return i + 1


def skip_item(toks, i):
    """Index after the item (or field, or statement) starting at i."""
    depth = 0
    while i < len(toks):
        text = toks[i].text
        if toks[i].kind != "punct":
            pass
        elif text in "([{":
            depth += 1
        elif text in ")]}":
            if depth == 0:
                return i  # an unmatched closer belongs to the enclosing item
            depth -= 1
            if depth == 0 and text == "}":
                return i + 1
        elif depth == 0 and text in (";", ","):
            return i + 1
        i += 1
    return i


def visibility_end(toks, i):
    """Index after an optional `pub`, `pub(crate)`, `pub(in a::b)` at i."""
    if 0 <= i < len(toks) and toks[i].text == "pub":
        i += 1
        if i < len(toks) and toks[i].text == "(":
            while i < len(toks) and toks[i].text != ")":
                i += 1
            i += 1
    return i


def path_attribute(attrs):
    """The file named by a `#[path = "..."]` among the attributes, or None."""
    found = [m.group(1) for m in (re.fullmatch(r'path="(.*)"', a) for a in attrs) if m]
    return found[-1] if found else None


# ---------------------------------------------------------------------------------------------
# Crates, targets and module trees
# ---------------------------------------------------------------------------------------------

Crate = collections.namedtuple("Crate", "name dir rel targets")  # targets: [(label, root file)]


class ModuleTree:
    """The modules of one target (lib or bin) and the file scans they came from."""

    def __init__(self, label, crate):
        self.label, self.crate = label, crate
        self.modules = {}  # module path tuple -> (file, line of its `mod` declaration)
        self.scans = []
        self.notes = []  # (file, line, text)
        self.test_files = set()  # files of `#[cfg(test)] mod x;`


def discover_crates(root):
    dirs = sorted(p.parent for p in (root / "native").glob("*/Cargo.toml"))
    dirs += [root / d for d in EXTRA_CRATE_DIRS if (root / d / "Cargo.toml").is_file()]
    crates = []
    for d in dirs:
        manifest = read_manifest(d / "Cargo.toml")
        name = manifest.get("package", {}).get("name")
        if name:
            rel = d.relative_to(root).as_posix()
            crates.append(Crate(name, d, rel, crate_targets(d, rel, manifest)))
    return crates


def read_manifest(path):
    text = path.read_text(encoding="utf-8")
    if tomllib:
        return tomllib.loads(text)
    m = re.search(r'^\[package\][^\[]*?^name\s*=\s*"([^"]+)"', text, re.M | re.S)
    return {"package": {"name": m.group(1)}} if m else {}


def crate_targets(d, rel, manifest):
    """[(label, root file)] for the library and every binary of the crate."""
    roots = []
    lib = d / manifest.get("lib", {}).get("path", "src/lib.rs")
    if lib.is_file():
        roots.append(("lib", lib))
    bins = [d / b["path"] for b in manifest.get("bin", []) if "path" in b]
    bins += [d / "src/main.rs"] + sorted((d / "src/bin").glob("*.rs"))
    bins += sorted((d / "src/bin").glob("*/main.rs"))
    for b in dict.fromkeys(p.resolve() for p in bins if p.is_file()):
        roots.append((f"bin {b.stem if b.stem != 'main' else b.parent.name}", b))
    if len(roots) == 1:
        return [(rel, roots[0][1])]
    return [(f"{rel} ({kind})", path) for kind, path in roots]


def build_tree(crate, label, root_file, extern_heads):
    tree = ModuleTree(label, crate)
    tree.modules[()] = (root_file, 0)
    pending = [((), root_file, True)]
    while pending:
        module, path, mod_rs = pending.pop()
        scan = scan_file(path, module, extern_heads)
        tree.scans.append(scan)
        tree.notes += [(path, line, text) for line, text in scan.notes]
        for inline in scan.inline:
            tree.modules.setdefault(inline, (path, 0))
        for sub in scan.submods:
            child = sub.parent + (sub.name,)
            tree.modules[child] = (path, sub.line)
            found = locate_module_file(path, mod_rs, module, sub)
            if found:
                pending.append((child, found, found.name == "mod.rs"))
            else:
                tree.notes.append((path, sub.line, f"no file for `mod {sub.name};`"))
        for sub in scan.test_mods:
            found = locate_module_file(path, mod_rs, module, sub)
            tree.test_files.update([found.resolve()] if found else [])
    return tree


def locate_module_file(path, mod_rs, module, sub):
    """The file of `mod name;` declared in `path` (module `module`), or None."""
    inline = list(sub.parent[len(module) :])
    if sub.path_attr:
        base = path.parent.joinpath(*inline) if inline else path.parent
        candidates = [base / sub.path_attr]
    else:
        base = path.parent if mod_rs else path.parent / path.stem
        base = base.joinpath(*inline)
        candidates = [base / f"{sub.name}.rs", base / sub.name / "mod.rs"]
    return next((c for c in candidates if c.is_file()), None)


def orphan_files(crate, trees):
    """.rs files under src/ that no target's module tree reaches."""
    seen = {s.path.resolve() for t in trees for s in t.scans}
    seen.update(f for t in trees for f in t.test_files)
    src = crate.dir / "src"
    return [p for p in sorted(src.rglob("*.rs")) if p.resolve() not in seen]


# ---------------------------------------------------------------------------------------------
# The module graph and its cycles
# ---------------------------------------------------------------------------------------------

Edge = collections.namedtuple("Edge", "file line path")


def resolve(segs, module, modules):
    """The longest module prefix of a crate-relative path, or None (e.g. super at the root)."""
    head, rest = segs[0], [s for s in segs[1:] if s != "*"]
    if head in ("crate", "$crate"):
        base = ()
    elif head == "self":
        base = module
    else:  # super, possibly repeated
        base = module
        rest = ["super"] + rest
        while rest and rest[0] == "super":
            if not base:
                return None
            base, rest = base[:-1], rest[1:]
    for seg in rest:
        if base + (seg,) not in modules:
            break
        base += (seg,)
    return base


def build_graph(tree):
    """{(from, to): [Edge]} between modules of the tree, without edges into submodules."""
    edges = collections.defaultdict(list)
    for scan in tree.scans:
        for ref in scan.refs:
            target = resolve(ref.segs, ref.module, tree.modules)
            if target is None:
                tree.notes.append((scan.path, ref.line, f"unresolved `{'::'.join(ref.segs)}`"))
            elif target[: len(ref.module)] != ref.module:  # not itself nor a submodule
                edges[(ref.module, target)].append(Edge(scan.path, ref.line, "::".join(ref.segs)))
    return edges


def strongly_connected(nodes, edges):
    """Tarjan's algorithm: the components, each a sorted list of nodes."""
    succ = collections.defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(sorted(component))

    sys.setrecursionlimit(max(1000, 4 * len(nodes) + 100))
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def shortest_cycle(component, edges):
    """A shortest cycle through the component's first node: [n0, n1, ..., n0]."""
    members = set(component)
    start = component[0]
    previous, frontier = {}, [start]
    while frontier:
        following = []
        for a in frontier:
            for b in sorted(b for (x, b) in edges if x == a and b in members):
                if b == start:
                    path = [a]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return list(reversed(path)) + [start]
                if b not in previous:
                    previous[b] = a
                    following.append(b)
        frontier = following
    return [start]


def find_cycles(tree):
    """(graph, [(component, cycle)]) for every component of more than one module."""
    edges = build_graph(tree)
    components = strongly_connected(tree.modules, edges)
    cycles = [(c, shortest_cycle(c, edges)) for c in components if len(c) > 1]
    return edges, cycles


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

Violation = collections.namedtuple("Violation", "crate prefix file line path")


def check_config(rules):
    errors = []
    for glob, prefix, allow in rules:
        for entry in allow:
            if len(entry) != 2 or not str(entry[1]).strip():
                errors.append(f"rule ({glob}, {prefix}): allow entry {entry!r} needs a reason")
    return errors


def rule_heads(rules):
    return {prefix.split("::")[0] for _, prefix, _ in rules}


def check_rules(crates, trees_by_crate, rules, root):
    """(violations, notes): uses of forbidden prefixes not covered by an allow entry."""
    violations, notes = [], []
    for glob, prefix, allow in rules:
        matching = [c for c in crates if fnmatch.fnmatchcase(c.name, glob)]
        if not matching:
            notes.append(f"rule ({glob}, {prefix}) matches no crate")
        used_allow = set()
        for crate in matching:
            for file, line, path in extern_uses(trees_by_crate[crate.name], root):
                if not under_prefix(path, prefix):
                    continue
                allowed = [a for a in allow if fnmatch.fnmatchcase(file, a[0])]
                used_allow.update(a[0] for a in allowed)
                if not allowed:
                    violations.append(Violation(crate, prefix, file, line, path))
        notes += [f"rule ({glob}, {prefix}): allow entry {a[0]} is unused" for a in allow
                  if a[0] not in used_allow]
    return violations, notes


def extern_uses(trees, root):
    """Sorted, de-duplicated (file, line, path) of external-crate paths in the trees' files."""
    seen = set()
    for tree in trees:
        for scan in tree.scans:
            rel = relative(scan.path, root)
            seen.update((rel, r.line, "::".join(r.segs)) for r in scan.extern_refs)
    return sorted(seen, key=lambda u: (u[0], u[1], u[2]))


def under_prefix(path, prefix):
    segs, want = path.split("::"), prefix.split("::")
    return segs[: len(want)] == want


# ---------------------------------------------------------------------------------------------
# Running and reporting
# ---------------------------------------------------------------------------------------------


def relative(path, root):
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def plural(n, word):
    return f"{n} {word}{'s' * (n != 1)}"


def module_name(module):
    return "::".join(module) if module else "crate"


def analyse(root, rules):
    """Everything the report needs, computed once."""
    crates = discover_crates(root)
    heads = rule_heads(rules)
    trees_by_crate, notes = {}, []
    for crate in crates:
        trees = [build_tree(crate, label, file, heads) for label, file in crate.targets]
        trees_by_crate[crate.name] = trees
        notes += [f"{relative(p, root)}: not in any module tree" for p in orphan_files(crate, trees)]
    graphs = {}
    for trees in trees_by_crate.values():
        for tree in trees:
            graphs[tree.label] = (tree,) + find_cycles(tree)
    violations, rule_notes = check_rules(crates, trees_by_crate, rules, root)
    for trees in trees_by_crate.values():
        for tree in trees:
            notes += [f"{relative(f, root)}:{line}: {text}" for f, line, text in tree.notes]
    return crates, graphs, violations, sorted(set(notes)) + rule_notes


def print_cycles(graphs, root, out):
    for label, (tree, edges, cycles) in graphs.items():
        if not cycles:
            continue
        out(f"{label}: {plural(len(cycles), 'cycle')}")
        for n, (component, cycle) in enumerate(cycles, 1):
            members = ", ".join(module_name(m) for m in component)
            inside = sum(1 for a, b in edges if a in component and b in component)
            out(f"  cycle {n}: {len(component)} modules, {inside} edges among them: {{{members}}}")
            on_cycle = list(zip(cycle, cycle[1:]))
            for a, b in on_cycle:
                out(f"    {edge_line(a, b, edges, root)}")
            others = sorted((a, b) for a, b in edges
                            if a in component and b in component and (a, b) not in on_cycle)
            for a, b in others:
                out(f"    also in this group: {edge_line(a, b, edges, root)}")


def edge_line(a, b, edges, root):
    """`a -> b  file:line  path (+n more)` for the first import behind an edge."""
    first, *more = sorted(edges[(a, b)], key=lambda e: (str(e.file), e.line))
    extra = f"  (+{len(more)} more)" if more else ""
    return (f"{module_name(a)} -> {module_name(b)}  "
            f"{relative(first.file, root)}:{first.line}  {first.path}{extra}")


def print_violations(violations, out):
    by_crate = collections.defaultdict(list)
    for v in violations:
        by_crate[(v.crate.rel, v.crate.name)].append(v)
    for (rel, name), found in sorted(by_crate.items()):
        out(f"{rel} ({name}): {plural(len(found), 'rule violation')}")
        for v in sorted(found, key=lambda v: (v.file, v.line, v.path)):
            out(f"  {v.file}:{v.line}  {v.path}  (forbidden: {v.prefix})")


def print_report(graphs, violations, rules, elapsed, out):
    out("module graphs (edges: distinct module pairs, into-submodule edges dropped):")
    for label, (tree, edges, cycles) in graphs.items():
        imports = sum(len(e) for e in edges.values())
        out(f"  {label} [{tree.crate.name}]: {len(tree.modules)} modules, {len(edges)} edges "
            f"({imports} import sites), {plural(len(cycles), 'cycle')}, "
            f"{sum(s.skipped_test_items for s in tree.scans)} cfg(test) items skipped")
    out(f"rules: {len(rules)} configured, {plural(len(violations), 'violation')}; {elapsed:.2f} s")


def print_summary(graphs, violations, only, out):
    cyclic = [(label, len(c)) for label, (_, _, c) in graphs.items() if c]
    if not cyclic and not violations:
        checked = "cycles and rules" if only is None else only
        out(f"check-imports: ok ({checked}, {len(graphs)} module trees)")
        return
    out("check-imports: FAILED")
    for label, count in cyclic:
        out(f"  {label}: {plural(count, 'cycle')}")
    counts = collections.Counter(v.crate.rel for v in violations)
    for rel, count in sorted(counts.items()):
        out(f"  {rel}: {plural(count, 'rule violation')}")


def run(root, rules, only=None, report=False, out=print):
    """Runs the checks on the repository at root; returns the exit status."""
    errors = check_config(rules)
    if errors:
        for e in errors:
            out(f"config error: {e}")
        return 2
    started = time.monotonic()
    crates, graphs, violations, notes = analyse(root, rules)
    if only == "rules":
        graphs = {label: (tree, edges, []) for label, (tree, edges, _) in graphs.items()}
    if only == "cycles":
        violations = []
    print_cycles(graphs, root, out)
    print_violations(violations, out)
    for note in notes:
        out(f"note: {note}")
    if report:
        print_report(graphs, violations, rules, time.monotonic() - started, out)
    print_summary(graphs, violations, only, out)
    cyclic = any(cycles for _, _, cycles in graphs.values())
    return 1 if cyclic or violations else 0


# ---------------------------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------------------------

SELF_TEST_FILES = {
    # a -> b (use crate::) and b -> a (super:: inline): one cycle. c -> a is one-way; a's
    # test module imports c, which must not close a second loop. Comments, strings, char
    # literals and lifetimes mention c and must not count.
    "native/cyc/Cargo.toml": '[package]\nname = "zkmr-cyc"\n',
    "native/cyc/src/lib.rs": "pub mod a;\nmod b;\npub mod c;\n#[cfg(test)]\nmod tests;\n",
    "native/cyc/src/a.rs": (
        "use crate::b::{self, thing as t};\n"
        "// use crate::c::x;\n"
        "/* crate::c::x /* nested */ crate::c::x */\n"
        "pub fn other<'a>(s: &'a str) -> char { let _ = \"crate::c::x\"; let _ = r#\"super::c\"#; '{' }\n"
        "#[cfg(test)]\n"
        "mod tests {\n    use crate::c::helper;\n    fn f() { crate::c::helper(); }\n}\n"
    ),
    "native/cyc/src/b.rs": "pub fn thing() -> char {\n    super::a::other(\"x\")\n}\n",
    "native/cyc/src/c.rs": "pub fn helper() { crate::a::other(\"\"); }\n",
    "native/cyc/src/tests.rs": "use crate::c::helper;\n",
    # Clean: y/z -> y (an ancestor), x -> y::z; y -> y::z is into a submodule and dropped.
    # As an engine it breaks the rule twice (lines 2 and 4) and once more in an allowed file.
    "native/cli/Cargo.toml": '[package]\nname = "zkmr-cli"\n\n[[bin]]\nname = "zkmr"\npath = "src/main.rs"\n',
    "native/cli/src/main.rs": "mod x;\nmod y;\nmod allowed;\nfn main() { y::z::f(); }\n",
    "native/cli/src/x.rs": (
        "use zkmr_core::Result;\n"
        "use zkmr_core::{\n    scheme::Scheme,\n    pedersen::setup::{self, Setup},\n};\n"
        "pub fn g() { crate::y::z::f(); let _ = \"zkmr_core::halo2::x\"; }\n"
        "pub fn h() { zkmr_core::halo2::verify::verify(); }\n"
    ),
    "native/cli/src/y/mod.rs": "pub mod z;\npub use self::z::f;\npub const K: u8 = 1;\n",
    "native/cli/src/y/z.rs": "use super::K;\npub fn f() { let _ = super::K; }\n",
    "native/cli/src/allowed.rs": "use zkmr_core::halo2::srs;\n",
}

SELF_TEST_RULES = [
    ("zkmr-cli", "zkmr_core::pedersen", []),
    ("zkmr-cli", "zkmr_core::halo2", [("native/cli/src/allowed.rs", "self-test allow")]),
]


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in SELF_TEST_FILES.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        lines = []
        status = run(root, SELF_TEST_RULES, report=True, out=lines.append)
        _, graphs, violations, notes = analyse(root, SELF_TEST_RULES)
        clean = run(root, [("zkmr-cli", "zkmr_core::scheme::x", [])], only="rules", out=str)
        no_reason = run(root, [("zkmr-cli", "zkmr_core::halo2", [("*", " ")])], out=str)
    expect(clean == 0, "exit status 0 when clean", clean)
    expect(no_reason == 2, "exit status 2 for an allow entry without a reason", no_reason)
    output = "\n".join(lines)
    cyc_tree, cyc_edges, cyc_cycles = graphs["native/cyc"]
    cli_tree, cli_edges, cli_cycles = graphs["native/cli"]
    expect(status == 1, "exit status 1", status)
    expect([c for c, _ in cyc_cycles] == [[("a",), ("b",)]], "one cycle a <-> b", cyc_cycles)
    expect(cyc_cycles[0][1] == [("a",), ("b",), ("a",)], "cycle path a -> b -> a", cyc_cycles)
    expect(set(cyc_edges) == {(("a",), ("b",)), (("b",), ("a",)), (("c",), ("a",))},
           "cyc edges: no comment, string or test-module edges", dict(cyc_edges))
    expect(("tests",) not in cyc_tree.modules, "cfg(test) file module skipped", cyc_tree.modules)
    expect(cli_cycles == [], "no cycle in the clean crate", cli_cycles)
    expect(set(cli_edges) == {(("y", "z"), ("y",)), (("x",), ("y", "z"))},
           "clean crate edges", dict(cli_edges))
    found = [(v.file, v.line, v.path) for v in violations]
    expect(found == [("native/cli/src/x.rs", 4, "zkmr_core::pedersen::setup"),
                     ("native/cli/src/x.rs", 4, "zkmr_core::pedersen::setup::Setup"),
                     ("native/cli/src/x.rs", 7, "zkmr_core::halo2::verify::verify")],
           "rule violations", found)
    expect(notes == [], "no notes", notes)
    expect("native/cyc: 1 cycle" in output and "a -> b  native/cyc/src/a.rs:1" in output
           and "b -> a  native/cyc/src/b.rs:2" in output, "printed cycle", output)
    expect(len(tokenize("'\\u{1F600}' b'\\'' 'a' 'lt x")) == 4, "char literals", None)
    print("check-imports self-test: ok")
    return 0


def expect(ok, what, got):
    if not ok:
        raise AssertionError(f"self-test: expected {what}; got {got!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["cycles", "rules"], help="run one half of the check")
    parser.add_argument("--report", action="store_true", help="print graph sizes even when clean")
    parser.add_argument("--self-test", action="store_true", help="check the checker and exit")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="repository root (default: this script's parent directory)")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    return run(args.root, RULES, only=args.only, report=args.report)


if __name__ == "__main__":
    sys.exit(main())
