#!/usr/bin/env python3
"""tui_bench — `make bench` scenario (d): the full-screen console draining a
backlog inside a private tmux server, with keys pressed during the flood.

    tui_bench.py --console build/drivr-console --dir DIR --count N -- ARGS...

ARGS are the console's connection arguments (as the headless consumer gets
them, e.g. -h 127.0.0.1 -p PORT -s bench -i bench-tui -c); this adds
--fps 20 --count N --stats-file DIR/tui-stats.json and runs the console in a
120x40 pane of its own tmux server (socket in DIR, no config file), under
/usr/bin/time.  Once the console shows its screen, a key that switches views
or moves the selection (never q) is sent every --key-interval seconds with
`tmux send-keys`; time.monotonic() (CLOCK_MONOTONIC, the clock the console's
--stats-file uses) is read just before each send.  The console quits by
itself after N messages and writes, per key read, the time the doupdate() of
the first frame after it completed; a key's latency is that time minus the
time it was sent, measured from outside.  Keys are paired with the console's
reads in order; only keys sent between the first message and 50 ms before
the N-th count ("during the drain": the console quits at the N-th message, so
a key sent in its last 50 ms may still be on its way through tmux).

Prints one "metric<TAB>value" line per figure (run.sh records them); exits
non-zero when the console failed or did not finish in time.  The tmux server
is killed at the end in every case.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# view switches and selection moves: 1 systems, 2 components, 3 datapoints
KEYS = ["3", "j", "j", "k", "1", "j", "2", "k", "3", "k"]


def terminal_name():
    """tmux's own terminal type when the terminfo has it, else screen-256color."""
    for term in ("tmux-256color", "screen-256color"):
        if subprocess.run(["infocmp", term], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0:
            return term
    return "screen"


def cpu_seconds(pid):
    """utime + stime of a process from /proc (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--console", required=True)
    ap.add_argument("--dir", required=True, help="private directory for the socket and files")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--fps", type=int, default=20)
    ap.add_argument("--key-interval", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("args", nargs=argparse.REMAINDER)
    o = ap.parse_args()
    args = o.args[1:] if o.args[:1] == ["--"] else o.args

    d = os.path.abspath(o.dir)
    sock = os.path.join(d, "tui-bench.tmux")
    stats_path = os.path.join(d, "tui-stats.json")
    time_path = os.path.join(d, "tui-time.out")
    rc_path = os.path.join(d, "tui-rc")
    err_path = os.path.join(d, "tui-console.err")
    script = os.path.join(d, "tui-pane.sh")
    for p in (stats_path, time_path, rc_path):
        if os.path.exists(p):
            os.unlink(p)

    def q(s):
        return "'" + s.replace("'", "'\\''") + "'"

    console = [os.path.abspath(o.console)] + args + [
        "--fps", str(o.fps), "--count", str(o.count), "--stats-file", stats_path]
    with open(script, "w") as f:
        f.write(f"/usr/bin/time -f '%e %U %S %M' -o {q(time_path)} "
                f"timeout --foreground {int(o.timeout)} env TERM={terminal_name()} LANG=C.UTF-8 LC_ALL=C.UTF-8 "
                + " ".join(q(a) for a in console) + f" 2>{q(err_path)}\n"
                f"echo $? >{q(rc_path)}.tmp && mv {q(rc_path)}.tmp {q(rc_path)}\n"
                "exec sleep 60\n")  # keeps the server up until it is read and killed

    def tmux(*a, **kw):
        return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *a], **kw)

    sent = []  # (monotonic time just before the send, key)
    tmux_cpu = None
    try:
        if tmux("new-session", "-d", "-s", "bench", "-x", "120", "-y", "40",
                f"sh {q(script)}").returncode != 0:
            print("tui_bench: tmux did not start", file=sys.stderr)
            return 1
        server = tmux("display", "-p", "#{pid}", capture_output=True, text=True).stdout.strip()
        cpu_before = cpu_seconds(server)
        done = lambda: os.path.exists(rc_path)  # noqa: E731

        # the screen is up (hint bar drawn): keys from now on reach curses
        deadline = time.monotonic() + 10
        while not done() and time.monotonic() < deadline:
            pane = tmux("capture-pane", "-p", "-t", "bench", capture_output=True, text=True).stdout
            if "q Quit" in pane:
                break
            time.sleep(0.01)

        deadline = time.monotonic() + o.timeout + 5
        next_send = time.monotonic()
        while not done() and time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_send:
                key = KEYS[len(sent) % len(KEYS)]
                sent.append((time.monotonic(), key))
                tmux("send-keys", "-t", "bench", key)
                next_send += o.key_interval
                if next_send < time.monotonic():  # a slow send: no burst to catch up
                    next_send = time.monotonic() + o.key_interval
            time.sleep(max(0.0, min(0.005, next_send - time.monotonic())))
        if not done():
            print(f"tui_bench: the console did not finish within {o.timeout:.0f} s", file=sys.stderr)
            return 1
        after = cpu_seconds(server)
        if cpu_before is not None and after is not None:
            tmux_cpu = after - cpu_before
    finally:
        tmux("kill-server", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    rc = int(open(rc_path).read().strip() or 1)
    if rc != 0:
        err = open(err_path).read().strip().splitlines() if os.path.exists(err_path) else []
        print(f"tui_bench: the console exited with {rc}: {' / '.join(err[-2:])}", file=sys.stderr)
        return 1
    wall, user, system, rss = open(time_path).read().strip().splitlines()[-1].split()
    wall, cpu = float(wall), float(user) + float(system)
    stats = json.load(open(stats_path))
    if stats["messages"] != o.count:
        print(f"tui_bench: {stats['messages']} messages, {o.count} expected", file=sys.stderr)
        return 1

    first, last = stats["firstMessage"], stats["lastMessage"]
    reads = stats["keys"]
    latencies, waits, unanswered, unread = [], [], 0, 0
    for i, (t_sent, key) in enumerate(sent):
        # Judged: keys sent while the backlog drains, at least the 50 ms the
        # target allows before its end (the console quits at the last message;
        # a key sent just before may still be on its way through tmux).
        if not first <= t_sent <= last - 0.05:
            continue
        if i >= len(reads):
            unread += 1  # sent during the drain, not read before the exit
            continue
        r = reads[i]
        if r["key"] != ord(key) or r["read"] < t_sent:
            print(f"tui_bench: key {i} ({key!r} sent at {t_sent:.6f}) does not match the "
                  f"console's read {r}", file=sys.stderr)
            return 1
        if r["drawn"] is None:
            unanswered += 1
        else:
            latencies.append((r["drawn"] - t_sent) * 1000.0)
            waits.append((r["read"] - t_sent) * 1000.0)

    out = {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_kb": int(rss),
        "msgs_per_s": o.count / wall,
        "cpu_us_per_msg": cpu * 1e6 / o.count,
        "drain_s": last - first,
        "frames": stats["frames"],
        "frame_ms_mean": stats["frameSeconds"] * 1000.0 / max(1, stats["frames"]),
        "frame_ms_max": stats["frameMaxSeconds"] * 1000.0,
        "keys": len(latencies),
        "keys_unanswered": unanswered + unread,
    }
    if latencies:
        out["key_latency_ms_median"] = statistics.median(latencies)
        out["key_latency_ms_max"] = max(latencies)
        out["key_read_ms_max"] = max(waits)  # of which sent → read by the console
    if tmux_cpu is not None:
        out["tmux_cpu_us_per_msg"] = tmux_cpu * 1e6 / o.count
    for k, v in out.items():
        print(f"{k}\t{v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
