#!/usr/bin/env python3
"""Writes a help2man include file with a SUBCOMMANDS section for chairwatch(1): each
subcommand that `chairwatch --help` lists, with its description, usage, options and notes
taken from `chairwatch SUBCOMMAND --help`, so that the man page cannot drift from the binary.

usage: subcommands2man.py CHAIRWATCH_BINARY OUTPUT
Python standard library only.
"""
import re
import subprocess
import sys


def escape(text):
    text = text.replace("\\", "\\e")
    return "\\&" + text if text[:1] in (".", "'") else text


def run_help(binary, *args):
    return subprocess.run([binary, *args, "--help"], check=True, capture_output=True,
                          text=True).stdout


def subcommands(main_help):
    names, inside = [], False
    for line in main_help.splitlines():
        if line.startswith("Subcommands:"):
            inside = True
        elif inside and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
        elif inside and not line.strip():
            inside = False
    return names


def term(text):
    """An option's term: option names in bold, the rest (value name, checks) as they are."""
    names, _, rest = text.partition(" ")
    bold = "\\fB" + escape(names).replace("-", "\\-") + "\\fR"
    return bold + (" " + escape(rest) if rest else "")


def section(binary, name):
    lines = run_help(binary, name).splitlines()
    out = ['.SS "chairwatch %s"' % name, escape(lines[0])]
    entries, notes, in_list = [], [], False
    for line in lines[1:]:
        if line.startswith("Usage:"):
            out += [".PP", "Usage: \\fB" + escape(line[len("Usage:"):].strip()) + "\\fR"]
        elif re.match(r"^\S.*:$", line):
            in_list = True
        elif in_list and re.match(r"^  \S", line):
            m = re.match(r"^(\S.*?)(?:\s{2,}(.*))?$", line.strip())
            entries.append([m.group(1), (m.group(2) or "").strip()])
        elif in_list and line.startswith("    ") and entries:
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
        elif not line.strip():
            in_list = False
        else:
            notes.append(line)
    for head, desc in entries:
        out += [".TP", term(head), escape(desc)]
    if notes:
        out += [".PP", ".nf"] + [escape(n) for n in notes] + [".fi"]
    return out


def main():
    binary, output = sys.argv[1], sys.argv[2]
    out = ["[SUBCOMMANDS]"]
    for name in subcommands(run_help(binary)):
        out += section(binary, name)
    with open(output, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
