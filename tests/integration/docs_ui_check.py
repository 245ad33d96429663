#!/usr/bin/env python3
"""docs_ui_check.py CONSOLE TMPDIR — every example in docs/ui.md against the program.

Run by tests/integration/test_docs_ui.sh from the top of the tree.  Prints
"ok - ..." / "not ok - ..." lines; the exit status is 1 when one failed.

- Fenced blocks: each follows a marker line.
    <!-- golden: NAME [dump N | final] (free text) -->
  The block is a screen: each line's first W characters (W: the golden's
  width) are screen text, anything further right (after two spaces or more)
  a note that is not on the screen; a line "..." skips rows.  The lines must
  appear, in order and otherwise consecutive, in one screen of
  tests/screen/golden/NAME.txt (the given dump, else any).
    <!-- checked: KIND (free text) -->
  theme: the block is a theme file, loaded with --theme; the message the
  doc gives for a bad role comes out for such a line.  stats-file: the keys
  of the --stats-file object are those a real run writes.  screen-command:
  the screen runner's replay and clock.
  A block without a marker fails: nothing in the doc goes unchecked.
- Filter examples (the code spans of the "/" key's row): each one has a
  check in FILTERS below, found in a golden screen filtered by exactly it.
- The key table: every key is in the help golden of the view its row names
  (or of any view), else handled in src/ui/ (a case label).
- The views table: every "N Name" is a tab of the wide tab bar.
"""
import glob
import json
import os
import re
import subprocess
import sys

DOC = "docs/ui.md"
GOLDEN = "tests/screen/golden"
FLEET = "tests/screen/fleet.json"

results = []


def check(ok, what, detail=""):
    results.append(ok)
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and detail:
        for line in detail.rstrip("\n").split("\n"):
            print("    " + line)


def screens(name):
    """The screens of a golden: [(label, width, [lines])], label "dump N",
    "final" or "screen"."""
    out = []
    cur = None
    with open(os.path.join(GOLDEN, name + ".txt"), encoding="utf-8") as f:
        for line in f.read().split("\n"):
            m = re.match(r"^=== (dump \d+|final|screen) (\d+)x(\d+)$", line)
            if m:
                cur = []
                out.append((m.group(1), int(m.group(2)), cur))
            elif line.startswith("--- attributes"):
                cur = None
            elif cur is not None:
                cur.append(line.rstrip())
    return out


def all_screens():
    for path in sorted(glob.glob(os.path.join(GOLDEN, "*.txt"))):
        name = os.path.basename(path)[:-4]
        for label, width, lines in screens(name):
            yield name, label, width, lines


# --- the fenced blocks --------------------------------------------------------

def fenced_blocks(lines):
    """[(marker line or None, line number of the fence, [block lines])]"""
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            start = i
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            marker = None
            k = start - 1
            if k >= 0 and lines[k].startswith("<!--"):
                marker = lines[k]
            blocks.append((marker, start + 1, lines[start + 1:j]))
            i = j + 1
        else:
            i += 1
    return blocks


def screen_part(line, width):
    """The screen text of a doc line, or None when what passes the width is
    not a note (two spaces or more, then text)."""
    if len(line) <= width:
        return line.rstrip()
    rest = line[width:]
    if rest.strip() and not re.match(r"^\s{2,}\S", rest):
        return None
    return line[:width].rstrip()


def match_screen(block, width, lines):
    """The block's screen lines in order, consecutive except at "...",
    within lines; returns the mismatch report or None."""
    parts = []
    for n, line in enumerate(block):
        s = screen_part(line, width)
        if s is None:
            return "line %d passes column %d without two spaces before a note" % (n + 1, width)
        parts.append(s)
    runs = [[]]
    for s in parts:
        if s == "...":
            runs.append([])
        else:
            runs[-1].append(s)
    pos = 0
    for r, run in enumerate(runs):
        if not run:
            continue
        found = None
        last = len(lines) - len(run)
        for at in range(pos, last + 1):
            if lines[at:at + len(run)] == run:
                found = at
                break
        if found is None:
            return "not in the screen:\n" + closest(run, lines[pos:])
        pos = found + len(run)
    return None


def closest(run, lines):
    """Where run parts from the screen: its first line that differs, at the
    place most of its lines match."""
    best, at = -1, 0
    for i in range(len(lines)):
        n = sum(1 for k, s in enumerate(run) if i + k < len(lines) and lines[i + k] == s)
        if n > best:
            best, at = n, i
    for k, s in enumerate(run):
        real = lines[at + k] if at + k < len(lines) else "(the screen ends)"
        if s != real:
            return "doc:    %s\nscreen: %s" % (s, real)
    return "\n".join(run)


