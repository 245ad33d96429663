#!/usr/bin/env python3
"""Publishes a large domain's retained state fast: the domain message and N
systems (the fixtures' shapes, tests/fixtures/domain.json and system.json,
with the slug and the uuids replaced), retained, QoS 0, over one plain MQTT
3.1.1 connection written by hand (no client library on a fresh machine).

Why not drivr-sim: it publishes the world at QoS 1, one in-flight window at
a time (about 7 000 messages/s here); 30 000 systems would take the suite
longer than the test itself.  A PINGREQ after the last PUBLISH and its
PINGRESP mean the broker has stored every message (it handles one client's
packets in order).

usage: retain_burst.py HOST PORT SLUG SYSTEMS [EVENTS]

EVENTS: that many retained events (tests/fixtures/event.json's shape) under
the first system's subtree — one system far bigger than the others.
"""
import json
import os
import socket
import struct
import sys
import uuid


def remaining_length(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def packet(kind, body):
    return bytes([kind]) + remaining_length(len(body)) + body


def utf8(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def publish(topic, payload):
    # PUBLISH, QoS 0, retain: 0x31
    return packet(0x31, utf8(topic) + payload)


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise SystemExit("retain_burst: the broker closed the connection")
        data += chunk
    return data


def main():
    host, port, slug, systems = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    events = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    fixtures = os.path.join(os.path.dirname(__file__), "..", "fixtures")
    domain = json.load(open(os.path.join(fixtures, "domain.json")))["payload"]
    system = json.load(open(os.path.join(fixtures, "system.json")))["payload"]
    event = json.load(open(os.path.join(fixtures, "event.json")))["payload"]
    domain["slug"] = slug

    sock = socket.create_connection((host, port), timeout=30)
    connect = utf8("MQTT") + bytes([4, 0x02]) + struct.pack(">H", 60) + utf8("retain-burst-%d" % os.getpid())
    sock.sendall(packet(0x10, connect))
    if read_exact(sock, 4)[3] != 0:
        raise SystemExit("retain_burst: CONNACK refused")

    root = "drivr/v1/%s" % slug
    out = bytearray(publish(root, json.dumps(domain).encode()))
    for i in range(systems):
        s = dict(system)
        s["uuid"] = str(uuid.UUID(int=(0x5EED << 96) | i, version=4))
        s["name"] = "burst system %d" % i
        s["code"] = "burst-%d" % i
        out += publish("%s/systems/%s" % (root, s["uuid"]), json.dumps(s).encode())
        for k in range(events if i == 0 else 0):
            e = dict(event)
            e["uuid"] = str(uuid.UUID(int=(0xE7E << 96) | k, version=4))
            e["entityUuid"] = s["uuid"]
            out += publish("%s/systems/%s/events/%s" % (root, s["uuid"], e["uuid"]),
                           json.dumps(e).encode())
            if len(out) > 1 << 20:
                sock.sendall(out)
                out.clear()
        if len(out) > 1 << 20:
            sock.sendall(out)
            out.clear()
    out += packet(0xC0, b"")  # PINGREQ
    sock.sendall(out)
    if read_exact(sock, 2) != b"\xd0\x00":
        raise SystemExit("retain_burst: no PINGRESP")
    sock.sendall(packet(0xE0, b""))  # DISCONNECT
    sock.close()


if __name__ == "__main__":
    main()
