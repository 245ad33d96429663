#!/usr/bin/env python3
"""Writes tests/screen/chart-gaps.json: the replay of the chart's stale-gap screen test.

One system of the slug "acme" with a heat pump whose model has a catalogue (so
the chart's axis carries the unit, °C) and one series sampled every 15 s for
the half hour before the fixed clock 2024-05-01T12:00:00Z, except for two
silences the chart must show as gaps (no line, the time axis dotted): 6 min
from 11:38 and 3 min from 11:50.  Deterministic.

    python3 tests/screen/make_chart_gaps.py > tests/screen/chart-gaps.json
"""
import json
import math
import sys
from datetime import datetime, timedelta, timezone

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
P = "drivr/v1/acme"
SYSTEM = "00000000-0000-4000-8000-000000000001"
MODEL = "00000000-0000-4000-8000-000000000101"
out = []


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def msg(topic, payload, when, retained=True):
    out.append({"time": iso(when), "retained": retained, "topic": topic, "payload": payload})


day = NOW - timedelta(days=1)
msg(P, {"uuid": "00000000-0000-4000-8000-000000000900", "slug": "acme", "name": "ACME fleet",
        "status": "ACTIVATED"}, day)
msg("%s/componentModels/%s" % (P, MODEL),
    {"uuid": MODEL, "code": "heat-pump", "name": "heat-pump", "componentType": "DEVICE",
     "isConnective": True, "status": "ACTIVATED",
     "services": [{"code": "heating", "name": "Heating", "characteristics": [
         {"code": "flow-temperature", "name": "Flow temperature", "dataType": "FLOAT",
          "characteristicType": "MEASUREMENT", "symbol": "°C"}]}]}, day)
msg("%s/systems/%s" % (P, SYSTEM),
    {"uuid": SYSTEM, "code": "mill-lane", "name": "Mill Lane 27", "connectionState": "CONNECTED",
     "status": "ACTIVATED"}, day)
msg("%s/systems/%s/components/heat-pump-1" % (P, SYSTEM),
    {"uuid": "00000000-0000-4000-8000-000000000300", "code": "heat-pump-1", "name": "Heat pump 1",
     "componentModelUuid": MODEL, "systemUuid": SYSTEM, "connectionState": "CONNECTED",
     "status": "ACTIVATED"}, day)

SILENT = [(NOW - timedelta(minutes=22), NOW - timedelta(minutes=16)),
          (NOW - timedelta(minutes=10), NOW - timedelta(minutes=7))]
for k in range(121):  # 11:30:00 .. 12:00:00, every 15 s
    when = NOW - timedelta(seconds=15 * (120 - k))
    if any(a < when < b for a, b in SILENT):
        continue
    value = round(45 + 6 * math.sin(k / 9.0) + (k % 5) * 0.2, 1)
    msg("%s/input/datapoint/%s/json" % (P, SYSTEM),
        {"systemUuid": SYSTEM, "componentCode": "heat-pump-1", "serviceCode": "heating",
         "characteristicCode": "flow-temperature", "time": iso(when), "value": value},
        when, retained=False)

for o in out:
    sys.stdout.write(json.dumps(o, separators=(",", ":"), ensure_ascii=True) + "\n")
