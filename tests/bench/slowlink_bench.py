#!/usr/bin/env python3
"""slowlink_bench — `make bench` section "slow links": what the full-screen
console writes to its terminal, and how fast keys are answered when the
terminal is a 1 Mbit/s link.

    slowlink_bench.py --console build/drivr-console --sim build/drivr-sim \\
        --dir DIR -- -h 127.0.0.1 -p PORT

ARGS after -- are the broker's connection arguments (loopback only).  The
script starts drivr-sim on a small world of its own slug (its normal rate:
a steady datapoint stream) and, per case, the console on a pseudo-terminal
it owns (TIOCSWINSZ sets the size, TERM=xterm-256color), reading everything
the console writes.

Bytes (per size, 80x24 and 250x80; one console per case):
  idle   connected, a world that does not change (a slug with no traffic)
  live   the sim's datapoint stream on the Datapoints view
  scroll the same stream, j held (a key every 33 ms, a keyboard's repeat)
  page   the same stream, PgDn held (turning to PgUp every 2 pages)
Measured over a window after the first screen has settled: bytes/s, and
bytes per frame, a frame being a burst of output (the console writes one
frame at once; frames are at least 33 ms apart here, a frame slot at --fps
20 or a held key's interval, so a gap of 10 ms between reads separates
them).  The console's own frame count
over its whole run (--stats-file) is printed beside it as a check.

Key latency (per size): the reader takes at most --link-bytes (125 000
bytes/s, 1 Mbit/s; a token bucket) while the stream runs; every 200 ms a
key switches views (3 Datapoints, 2 Components, 1 Systems, in turn, from
the first screen's Systems view).  The output goes through a small terminal emulator
(VtScreen: cursor motion, erase, scroll region, insert/delete, repeat; fixed
size, every sequence bounded); a key is answered when the crumb line (the
first line after the tab bar) begins with its view's title, or with the
title of a key sent after it (two keys answered by one frame).  Latency:
the key's write to the read that made it visible.  Cases: keys (the stream
alone), keys-page (PgDn held as well), and at 250x80 keys-page-halflink
(the same at 0.5 Mbit/s, below what PgDn held asks: no target, it shows
what a saturated link costs).  At the end the emulated screen must show the
last key's view in the crumb and the tab bar (a check of the emulator).

Prints "metric<TAB>value" lines, metric = SIZE-CASE-NAME (run.sh records
them); exits non-zero when a console failed, did not start or did not stop.
Every process is stopped at the end in every case.
"""
import argparse
import codecs
import fcntl
import json
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time

TITLES = {b"1": "Systems", b"2": "Components", b"3": "Datapoints"}
FRAME_GAP_S = 0.010  # a gap this long between reads ends an output burst
# Keys held down (a keyboard's repeat, 30/s): j moves the selection one row,
# PgDn a page; the direction turns every 150 keys, before the table's end
# (where the selection would stop and nothing change): after 150 rows, or 2
# pages.
HELD = {"scroll": (b"j", b"k", 150), "page": (b"\x1b[6~", b"\x1b[5~", 2)}
HELD_INTERVAL_S = 1 / 30


