#!/usr/bin/env python3
"""Writes tests/screen/tables.json: the replay of the column-priority screen
tests (cases tables-*.keys).

A heat-pump fleet of the slug "demo" at the fixed clock 2024-05-01T12:00:00Z,
made of the names that tables used to cut: five sites each with a
heat-pump-1 (their names differ only after "Mill Lane"), the characteristics
flow-temperature and flow-temperature-setpoint side by side, setpoints on the
long one, a single-point event (no status), an event model with a long code,
an /error reply on a long input topic with a long code, and an unclassified
topic.  Deterministic.

    python3 tests/screen/make_tables.py > tests/screen/tables.json
"""
import json
from datetime import datetime, timedelta, timezone

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
P = "drivr/v1/demo"
out = []


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ago(seconds):
    return NOW - timedelta(seconds=seconds)


def msg(topic, payload, when, retained=True):
    out.append({"time": iso(when), "retained": retained, "topic": topic, "payload": payload})


def uid(n):
    return "00000000-0000-4000-8000-%012d" % n


SITES = [(1, "mill-lane-27", "Mill Lane 27"), (2, "mill-lane-29", "Mill Lane 29"),
         (3, "mill-lane-31a", "Mill Lane 31a"), (4, "harbour-view-2", "Harbour View 2"),
         (5, "old-school", "Old School Community Centre")]
for n, code, name in SITES:
    msg("%s/systems/%s" % (P, uid(n)),
        {"uuid": uid(n), "code": code, "name": name, "connectionState": "CONNECTED",
         "connectionStateUpdatedAt": iso(ago(600)), "status": "ACTIVATED"}, ago(3600))
    msg("%s/systems/%s/components/heat-pump-1" % (P, uid(n)),
        {"uuid": uid(100 + n), "code": "heat-pump-1", "name": "Heat pump 1",
         "componentModelUuid": uid(200), "systemUuid": uid(n), "connectionState": "CONNECTED",
         "status": "ACTIVATED"}, ago(3000))
msg("%s/componentModels/%s" % (P, uid(200)),
    {"uuid": uid(200), "code": "air-water-heat-pump", "name": "Heat pump",
     "componentType": "DEVICE", "isConnective": True, "status": "ACTIVATED"}, ago(86400))


def series(system, characteristic, values, step, last_ago):
    n = len(values)
    for k, v in enumerate(values):
        when = ago(last_ago + (n - 1 - k) * step)
        msg("%s/input/datapoint/%s/json" % (P, uid(system)),
            {"systemUuid": uid(system), "componentCode": "heat-pump-1", "serviceCode": "heating",
             "characteristicCode": characteristic, "time": iso(when), "value": v},
            when, retained=False)


for n, _, _ in SITES[:3]:
    series(n, "flow-temperature", [40 + n + k % 3 for k in range(8)], 30, 10 * n)
    series(n, "flow-temperature-setpoint", [55] * 3, 600, 20 * n)
    series(n, "return-temperature", [33 + n + k % 2 for k in range(6)], 30, 15 * n)

for i, (n, value, state, age) in enumerate([(1, 57.5, "ACCEPTED", 900), (2, 52, "CREATED", 30),
                                            (3, 60, "REJECTED", 1800)]):
    msg("%s/systems/%s/setpoints" % (P, uid(n)),
        {"uuid": uid(400 + i), "receiptId": uid(500 + i), "componentCode": "heat-pump-1",
         "serviceCode": "heating", "characteristicCode": "flow-temperature-setpoint",
         "time": iso(ago(age)), "type": "FLOAT", "value": value, "state": state},
        ago(age - 5))

for n, code, level, kind, text in [
        (301, "COMPRESSOR_HIGH_PRESSURE", "ERROR", "RANGED", "Compressor pressure high"),
        (302, "DEFROST", "INFO", "SINGLE_POINT", "Defrost cycle ran")]:
    msg("%s/eventModels/%s" % (P, uid(n)),
        {"uuid": uid(n), "code": code, "eventLevel": level, "eventType": kind,
         "entityType": "SYSTEM", "message": text, "status": "ACTIVATED"}, ago(86400))
msg("%s/systems/%s/events/%s" % (P, uid(1), uid(601)),
    {"uuid": uid(601), "eventModelUuid": uid(301), "entityUuid": uid(1),
     "time": iso(ago(3600)), "status": "ACTIVE", "acknowledged": False}, ago(3600))
msg("%s/systems/%s/events/%s" % (P, uid(2), uid(602)),
    {"uuid": uid(602), "eventModelUuid": uid(302), "entityUuid": uid(2),
     "time": iso(ago(60)), "acknowledged": False}, ago(60))

msg("%s/input/datapoint/%s/json" % (P, uid(4)), {"value": "x"}, ago(200), retained=False)
msg("%s/input/datapoint/%s/json/error" % (P, uid(4)),
    {"message": "componentCode: required", "code": "UNKNOWN_EVENT_MODEL_OR_COMPONENT"},
    ago(199), retained=False)
msg("%s/diagnostics/%s/heartbeat" % (P, uid(5)), {"uptime": 1}, ago(20), retained=False)

json.dump(out, __import__("sys").stdout, indent=1)
print()
