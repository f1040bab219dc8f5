"""Prints the feature pins of a crate built alone: the dependencies that a build of one
package (the cargo arguments given) would compile with other features than the whole
workspace's build does.

Two builds use them. `pip install ./python` has maturin build zkmr-python alone
(`-p zkmr-python`), and scripts/zkmr builds the CLI alone, first without its default
features (`-p zkmr-cli --no-default-features`). Cargo resolves features for the packages it
builds, so without the pins arrow, parquet, halo2 and the rest would compile a second time,
with fewer features, beside the workspace build's. The pins ask for the workspace's features,
so the builds share one of each.

Run from the repository root after changing dependencies, with the crate's arguments; it
asks `cargo tree` (nothing is built) for the features of every package compiled for the
target, both ways, and prints a pin for each that differs; paste its lines into the crate's
pins section and run it again until it prints nothing. scripts/python.sh fails the package
build when a dependency compiles again, and scripts/test.sh the CLI's quick build.
"""

import subprocess
import sys


def features(edges: str, *args: str) -> dict:
    """name@version -> features, of every package the build compiles for the target (not the
    build machine: build scripts and proc macros have their own units), as cargo resolves
    them for the packages `args` name."""
    out = subprocess.run(
        ["cargo", "tree", *args, "-e", edges, "--prefix", "none",
         "-f", "{p}|{f}"],
        capture_output=True, text=True, check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        package, _, flags = line.removesuffix(" (*)").partition("|")
        if not package or "(" in package:
            continue  # workspace members rebuild only when a dependency differs
        name, version = package.split(" ")
        found[f"{name}@{version.lstrip('v')}"] = frozenset(f for f in flags.split(",") if f)
    return found


def main() -> None:
    # `cargo tree` resolves the workspace as the test command's `--all-targets` build does
    # (dev-dependencies included) and a package alone as its build does (without them).
    workspace = features("normal,dev,no-proc-macro", "--workspace")
    alone = features("normal,no-proc-macro", *(sys.argv[1:] or ["-p", "zkmr-python"]))
    for package, flags in sorted(alone.items()):
        want = workspace.get(package)
        if want is None or want == flags:
            continue
        name, version = package.split("@")
        major = version.split(".")[0] if not version.startswith("0.") else "0-" + version.split(".")[1]
        listed = ", ".join(f'"{f}"' for f in sorted(want))
        print(f'pin-{name}-{major} = {{ package = "{name}", version = "{version}", '
              f"default-features = false, features = [{listed}] }}")


if __name__ == "__main__":
    main()
