#!/usr/bin/env python3
"""Writes tests/screen/fleet.json: the replayed messages of the screen tests.

A small but complete fleet of the slug "acme" as it stands at the fixed clock
2024-05-01T12:00:00Z (the tests pass --clock): four systems in every
connection state, components with models, numeric series with history
(sparklines), a stale series, one that just changed (flash), setpoints in
every state (one stuck in CREATED), active and resolved events of every level,
tokens, JWKS keys, an /error reply, a decode error and an unclassified topic.
The gas boiler and pump models carry a characteristic catalogue (the setpoint
editor's limits); the tokens are real JWTs signed with jwt-test-key.pem (a key
for these tests only) in every state the tokens view tells apart: valid,
expired, bad signature, unknown key, not yet valid (RS512), malformed.
Deterministic: run it again and the file is byte-identical (RSA PKCS#1 v1.5
signatures are; openssl signs).

    python3 tests/screen/make_fleet.py > tests/screen/fleet.json
"""
import base64
import json
import math
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
P = "drivr/v1/acme"
out = []


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ago(seconds):
    return NOW - timedelta(seconds=seconds)


def msg(topic, payload, when, retained=True):
    out.append({"time": iso(when), "retained": retained, "topic": topic, "payload": payload})


def uid(n):
    return "00000000-0000-4000-8000-%012d" % n


SYSTEMS = [
    (1, "boiler-north", "Boiler house North", "CONNECTED"),
    (2, "solar-7", "Solar field 7", "PARTIALLY_CONNECTED"),
    (3, "cold-store", "Cold store", "DISCONNECTED"),
    (4, "wind-zee", "Wind park Zee", "CONNECTED"),
]
COMPONENTS = [
    (1, "boiler-1", "Main boiler", 101, "CONNECTED"),
    (1, "pump-a", "Circulation pump A", 102, "CONNECTED"),
    (1, "meter", "Smart meter", 103, "DISCONNECTED"),
    (2, "inverter-1", "Inverter 1", 104, "CONNECTED"),
    (2, "inverter-2", "Inverter 2", 104, "DISCONNECTED"),
    (3, "compressor", "Compressor", 105, "DISCONNECTED"),
    (4, "turbine-1", "Turbine 1", 106, "CONNECTED"),
    (4, "turbine-2", "Turbine 2", 106, "CONNECTED"),
]
MODELS = [(101, "gas-boiler"), (102, "pump"), (103, "smart-meter"), (104, "inverter"),
          (105, "compressor"), (106, "turbine")]
EVENT_MODELS = [
    (201, "OVERHEAT", "ERROR", "Boiler temperature too high"),
    (202, "LOW-PRESSURE", "WARNING", "Hydraulic pressure low"),
    (203, "DOOR-OPEN", "INFO", "Door opened"),
    (204, "MAINT-DONE", "SUCCESS", "Maintenance completed"),
]

# The characteristic catalogue (docs/simulator.md) of two models.
CATALOGUE = {
    101: [{"code": "heating", "name": "Heating", "characteristics": [
        {"code": "temperature", "name": "Boiler temperature", "dataType": "FLOAT",
         "characteristicType": "MEASUREMENT", "symbol": "°C"},
        {"code": "target", "name": "Target temperature", "dataType": "FLOAT",
         "characteristicType": "SETTING", "symbol": "°C",
         "boundaryMin": 40, "boundaryMax": 85, "boundaryStep": 0.5},
        {"code": "mode", "name": "Mode", "dataType": "SELECT", "characteristicType": "SETTING",
         "validValues": ["OFF", "ECO", "COMFORT"]}]}],
    102: [{"code": "hydraulics", "name": "Hydraulics", "characteristics": [
        {"code": "pressure", "name": "Pressure", "dataType": "FLOAT",
         "characteristicType": "MEASUREMENT", "symbol": "bar"},
        {"code": "speed", "name": "Pump speed", "dataType": "INTEGER",
         "characteristicType": "SETTING", "symbol": "%",
         "boundaryMin": 0, "boundaryMax": 100, "boundaryStep": 5}]}]}

