#!/usr/bin/env python3
"""The man pages and docs/configuration.md say what the binaries and the config reader do:
every option of chairwatchd's --help is in chairwatchd(8) and docs/configuration.md; every
subcommand and option of chairwatch's --help (and of each subcommand's) is in chairwatch(1);
every key the config reader accepts (config/*.cpp, expect_map lists) is in
docs/configuration.md and in chairwatch.yaml(5).

usage: check_docs.py SOURCE_DIR CHAIRWATCHD CHAIRWATCH MAN_DIR
Exit code 0 when nothing drifted, 1 with one line per difference otherwise.
"""
import gzip
import os
import re
import subprocess
import sys


def help_text(*argv):
    return subprocess.run([*argv, "--help"], check=True, capture_output=True, text=True).stdout


def options(help_out):
    """The long options of a --help text's option lines."""
    found = set()
    for line in help_out.splitlines():
        if re.match(r"^  -", line):
            found.update(re.findall(r"--[a-z][a-z0-9-]*", line.split("  ")[1]))
    return found


def subcommands(help_out):
    part = help_out.split("Subcommands:", 1)[1] if "Subcommands:" in help_out else ""
    return [l.split()[0] for l in part.splitlines() if re.match(r"^  \S", l)]


def man_text(man_dir, page):
    path = os.path.join(man_dir, page)
    opener = gzip.open if not os.path.exists(path) else open
    with opener(path if os.path.exists(path) else path + ".gz", "rt", encoding="ascii") as f:
        return f.read().replace("\\-", "-").replace("\\fB", "").replace("\\fR", "")


def config_keys(source):
    keys = set()
    folder = os.path.join(source, "config")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".cpp"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        for call in re.findall(r"expect_map\(([^;]*?)\)\)", text, re.S):
            if "{" in call:
                keys.update(re.findall(r'"([a-z_]+)"', call.split("{", 1)[1]))
    return keys


def word_in(word, text):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def main():
    source, chairwatchd, chairwatch, man_dir = sys.argv[1:5]
    with open(os.path.join(source, "docs", "configuration.md"), encoding="utf-8") as f:
        config_md = f.read()
    code_spans = " ".join(re.findall(r"`([^`\n]+)`", config_md))
    problems = []

    daemon_man = man_text(man_dir, "chairwatchd.8")
    for opt in sorted(options(help_text(chairwatchd))):
        if not word_in(opt, daemon_man):
            problems.append("chairwatchd(8) lacks " + opt)
        if not word_in(opt, code_spans):
            problems.append("docs/configuration.md (Command line) lacks chairwatchd " + opt)

    tool_man = man_text(man_dir, "chairwatch.1")
    main_help = help_text(chairwatch)
    subs = subcommands(main_help)
    if not subs:
        problems.append("chairwatch --help lists no subcommands")
    for opt in sorted(options(main_help)):
        if not word_in(opt, tool_man):
            problems.append("chairwatch(1) lacks " + opt)
    for sub in subs:
        section = tool_man.split('.SS "chairwatch %s"' % sub, 1)
        if len(section) < 2:
            problems.append("chairwatch(1) has no section for chairwatch " + sub)
            continue
        body = section[1].split(".SS ", 1)[0]
        for opt in sorted(options(help_text(chairwatch, sub))):
            if not word_in(opt, body):
                problems.append("chairwatch(1) lacks chairwatch %s %s" % (sub, opt))

    yaml_man = man_text(man_dir, "chairwatch.yaml.5")
    keys = config_keys(source)
    if len(keys) < 50:
        problems.append("found only %d keys in config/*.cpp: the reader changed its shape" % len(keys))
    for key in sorted(keys):
        if not word_in(key, code_spans):
            problems.append("docs/configuration.md lacks the config key " + key)
        if not word_in(key, yaml_man):
            problems.append("chairwatch.yaml(5) lacks the config key " + key)

    for p in problems:
        print(p)
    print("%d options, %d subcommands, %d config keys checked: %d problems"
          % (len(options(help_text(chairwatchd))), len(subs), len(keys), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