def check_golden_block(marker, lineno, block):
    m = re.match(r"^<!-- golden: (\S+?)(?: (dump \d+|final))?(?: \(.*\))? -->$", marker)
    if not m:
        check(False, "%s:%d: golden marker %r is malformed" % (DOC, lineno, marker))
        return
    name, which = m.group(1), m.group(2)
    if not os.path.exists(os.path.join(GOLDEN, name + ".txt")):
        check(False, "%s:%d: no golden %s" % (DOC, lineno, name))
        return
    reports = []
    for label, width, lines in screens(name):
        if which and label != which:
            continue
        why = match_screen(block, width, lines)
        if why is None:
            check(True, "%s:%d: the screen is %s (%s)" % (DOC, lineno, name, label))
            return
        reports.append("%s: %s" % (label, why))
    check(False, "%s:%d: the screen is not in golden %s%s" %
          (DOC, lineno, name, " " + which if which else ""), "\n".join(reports[:2]))


def run_console(args, env_extra=None, cwd=None):
    env = dict(os.environ)
    for v in ("NO_COLOR", "COLUMNS", "LINES"):
        env.pop(v, None)
    env.update({"TZ": "UTC", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"})
    env.update(env_extra or {})
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=20)


def check_theme(lineno, block, console, tmp):
    path = os.path.join(tmp, "doc.theme")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(block) + "\n")
    r = run_console([console, "--replay", FLEET, "--dump-screen", os.path.join(tmp, "theme.dump"),
             "--theme", path])
    check(r.returncode == 0, "%s:%d: the theme example loads with --theme" % (DOC, lineno),
          r.stderr)
    # The doc's message for a bad line, from the example with the typo as
    # its line 12.
    doc = open(DOC, encoding="utf-8").read()
    m = re.search(r"`(themes/x\.theme):(\d+): unknown role \"(\w+)\"`", doc)
    if not m:
        check(False, "%s: the bad theme line's message (themes/x.theme:N: unknown role) is gone" % DOC)
        return
    where, n, role = m.group(1), int(m.group(2)), m.group(3)
    bad = list(block)
    while len(bad) < n - 1:
        bad.append("# padding")
    bad.insert(n - 1, role + " = bold")
    os.makedirs(os.path.join(tmp, "themes"), exist_ok=True)
    with open(os.path.join(tmp, where), "w", encoding="utf-8") as f:
        f.write("\n".join(bad) + "\n")
    r = run_console([os.path.abspath(console), "--replay", os.path.abspath(FLEET), "--dump-screen",
             "x.dump", "--theme", where], cwd=tmp)
    want = '%s:%d: unknown role "%s"' % (where, n, role)
    check(r.returncode == 2 and want in r.stderr,
          "%s: a bad theme line says %s, exit 2" % (DOC, want), "exit %d: %s" % (r.returncode, r.stderr))


