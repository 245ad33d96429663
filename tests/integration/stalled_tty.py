#!/usr/bin/env python3
"""Runs the full-screen console on a pseudo-terminal nobody reads (a stalled
SSH link, a terminal stopped with Ctrl-S) while a flood arrives, then reads
the terminal again.  Prints one JSON line: its peak RSS during the stall,
when the reader came back (CLOCK_MONOTONIC) and its --stats-file (whose
lastMessage, same clock, says whether the drain went on while nobody read).

usage: stalled_tty.py STALL_SECONDS TIMEOUT_SECONDS STATS_FILE -- console args...
The flood is the caller's: it starts it once this script prints "stalled" (the
terminal's buffer is full: every frame from then on would block a write).
"""
import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time


def peak_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    stall, timeout, stats = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    args = sys.argv[sys.argv.index("--") + 1:]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8")
    err = open(stats + ".err", "w")
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=err, env=env,
                            start_new_session=True)
    os.close(slave)
    # Read the first screen, then stop reading: the console's writes back up.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                os.read(master, 65536)
            except OSError:
                break
    print("started", flush=True)
    stalled_until = time.monotonic() + stall
    # Keys that switch views (each a full redraw) fill the terminal's buffer
    # fast: from then on every frame would block the console's write.  The
    # peak RSS is sampled from here on.
    rss = 0
    for i in range(120):
        v = peak_rss_kb(proc.pid)
        if v:
            rss = max(rss, v)
        if proc.poll() is not None:
            break
        try:
            os.write(master, b"12345678"[i % 8:i % 8 + 1])
        except OSError:
            break
        time.sleep(0.02)
    print("stalled", flush=True)
    exited_while_stalled = False
    while time.monotonic() < stalled_until:
        v = peak_rss_kb(proc.pid)
        if v:
            rss = max(rss, v)
        if proc.poll() is not None:
            exited_while_stalled = True
            break
        time.sleep(0.05)
    # The reader is back: drain the terminal until the console exits.
    resumed = time.monotonic()
    end = resumed + timeout
    while proc.poll() is None and time.monotonic() < end:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                os.read(master, 65536)
            except OSError:
                pass
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    # CLOCK_MONOTONIC on both sides (the console's --stats-file, and here)
    out = {"exit": proc.returncode, "peakRssKb": rss, "resumed": resumed,
           "exitedWhileStalled": exited_while_stalled}
    try:
        with open(stats) as f:
            out["stats"] = json.load(f)
    except (OSError, ValueError):
        out["stats"] = None
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
