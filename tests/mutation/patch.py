#!/usr/bin/python3
"""patch.py — applies one mutant line read from stdin to the tree given as argument.

A line is "ID ~~ FILE ~~ ORIGINAL ~~ REPLACEMENT[ ~~ NOTE]". ORIGINAL must occur exactly once
in FILE (so a mutant never lands somewhere unintended after the code moves); "\\n" and "\\t"
in either snippet stand for a newline and a tab. Exit 1 with a reason when it does not apply.
With --check LIST instead of stdin, only reports the lines of LIST that would not apply.
"""
import sys


def parse(line):
    parts = line.rstrip("\n").split(" ~~ ")
    if len(parts) not in (4, 5):
        raise ValueError("malformed line: want ID ~~ FILE ~~ ORIGINAL ~~ REPLACEMENT[ ~~ NOTE]")
    return [p.replace("\\n", "\n").replace("\\t", "\t") for p in parts[:4]]


def apply(root, line, write=True):
    _id, path, original, replacement = parse(line)
    full = f"{root}/{path}"
    with open(full, encoding="utf-8") as f:
        text = f.read()
    found = text.count(original)
    if found != 1:
        raise ValueError(f"snippet found {found} times in {path}")
    if write:
        with open(full, "w", encoding="utf-8") as f:
            f.write(text.replace(original, replacement))


def main():
    if len(sys.argv) == 4 and sys.argv[2] == "--check":
        bad = 0
        with open(sys.argv[3], encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    try:
                        apply(sys.argv[1], line, write=False)
                    except (ValueError, OSError) as e:
                        bad += 1
                        print(f"{line.split(' ~~ ')[0]}: {e}")
        sys.exit(1 if bad else 0)
    try:
        apply(sys.argv[1], sys.stdin.readline())
    except (ValueError, OSError) as e:
        raise SystemExit(str(e))


if __name__ == "__main__":
    main()