def held_key(case, n):
    down, up, turn = HELD[case]
    return down if (n // turn) % 2 == 0 else up


class VtScreen:
    """The part of an xterm that ncurses' xterm-256color output uses, enough
    to know what the screen shows: characters only (attributes ignored),
    deferred wrap, scroll region.  Unknown sequences are skipped."""

    MAX_PARAMS = 16
    MAX_STRING = 4096  # an OSC/DCS longer than this is cut off

    def __init__(self, cols, rows):
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0
        self.wrap = False
        self.top, self.bottom = 0, rows - 1
        self.saved = (0, 0)
        self.last = " "
        self.state = "text"
        self.seq = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def line(self, y):
        return "".join(self.grid[y])

    def feed(self, data):
        for ch in self.decoder.decode(data):
            self._char(ch)

    def _scroll_up(self, n=1):
        for _ in range(min(n, self.bottom - self.top + 1)):
            del self.grid[self.top]
            self.grid.insert(self.bottom, [" "] * self.cols)

    def _scroll_down(self, n=1):
        for _ in range(min(n, self.bottom - self.top + 1)):
            del self.grid[self.bottom]
            self.grid.insert(self.top, [" "] * self.cols)

    def _lf(self):
        if self.y == self.bottom:
            self._scroll_up()
        elif self.y < self.rows - 1:
            self.y += 1

    def _put(self, ch):
        if self.wrap:
            self.x = 0
            self._lf()
            self.wrap = False
        self.grid[self.y][self.x] = ch
        self.last = ch
        if self.x == self.cols - 1:
            self.wrap = True
        else:
            self.x += 1

    def _char(self, ch):
        st = self.state
        if st == "text":
            o = ord(ch)
            if ch == "\x1b":
                self.state, self.seq = "esc", ""
            elif o >= 32 and o != 127:
                self._put(ch)
            elif ch == "\r":
                self.x, self.wrap = 0, False
            elif ch in "\n\x0b\x0c":
                self._lf()
                self.wrap = False
            elif ch == "\b":
                self.x, self.wrap = max(0, self.x - 1), False
            elif ch == "\t":
                self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
            return  # BEL, SO, SI and other controls: nothing on the screen
        if st == "esc":
            self.state = "text"
            if ch == "[":
                self.state, self.seq = "csi", ""
            elif ch in "]PX^_":
                self.state, self.seq = "string", ""
            elif ch in "()*+#%":
                self.state = "charset"  # one more byte names it
            elif ch == "7":
                self.saved = (self.x, self.y)
            elif ch == "8":
                self.x, self.y = self.saved
                self.wrap = False
            elif ch == "D":
                self._lf()
            elif ch == "E":
                self.x = 0
                self._lf()
            elif ch == "M":
                if self.y == self.top:
                    self._scroll_down()
                elif self.y > 0:
                    self.y -= 1
            elif ch == "c":
                self.__init__(self.cols, self.rows)
            return
        if st == "charset":
            self.state = "text"
            return
        if st == "string":  # OSC, DCS...: ends with BEL or ESC \
            if ch == "\x07" or ch == "\x1b" or len(self.seq) > self.MAX_STRING:
                self.state = "esc_string_end" if ch == "\x1b" else "text"
            else:
                self.seq += ch
            return
        if st == "esc_string_end":  # ESC \ ends the string; ESC and else: a new sequence
            self.state = "text"
            if ch != "\\":
                self.state = "esc"
                self._char(ch)
            return
        # csi: parameters and intermediates, then a final byte 0x40-0x7e
        if "\x40" <= ch <= "\x7e":
            self.state = "text"
            self._csi(self.seq, ch)
        elif len(self.seq) < 64:
            self.seq += ch
        else:
            self.state = "text"  # a runaway sequence: dropped

    def _csi(self, seq, final):
        if seq[:1] in ("?", ">", "<", "=", "!"):
            return  # modes and queries: nothing on the screen
        try:
            p = [int(v) if v else 0 for v in seq.split(";")[: self.MAX_PARAMS]] if seq else []
        except ValueError:
            return
        if final in "mhlntc":
            return  # attributes, modes, reports: nothing moves (nor ends a pending wrap)
        n = max(1, p[0] if p else 1)
        self.wrap = False
        rows, cols = self.rows, self.cols
        if final in "Hf":
            self.y = min(rows - 1, max(1, p[0] if p else 1) - 1)
            self.x = min(cols - 1, max(1, p[1] if len(p) > 1 else 1) - 1)
        elif final == "A":
            self.y = max(0, self.y - n)
        elif final == "B":
            self.y = min(rows - 1, self.y + n)
        elif final == "C":
            self.x = min(cols - 1, self.x + n)
        elif final == "D":
            self.x = max(0, self.x - n)
        elif final == "G":
            self.x = min(cols - 1, n - 1)
        elif final == "d":
            self.y = min(rows - 1, n - 1)
        elif final == "J":
            mode = p[0] if p else 0
            ys = range(self.y + 1, rows) if mode == 0 else range(0, self.y) if mode == 1 else range(rows)
            for y in ys:
                self.grid[y] = [" "] * cols
            if mode == 0:
                self.grid[self.y][self.x:] = [" "] * (cols - self.x)
            elif mode == 1:
                self.grid[self.y][: self.x + 1] = [" "] * (self.x + 1)
        elif final == "K":
            mode = p[0] if p else 0
            row = self.grid[self.y]
            if mode == 0:
                row[self.x:] = [" "] * (cols - self.x)
            elif mode == 1:
                row[: self.x + 1] = [" "] * (self.x + 1)
            else:
                self.grid[self.y] = [" "] * cols
        elif final == "X":
            end = min(cols, self.x + n)
            self.grid[self.y][self.x:end] = [" "] * (end - self.x)
        elif final == "@":
            row = self.grid[self.y]
            k = min(n, cols - self.x)
            row[self.x:self.x] = [" "] * k
            del row[cols:]
        elif final == "P":
            row = self.grid[self.y]
            k = min(n, cols - self.x)
            del row[self.x:self.x + k]
            row.extend([" "] * k)
        elif final in "LM" and self.top <= self.y <= self.bottom:
            saved_top = self.top
            self.top = self.y
            (self._scroll_down if final == "L" else self._scroll_up)(n)
            self.top = saved_top
            self.x = 0
        elif final == "S":
            self._scroll_up(n)
        elif final == "T":
            self._scroll_down(n)
        elif final == "r":
            top = (p[0] if p and p[0] else 1) - 1
            bottom = (p[1] if len(p) > 1 and p[1] else rows) - 1
            if 0 <= top < bottom < rows:
                self.top, self.bottom = top, bottom
                self.x = self.y = 0
        elif final == "b":
            for _ in range(min(n, cols * rows)):
                self._put(self.last)


def shown_title(line):
    """The view title the crumb line begins with (None: none)."""
    return next((t for t in TITLES.values() if line.startswith(t + " ")), None)


def vt_self_check():
    """The emulator on known sequences (before its answers are trusted)."""
    v = VtScreen(10, 4)

    def expect(want):
        got = [v.line(y) for y in range(4)]
        if got != want:
            raise RuntimeError(f"terminal emulator self-check: {got!r} != {want!r}")

    v.feed(b"\x1b[2J\x1b[1;1Habcdefghij")  # the last column: wrap pending
    v.feed(b"\x1b[1mk\x1b[0m")              # an attribute keeps it: k wraps
    v.feed(b"\x1b[3;3Hx\x1b[3bq\x1b[1;8H\x1b[K\x1b[2;2H\x1b[2X")  # rep, erase
    v.feed(b"\x1b[4;1H\xe2\x94\x80end\x1b]0;title\x07!")       # UTF-8, an OSC
    expect(["abcdefg   ", "k         ", "  xxxxq   ", "\u2500end!     "])
    v.feed(b"\x1b[2;4r\x1b[4;1H\n")       # scroll region rows 2-4: row 1 stays
    expect(["abcdefg   ", "  xxxxq   ", "\u2500end!     ", " " * 10])
    v.feed(b"\x1b[r\x1b[2;1H\x1b[L\x1b[4;2H\x1b[2P")  # insert a line; delete 2 characters
    expect(["abcdefg   ", " " * 10, "  xxxxq   ", "\u2500d!       "])


class Console:
    """The console on a pty of the bench's own, COLSxROWS."""

    def __init__(self, cmd, cols, rows, stats_path, err_path):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        env.pop("NO_COLOR", None)
        self.stats_path = stats_path
        if os.path.exists(stats_path):
            os.unlink(stats_path)
        with open(err_path, "w") as err:
            self.proc = subprocess.Popen(cmd + ["--stats-file", stats_path], stdin=slave,
                                         stdout=slave, stderr=err, env=env,
                                         start_new_session=True)
        os.close(slave)
        os.set_blocking(self.master, False)

    def read(self, limit=65536):
        """What the console wrote (b"" when nothing waits); None once it is gone."""
        try:
            return os.read(self.master, limit)
        except BlockingIOError:
            return b""
        except OSError:
            return None

    def drain_for(self, seconds, on_chunk=None):
        """Reads at full speed for `seconds`; bytes read."""
        total, end = 0, time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return total
            r, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if r:
                data = self.read()
                if data is None:
                    return total
                if data:
                    total += len(data)
                    if on_chunk:
                        on_chunk(time.monotonic(), data)

    def key(self, k):
        os.write(self.master, k)

    def stop(self, timeout=10):
        """q, the rest of its output read; its stats (None: not written)."""
        try:
            self.key(b"q")
        except OSError:
            pass
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r and self.read() is None:
                break
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        rc = self.proc.wait()
        os.close(self.master)
        try:
            with open(self.stats_path) as f:
                return rc, json.load(f)
        except (OSError, ValueError):
            return rc, None


def wait_first_screen(con, seconds=10, quiet=0.5):
    """Reads until the console has drawn and been quiet for `quiet` s (or
    for `seconds` at most); bytes read."""
    total, last, end = 0, None, time.monotonic() + seconds
    while time.monotonic() < end:
        r, _, _ = select.select([con.master], [], [], 0.02)
        if r:
            data = con.read()
            if data is None:
                break
            if data:
                total += len(data)
                last = time.monotonic()
        # the stream's frames never leave a long quiet: settled on a short one
        if last is not None and time.monotonic() - last >= quiet:
            break
    return total


def measure_bytes(o, conn, size, case, slug, outdir):
    cols, rows = size
    name = f"{cols}x{rows}-{case}"
    cmd = [o.console] + conn + ["-s", slug, "--no-mouse", "--fps", str(o.fps)]
    con = Console(cmd, cols, rows, os.path.join(outdir, f"slowlink-{name}.json"),
                  os.path.join(outdir, f"slowlink-{name}.err"))
    try:
        if not wait_first_screen(con):
            raise RuntimeError(f"{name}: no first screen")
        if case != "idle":
            con.key(b"3")  # the Datapoints view: the rows the stream changes
        con.drain_for(1.0)
        bursts = []  # [start, end, bytes]

        def chunk(t, data):
            if bursts and t - bursts[-1][1] < FRAME_GAP_S:
                bursts[-1][1] = t
                bursts[-1][2] += len(data)
            else:
                bursts.append([t, t, len(data)])

        start = time.monotonic()
        if case in HELD:
            keys = 0
            while time.monotonic() - start < o.window:
                con.key(held_key(case, keys))
                keys += 1
                con.drain_for(HELD_INTERVAL_S, chunk)
        else:
            con.drain_for(o.window, chunk)
        elapsed = time.monotonic() - start
    finally:
        rc, stats = con.stop()
    if rc != 0 or stats is None:
        raise RuntimeError(f"{name}: the console exited with {rc}")
    total = sum(b[2] for b in bursts)
    out = {
        f"{name}-bytes_per_s": total / elapsed,
        f"{name}-frames_per_s": len(bursts) / elapsed,
        f"{name}-console_frames": stats["frames"],
        f"{name}-frames_skipped": stats.get("framesSkipped", 0),
    }
    if bursts:  # idle: no frame wrote anything, so no bytes per frame
        out[f"{name}-bytes_per_frame"] = total / len(bursts)
    return out


def measure_latency(o, conn, size, slug, outdir, hold=None, link_share=1.0):
    """View switches every 200 ms over the throttled link; with `hold`, that
    key held (HELD) at the same time; link_share < 1: a slower link."""
    cols, rows = size
    name = f"{cols}x{rows}-keys" + (f"-{hold}" if hold else "") + ("-halflink" if link_share < 1 else "")
    link_bytes = o.link_bytes * link_share
    cmd = [o.console] + conn + ["-s", slug, "--no-mouse", "--fps", str(o.fps)]
    con = Console(cmd, cols, rows, os.path.join(outdir, f"slowlink-{name}.json"),
                  os.path.join(outdir, f"slowlink-{name}.err"))
    screen = VtScreen(cols, rows)
    sent = []  # [time, key, answered time or None]
    try:
        # the first screen at full speed: the crumb line is the one that
        # begins with the first view's title
        end = time.monotonic() + 10
        crumb = None
        while crumb is None and time.monotonic() < end:
            r, _, _ = select.select([con.master], [], [], 0.05)
            data = con.read() if r else b""
            if data is None:
                break
            screen.feed(data)
            crumb = next((y for y in range(rows) if screen.line(y).startswith("Systems ")), None)
        if crumb is None:
            raise RuntimeError(f"{name}: no crumb line on the first screen")
        con.drain_for(0.5, lambda t, d: screen.feed(d))

        shown = (shown_title(screen.line(crumb)), time.monotonic())  # title, since
        cycle = [b"3", b"2", b"1"]  # every key changes the view
        tokens, burst = 0.0, link_bytes / 100  # at most 10 ms of the link at once
        last = time.monotonic()
        next_key = last + 0.2
        deadline = last + o.keys * 0.2 + 5
        next_hold, held = last, 0
        began, taken = last, 0
        while time.monotonic() < deadline:
            now = time.monotonic()
            if hold and now >= next_hold:
                con.key(held_key(hold, held))
                held += 1
                next_hold += HELD_INTERVAL_S
            if len(sent) < o.keys and now >= next_key:
                k = cycle[len(sent) % len(cycle)]
                sent.append([time.monotonic(), k, None])
                con.key(k)
                next_key += 0.2
            elif len(sent) == o.keys and all(s[2] is not None for s in sent):
                break
            tokens = min(burst, tokens + (now - last) * link_bytes)
            last = now
            due = min(next_key, next_hold) if hold else next_key
            if tokens < 256:
                time.sleep(min((256 - tokens) / link_bytes, max(0.0, due - now)) + 0.0005)
                continue
            r, _, _ = select.select([con.master], [], [], max(0.0, min(0.005, due - now)))
            if not r:
                continue
            data = con.read(int(tokens))
            if data is None:
                break
            tokens -= len(data)
            taken += len(data)
            screen.feed(data)
            t = time.monotonic()
            title = shown_title(screen.line(crumb))
            if title != shown[0]:
                shown = (title, t)
            for i, s in enumerate(sent):
                # changed since the key was sent, to its view or a later key's
                if s[2] is None and shown[1] > s[0] and any(
                        title == TITLES[later[1]] for later in sent[i:]):
                    s[2] = t
        link_rate = taken / (time.monotonic() - began)
        # The emulator's check: with the link free again, the screen it
        # shows is the last key's view, in the crumb and the tab bar.
        con.drain_for(1.0, lambda t, d: screen.feed(d))
        k = sent[-1][1].decode()
        title, tabs = TITLES[sent[-1][1]], screen.line(crumb - 1) if crumb else ""
        if shown_title(screen.line(crumb)) != title or (
                f"[{k} {title}]" not in tabs and f"[{k}]" not in tabs):
            raise RuntimeError(f"{name}: the emulated screen does not show view {k} at the end "
                               f"(crumb {screen.line(crumb).strip()!r}, tabs {tabs.strip()!r})")
    finally:
        rc, stats = con.stop()
    if o.dump:
        print("\n".join(screen.line(y).rstrip() for y in range(rows)), file=sys.stderr)
    if rc != 0 or stats is None:
        raise RuntimeError(f"{name}: the console exited with {rc}")
    lat = [(s[2] - s[0]) * 1000.0 for s in sent if s[2] is not None]
    out = {f"{name}-keys": len(sent), f"{name}-keys_unanswered": len(sent) - len(lat),
           f"{name}-link_bytes_per_s": link_rate,
           f"{name}-frames_skipped": stats.get("framesSkipped", 0),
           f"{name}-console_frames": stats["frames"]}
    if lat:
        out[f"{name}-latency_ms_median"] = statistics.median(lat)
        out[f"{name}-latency_ms_max"] = max(lat)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--console", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--dir", required=True, help="directory for the consoles' stats and errors")
    ap.add_argument("--fps", type=int, default=20)
    ap.add_argument("--window", type=float, default=5.0, help="seconds measured per bytes case")
    ap.add_argument("--keys", type=int, default=25)
    ap.add_argument("--link-bytes", type=float, default=125000.0)
    ap.add_argument("--systems", type=int, default=40,
                    help="the world's size (40: room to scroll at 250x80)")
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--slug", default="bench-slow")
    ap.add_argument("--sizes", default="80x24,250x80", help="COLSxROWS,...")
    ap.add_argument("--cases", default="idle,live,scroll,page,keys,keys-page,keys-page-halflink")
    ap.add_argument("--dump", action="store_true", help="print the key test's last screen on stderr")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    o = ap.parse_args()
    conn = o.args[1:] if o.args[:1] == ["--"] else o.args
    outdir = os.path.abspath(o.dir)

    sim_log = open(os.path.join(outdir, "slowlink-sim.log"), "w")
    try:
        vt_self_check()
    except RuntimeError as e:
        print(f"slowlink_bench: {e}", file=sys.stderr)
        return 1
    # timeout's TERM still stops every process (the finally blocks run)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    # --duration: the sim ends by itself even if this script is killed
    sim = subprocess.Popen([o.sim] + conn + ["-s", o.slug, "--systems", str(o.systems),
                                             "--rate", str(o.rate), "--duration", "900"],
                           stdout=sim_log, stderr=subprocess.STDOUT, start_new_session=True)
    results = {}
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end and sim.poll() is None:
            if "drivr-sim: ready" in open(sim_log.name).read():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("drivr-sim did not get ready")
        cases = o.cases.split(",")
        for size in [tuple(int(v) for v in s.split("x")) for s in o.sizes.split(",")]:
            # idle: a slug nobody publishes on (connected, nothing changes)
            if "idle" in cases:
                results.update(measure_bytes(o, conn, size, "idle", o.slug + "-idle", outdir))
            for case in ("live", "scroll", "page"):
                if case in cases:
                    results.update(measure_bytes(o, conn, size, case, o.slug, outdir))
            if "keys" in cases:
                results.update(measure_latency(o, conn, size, o.slug, outdir))
            if "keys-page" in cases:
                results.update(measure_latency(o, conn, size, o.slug, outdir, "page"))
            # the link slower than what PgDn held asks at 250x80: where the
            # terminal's own buffer (the pty's, sshd's) adds to the latency
            if "keys-page-halflink" in cases and size[0] >= 250:
                results.update(measure_latency(o, conn, size, o.slug, outdir, "page", 0.5))
    except RuntimeError as e:
        print(f"slowlink_bench: {e}", file=sys.stderr)
        return 1
    finally:
        if sim.poll() is None:
            os.killpg(sim.pid, signal.SIGTERM)
            try:
                sim.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(sim.pid, signal.SIGKILL)
                sim.wait()
        sim_log.close()
    for k, v in results.items():
        print(f"{k}\t{v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