def check_stats(lineno, block, console, tmp):
    try:
        doc = json.loads("\n".join(block))
    except ValueError as e:
        check(False, "%s:%d: the --stats-file example is JSON" % (DOC, lineno), str(e))
        return
    out = os.path.join(tmp, "stats.json")
    # The full-screen console on a terminal (script(1) gives it one): a
    # second, then q.
    cmd = "%s --replay %s --stats-file %s" % (console, FLEET, out)
    feed = subprocess.Popen(["sh", "-c", "sleep 1; printf q; sleep 2"], stdout=subprocess.PIPE)
    env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8")
    subprocess.run(["timeout", "10", "script", "-qec", cmd, "/dev/null"], stdin=feed.stdout,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    feed.stdout.close()
    feed.kill()
    feed.wait()
    try:
        real = json.load(open(out))
    except (OSError, ValueError) as e:
        check(False, "%s:%d: a real --stats-file to compare with" % (DOC, lineno), str(e))
        return
    check(list(doc) == list(real) and doc["keys"] and real["keys"] and
          list(doc["keys"][0]) == list(real["keys"][0]),
          "%s:%d: the --stats-file example has the keys a real run writes, in order" % (DOC, lineno),
          "doc:  %s %s\nreal: %s %s" % (list(doc), doc["keys"][:1], list(real), real["keys"][:1]))


def check_screen_command(lineno, block):
    runner = open("tests/integration/test_tui_screens.sh", encoding="utf-8").read()
    text = " ".join(block)
    clock = re.search(r"--clock (\S+)", text)
    replay = re.search(r"--replay (\S+)", text)
    ok = (clock and "CLOCK=" + clock.group(1) in runner and replay and
          "--replay " + replay.group(1) in runner)
    check(bool(ok), "%s:%d: the screen runner replays and clocks as the doc says" % (DOC, lineno))


# --- filter examples ----------------------------------------------------------

def table_of(lines):
    """(header line, rows) of a table screen: rows from line 5 up to the
    alert pane, the JWKS line or a blank line."""
    rows = []
    for line in lines[4:]:
        if not line.strip() or line.startswith("── ") or line.startswith("JWKS:"):
            break
        rows.append(line)
    return lines[3], rows


def cell(header, row, column):
    """A row's text under a column: from the end of the header word before
    to the start of the one after (left- and right-aligned cells both)."""
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", header)]
    for i, (start, end, word) in enumerate(words):
        if word == column:
            lo = words[i - 1][1] if i > 0 else 0
            hi = words[i + 1][0] if i + 1 < len(words) else len(row)
            return row[lo:hi].strip()
    return None


def has_all(*needles):
    return lambda header, row: all(n.lower() in row.lower() for n in needles)


def in_column(column, needle, *anywhere):
    def pred(header, row):
        c = cell(header, row, column)
        return (c is not None and needle.lower() in c.lower() and
            all(n.lower() in row.lower() for n in anywhere))
    return pred


# Each filter example of docs/ui.md: what every row it leaves must show.
FILTERS = {
    "Mill 27 setpoint": has_all("Mill Lane 27", "setpoint"),
    "connection:disconnected": in_column("connection", "DISCONNECTED"),
    "component:pump 27": in_column("component", "pump", "27"),
    "age:stale": in_column("age", "stale"),
    "rate:/m": in_column("rate", "/m"),
    "12:00": has_all("12:00"),
}
# Code spans of the "/" row that are keys or syntax, not examples.
NOT_EXAMPLES = {"/", "Enter", "Esc", "Ctrl-u", "?", "column:text"}


def check_filter(example, pred):
    seen = []
    for name, label, width, lines in all_screens():
        if len(lines) < 5 or not lines[2].endswith("  /" + example):
            continue
        m = re.search(r"(\d+)/(\d+) rows", lines[2])
        header, rows = table_of(lines)
        bad = [r for r in rows if not pred(header, r)]
        where = "%s (%s)" % (name, label)
        if m and 0 < int(m.group(1)) < int(m.group(2)) and len(rows) == int(m.group(1)) and not bad:
            check(True, "filter %s: %s rows of %s, each as the doc says, in %s" %
                  (example, m.group(1), m.group(2), where))
            return
        seen.append("%s: %s\n%s" % (where, lines[2], "\n".join(bad[:3])))
    check(False, "filter %s: no golden screen filtered by it shows what the doc says" % example,
          "\n".join(seen) or "no screen's header ends with /" + example)


def check_unknown_column(span):
    m = re.match(r'^(✖ no column "(\w+)"; columns: .*?)(?: …)?$', span)
    column = m.group(2)
    for name, label, width, lines in all_screens():
        if len(lines) < 5 or not lines[-1].startswith("Filter: %s:" % column):
            continue
        # the prompt says it; the header counts every row (no "N/M")
        if m.group(1) in lines[-1] and re.search(r"  \d+ rows  /%s:" % column, lines[2]):
            check(True, "the unknown-column message as the doc gives it, nothing filtered, in %s (%s)" %
                  (name, label))
            return
    check(False, "no golden screen shows %r with nothing filtered" % m.group(1))


def check_filters(doc_lines):
    row = next((line for line in doc_lines if line.startswith("| `/` |")), None)
    if row is None:
        check(False, "%s: the key table has no / row" % DOC)
        return
    spans = re.findall(r"`([^`]+)`", row)
    for span in spans:
        if span in NOT_EXAMPLES:
            continue
        if span.startswith("✖ no column"):
            check_unknown_column(span)
        elif span in FILTERS:
            check_filter(span, FILTERS[span])
        else:
            check(False, "filter example %r in %s has no check in %s" % (span, DOC, __file__))
    for example in FILTERS:
        if example not in spans:
            check(False, "%s checks the filter %r, which %s no longer gives" % (__file__, example, DOC))


# --- keys and views -----------------------------------------------------------

# The doc's spelling of a key -> the help's.
HELP_SPELLING = {"Shift-Tab": "S-Tab", "Backspace": "Bksp", "↓": "Down", "↑": "Up",
         "1–9": "1-9", "Ctrl-u": "C-u", "Ctrl-d": "C-d", "Ctrl-l": "C-l"}
# Keys no help lists: how src/ui/ handles them.
SOURCE_SPELLING = {"→": "case KEY_RIGHT:", "←": "case KEY_LEFT:",
           "Ctrl-C": "SIGINT", "Esc": "case 27:"}


def help_keys():
    """{view title: set of keys} from every help box of the goldens."""
    keys = {}
    for name, label, width, lines in all_screens():
        title = None
        for line in lines:
            m = re.search(r"Keys of (.+?) \(any key closes\)", line)
            if m:
                title = m.group(1)
                keys.setdefault(title, set())
                continue
            m = re.match(r"^.?[|│] (\S.*?)(?:\s{2,}|$)", line)
            if title and m:
                keys[title].update(m.group(1).split())
    return keys


def source_handles(key):
    src = "".join(open(p, encoding="utf-8").read() for p in glob.glob("src/ui/*.c"))
    if key in SOURCE_SPELLING:
        return SOURCE_SPELLING[key] in src
    if len(key) == 1:
        return "case '%s':" % key in src or "key == '%s'" % key in src
    return False


# "what" texts that tie a key to views -> the help boxes' titles.
VIEW_TITLES = {"datapoints": ["Datapoints"], "setpoints": ["Setpoints"], "events": ["Events"],
           "tokens": ["Tokens"], "errors": ["Errors"], "requests": ["Requests"],
           "inspector of a series": ["Inspector"]}


def views_of(what):
    m = re.match(r"^(?:the )?([A-Za-z ]+?) views?: ", what) or re.match(r"^(inspector of a series): ", what)
    if not m:
        return []
    names = [n.strip().lower() for n in m.group(1).split(" and ")]
    return [t for n in names for t in VIEW_TITLES.get(n, [])]


def check_keys(doc_lines):
    helps = help_keys()
    every = set().union(*helps.values()) if helps else set()
    start = doc_lines.index("## Keys")
    rows = []
    for line in doc_lines[start:]:
        if line.startswith("## ") and line != "## Keys":
            break
        if line.startswith("| ") and not line.startswith("| keys |"):
            rows.append(line)
    missing = []
    count = 0
    for row in rows:
        cells = row.split(" | ")
        keys_cell, what = cells[0][2:], cells[1] if len(cells) > 1 else ""
        keys_cell = re.sub(r"`(\w)`–`(\w)`", r"\1–\2", keys_cell)
        tokens = [t for t in re.split(r"[\s,/]+", keys_cell.replace("`/`", "SLASH")) if t]
        tokens = ["/" if t == "SLASH" else t.strip("`") for t in tokens]
        views = views_of(what)
        for key in tokens:
            count += 1
            spelled = HELP_SPELLING.get(key, key)
            if views:
                if all(spelled in helps.get(v, ()) for v in views):
                    continue
                missing.append("%s: not in the help of %s" % (key, ", ".join(views)))
            elif spelled in every or source_handles(key):
                continue
            else:
                missing.append("%s: in no help and not handled in src/ui/" % key)
    check(not missing and count > 30, "%s: the %d keys of the key table are in the help of their view "
          "or handled in src/ui/" % (DOC, count), "\n".join(missing))


def check_views(doc_lines):
    tabs = None
    for name, label, width, lines in all_screens():
        if "Unclassified" in lines[1] and "0 Requests" in lines[1]:
            tabs = lines[1]
            break
    rows = [re.match(r"^\| (\d) \| (\w+) \|", line) for line in doc_lines]
    rows = [m for m in rows if m]
    bad = [m.group(0) for m in rows if not tabs or not re.search(r"(?:^|[ \[])%s %s(?:$|[ \]])" % (m.group(1), m.group(2)), tabs)]
    check(len(rows) == 10 and not bad, "%s: the views table's keys and titles are the tabs'" % DOC,
          "tabs: %s\nnot there: %s" % (tabs, bad))


def main():
    console, tmp = sys.argv[1], sys.argv[2]
    doc_lines = open(DOC, encoding="utf-8").read().split("\n")
    for marker, lineno, block in fenced_blocks(doc_lines):
        if marker is None:
            check(False, "%s:%d: a fenced block without a marker (<!-- golden: ... --> or "
                  "<!-- checked: ... -->)" % (DOC, lineno))
        elif marker.startswith("<!-- golden: "):
            check_golden_block(marker, lineno, block)
        elif marker.startswith("<!-- checked: theme"):
            check_theme(lineno, block, console, tmp)
        elif marker.startswith("<!-- checked: stats-file"):
            check_stats(lineno, block, console, tmp)
        elif marker.startswith("<!-- checked: screen-command"):
            check_screen_command(lineno, block)
        else:
            check(False, "%s:%d: unknown marker %r" % (DOC, lineno, marker))
    check_filters(doc_lines)
    check_keys(doc_lines)
    check_views(doc_lines)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
