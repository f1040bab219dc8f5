"""Prints the feature pins of a crate built alone: the dependencies that a build of one
package (the cargo arguments given) would compile with other features than the whole
workspace's build does.

Two builds use them. `pip install ./python` has maturin build zkmr-python alone
(`-p zkmr-python`), and scripts/zkmr builds the CLI alone, first without its default
features (`-p zkmr-cli --no-default-features`). Cargo resolves features for the packages it
builds, so without the pins arrow, parquet, halo2 and the rest would compile a second time,
with fewer features, beside the workspace build's. The pins ask for the workspace's features,
so the builds share one of each.

Run from the repository root after changing dependencies, with the crate's arguments (it
builds both ways, release profile), and repeat until it prints nothing new; paste its lines
into the crate's pins section. scripts/python.sh fails the package build when a dependency
compiles again, and scripts/test.sh the CLI's quick build.
"""

import collections
import json
import subprocess
import sys


def units(*args: str) -> dict:
    """package id -> [(features, artifact files)] of every library unit the build makes."""
    out = subprocess.run(
        ["cargo", "build", "--release", "--message-format=json", *args],
        capture_output=True, text=True, check=True,
    ).stdout
    found = collections.defaultdict(list)
    for line in out.splitlines():
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and "lib" in m["target"]["kind"]:
            found[m["package_id"]].append((frozenset(m["features"]), frozenset(m["filenames"])))
    return found


def main() -> None:
    workspace = units("--workspace", "--all-targets")
    alone = units(*(sys.argv[1:] or ["-p", "zkmr-python"]))
    shared = {f for built in workspace.values() for _, files in built for f in files}
    for package, built in sorted(alone.items()):
        if package.startswith("path+"):
            continue  # workspace members rebuild only when a dependency differs
        for features, files in built:
            if files & shared:
                continue
            # The workspace unit this one should have been: the smallest superset (a
            # package built for the host and the target has two).
            candidates = [f for f, _ in workspace.get(package, []) if f >= features]
            if not candidates:
                continue
            want = min(candidates, key=len)
            if want == features:
                continue  # the same features: it differs by a dependency pinned here
            name, version = package.rsplit("#", 1)[-1].split("@")
            major = version.split(".")[0] if not version.startswith("0.") else "0-" + version.split(".")[1]
            flags = ", ".join(f'"{f}"' for f in sorted(want))
            print(f'pin-{name}-{major} = {{ package = "{name}", version = "{version}", '
                  f"default-features = false, features = [{flags}] }}")


if __name__ == "__main__":
    main()
