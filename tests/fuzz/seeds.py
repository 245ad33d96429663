#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses from the repository's own
files into OUT/<harness>/ (under build-fuzz/, never committed).

    tests/fuzz/seeds.py build-fuzz/seeds
"""
import glob
import json
import os
import re
import sys

out = sys.argv[1]
count = {}


def seed(harness, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    count[harness] = count.get(harness, 0) + 1
    with open(os.path.join(d, "seed-%03d" % count[harness]), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def fixtures():
    for path in sorted(glob.glob("tests/fixtures/*.json")):
        yield json.loads(read(path))


def screen_messages():
    # the replays are one message per line, or one JSON array (replay.c
    # reads both)
    for path in sorted(glob.glob("tests/screen/*.json")):
        text = read(path).decode()
        if text.lstrip().startswith("["):
            yield from json.loads(text)
            continue
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)


def ini_blocks(path):
    return re.findall(r"```ini\n(.*?)```", read(path).decode(), re.S)


# ingest: byte 0xff, topic, NUL, payload (fuzz_ingest.c).
def payload_bytes(m):
    # a replay line carries the payload as JSON or as raw text (payload_text)
    if "payload" in m:
        return json.dumps(m["payload"]).encode()
    return m.get("payload_text", "").encode()


for d in [m for m in list(fixtures()) + list(screen_messages()) if "topic" in m][:60]:
    seed("ingest", b"\xff" + d["topic"].encode() + b"\0" + payload_bytes(d))

# jwt: JWKS JSON, NUL, token.  The screen fleet signs real RS256 tokens.
jwks = [json.dumps(m["payload"]) for m in screen_messages() if m.get("topic", "").endswith("/jwks")]
jwks += [json.dumps(d["payload"]) for d in fixtures() if d["topic"].endswith("/jwks")]
tokens = [t["token"] for m in list(screen_messages()) + list(fixtures())
          if "/localApiTokens/" in m.get("topic", "") and isinstance(m.get("payload"), list)
          for t in m["payload"] if isinstance(t, dict) and isinstance(t.get("token"), str)]
for k in jwks[:3]:
    for t in tokens[:6]:
        seed("jwt", k + "\0" + t)

# catalogue: model JSON, NUL, value text.
models = [json.dumps(m["payload"]) for m in list(screen_messages()) + list(fixtures())
          if "/componentModels/" in m.get("topic", "")]
for i, m in enumerate(models[:8]):
    for v in ["42.5", "7", "true", "ECO", '{"a": [1, 2]}', "1e400", " 60 ", "-0"][i % 8:] [:3]:
        seed("catalogue", m + "\0" + v)

# config and topics: the documented examples.
for block in ini_blocks("docs/configuration.md"):
    seed("config", block)
for block in ini_blocks("docs/topics.md") + ini_blocks("docs/configuration.md"):
    seed("topics", block)
seed("topics", "[topics]\nsetpoint_input = drivr/v1/{slug}/input/setpoint/{systemUuid}/{fmt}\n"
     "component = drivr/v1/{slug}/systems/{systemUuid}/parts/{componentCode}\n")

for path in sorted(glob.glob("themes/*.theme")):
    seed("theme", read(path))
for path in sorted(glob.glob("tests/screen/cases/*.keys")):
    seed("keyscript", read(path))

# sanitize: mode, output size, max columns, then device strings, hostile ones included.
strings = ["plain", "caf\u00e9 \u00b0C", "\x1b[2J\x1b]0;t\x07", "\u200bzero\u0301width",
           "\u4e2d\u6587 wide", "\x7f\x9b\x00"]
for m in screen_messages():
    p = m.get("payload")
    for v in (p.values() if isinstance(p, dict) else []):
        if isinstance(v, str) and not (v.isascii() and v.isprintable()):
            strings.append(v)
raw = [s.encode("utf-8", "surrogatepass") for s in strings[:30]] + [b"\xc3\x28 \xed\xa0\x80 \xf4\x90"]
for i, s in enumerate(raw):
    seed("sanitize", bytes([i % 3, (0, 7, 64)[i % 3], (0, 5, 12)[i % 3]]) + s)

print("seeds: " + ", ".join("%s %d" % kv for kv in sorted(count.items())))