msg(P, {"uuid": uid(900), "slug": "acme", "name": "ACME fleet", "status": "ACTIVATED"}, ago(86400))
for n, code in MODELS:
    model = {"uuid": uid(n), "code": code, "name": code, "componentType": "DEVICE",
             "isConnective": True, "status": "ACTIVATED"}
    if n in CATALOGUE:
        model["services"] = CATALOGUE[n]
    msg("%s/componentModels/%s" % (P, uid(n)), model, ago(86400))
for n, code, level, text in EVENT_MODELS:
    msg("%s/eventModels/%s" % (P, uid(n)),
        {"uuid": uid(n), "code": code, "eventLevel": level, "eventType": "SINGLE_POINT",
         "entityType": "SYSTEM", "message": text, "status": "ACTIVATED"}, ago(86400))
for n, code, name, state in SYSTEMS:
    msg("%s/systems/%s" % (P, uid(n)),
        {"uuid": uid(n), "code": code, "name": name, "connectionState": state,
         "connectionStateUpdatedAt": iso(ago(600 * n)), "status": "ACTIVATED"}, ago(120 * n))
for i, (s, code, name, model, state) in enumerate(COMPONENTS):
    msg("%s/systems/%s/components/%s" % (P, uid(s), code),
        {"uuid": uid(300 + i), "code": code, "name": name, "componentModelUuid": uid(model),
         "systemUuid": uid(s), "connectionState": state, "status": "ACTIVATED"}, ago(3000))


def series(system, component, service, characteristic, values, step, last_ago, live=False):
    n = len(values)
    for k, v in enumerate(values):
        when = ago(last_ago + (n - 1 - k) * step)
        msg("%s/input/datapoint/%s/json" % (P, uid(system)),
            {"systemUuid": uid(system), "componentCode": component, "serviceCode": service,
             "characteristicCode": characteristic, "time": iso(when), "value": v},
            when, retained=False)


series(1, "boiler-1", "heating", "temperature",
       [round(70 + 8 * math.sin(k / 3.0), 1) for k in range(30)], 20, 5)
series(1, "pump-a", "hydraulics", "pressure", [round(1.8 - 0.02 * k, 2) for k in range(24)], 25, 12)
series(1, "meter", "electricity", "voltage", ["229V", "230V", "231V"], 60, 1800)
series(2, "inverter-1", "power", "output", [k * 150 for k in range(20)], 30, 40)
series(2, "inverter-1", "power", "online", [True, True, False, True], 60, 100)
series(4, "turbine-1", "rotor", "rpm", [12, 13, 15, 14, 16, 18, 17, 19, 21, 22], 2, 0.5)
series(4, "turbine-2", "rotor", "rpm", [20, 20, 20, 20], 30, 45)

SETPOINTS = [
    (1, "boiler-1", "heating", "target", 72, "ACCEPTED", 900, "applied"),
    (1, "pump-a", "hydraulics", "speed", 60, "CREATED", 400, None),     # stuck
    (2, "inverter-1", "power", "limit", 2500, "REJECTED", 1500, "out of range"),
    (4, "turbine-1", "rotor", "max-rpm", 30, "CREATED", 10, None),      # fresh
]
for i, (s, comp, svc, char, value, state, age, message) in enumerate(SETPOINTS):
    p = {"uuid": uid(400 + i), "receiptId": uid(500 + i), "componentCode": comp,
         "serviceCode": svc, "characteristicCode": char, "time": iso(ago(age)),
         "type": "INTEGER", "value": value, "state": state}
    if message:
        p["message"] = message
    msg("%s/systems/%s/setpoints" % (P, uid(s)), p, ago(age - 5 if age > 5 else 0))

EVENTS = [
    (601, 1, 201, "ACTIVE", False, 300, None),
    (602, 1, 202, "ACTIVE", True, 900, None),
    (603, 3, 203, "ACTIVE", False, 60, None),
    (604, 2, 201, "RESOLVED", True, 7200, 3600),
    (605, 4, 204, "ACTIVE", False, 30, None),
]
for n, s, model, status, ack, start, end in EVENTS:
    p = {"uuid": uid(n), "eventModelUuid": uid(model), "entityUuid": uid(s),
         "time": iso(ago(start)), "status": status, "acknowledged": ack}
    if end:
        p["endTime"] = iso(ago(end))
    msg("%s/systems/%s/events/%s" % (P, uid(s), uid(n)), p, ago(start))

KEY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jwt-test-key.pem")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def epoch(dt):
    return int(dt.timestamp())


def jwt(claims, kid="acme-2024", alg="RS256", tamper=False):
    head = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    digest = "-sha512" if alg == "RS512" else "-sha256"
    sig = subprocess.run(["openssl", "dgst", digest, "-sign", KEY], input=("%s.%s" % (head, body)).encode(),
                         stdout=subprocess.PIPE, check=True).stdout
    if tamper:  # claims changed after signing: the signature no longer fits
        claims = dict(claims, roles=["Owner"])
        body = b64url(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return "CLOUD-%s.%s.%s" % (head, body, b64url(sig))


def modulus():
    out = subprocess.run(["openssl", "rsa", "-in", KEY, "-noout", "-modulus"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    return b64url(bytes.fromhex(out.decode().strip().split("=", 1)[1]))


# (n, subject, role, expires, not before, how the token is made)
TOKENS = [
    (701, "Ada Lovelace", "System Maintainer", NOW + timedelta(days=3, hours=4), ago(86400 * 30), {}),
    (702, "Grace Hopper", "Viewer", ago(86400 * 2), ago(86400 * 90), {}),
    (703, "Alan Turing", "Installer", NOW + timedelta(days=20), ago(86400), {"tamper": True}),
    (704, "Katherine Johnson", "Viewer", NOW + timedelta(days=9), ago(86400 * 5), {"kid": "acme-2019"}),
    (705, "Edsger Dijkstra", "Installer", NOW + timedelta(days=30), NOW + timedelta(hours=2),
     {"alg": "RS512"}),
    (706, "Barbara Liskov", "Viewer", NOW + timedelta(days=1), ago(3600), None),
]
token_list = []
for n, name, role, expires, nbf, how in TOKENS:
    claims = {"iss": "drivr", "sub": uid(n + 100), "jti": uid(n), "systemUuid": uid(1),
              "requestedDevice": "device-%d" % n, "roles": [role],
              "iat": epoch(nbf), "nbf": epoch(nbf), "exp": epoch(expires)}
    token_list.append(
        {"uuid": uid(n), "status": "ACTIVATED", "createdAt": iso(nbf), "expiresAt": iso(expires),
         "notBefore": iso(nbf), "systemUuid": uid(1),
         "roles": [{"uuid": uid(n + 100), "name": role}],
         "token": "CLOUD-secret-never-shown" if how is None else jwt(claims, **how),
         "subject": {"uuid": uid(n + 200), "name": name, "type": "USER"}})
msg("%s/authorization/localApiTokens/%s" % (P, uid(1)), token_list, ago(3600))
msg("%s/jwks" % P, {"keys": [{"kid": "acme-2024", "kty": "RSA", "alg": "RS256", "use": "sig",
                              "e": "AQAB", "n": modulus()},
                             {"kid": "acme-2023", "kty": "RSA", "alg": "RS256", "use": "sig",
                              "e": "AQAB", "n": "abc"}]}, ago(86400))

# An input the console saw (published by someone), and the platform's /error reply.
msg("%s/input/system/%s/json" % (P, uid(3)), {"connectionState": "SOMETIMES"}, ago(200),
    retained=False)
msg("%s/input/system/%s/json/error" % (P, uid(3)),
    {"message": "connectionState: invalid enum value", "code": "VALIDATION"}, ago(199),
    retained=False)
# A payload that cannot be decoded, and a topic nobody documented.
out.append({"time": iso(ago(150)), "retained": False,
            "topic": "%s/systems/%s" % (P, uid(4)), "payload_text": "{not json"})
msg("%s/diagnostics/%s/heartbeat" % (P, uid(2)), {"uptime": 123456}, ago(20), retained=False)

out.sort(key=lambda o: o["time"])  # as a broker would have delivered them
for o in out:
    sys.stdout.write(json.dumps(o, separators=(",", ":"), ensure_ascii=True) + "\n")
