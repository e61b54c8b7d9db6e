#!/usr/bin/env python3
"""Checks chairwatch's IHE PCD-01 ORU^R01 messages with a real HL7 library (Debian's python3-hl7).

file:  parses every message of `chairwatch report --format hl7` output (one message a line,
       segments ending in CR) and checks it against the session log it came from: MSH-9, MSH-12,
       MSH-21, PID-3 (the log's patient_ref, under --authority), PV1-3 (the chair), OBR-7, and
       per OBX: OBX-3 the signal's IEEE 11073 code, OBX-5 the value, OBX-6 the MDC and UCUM unit,
       OBX-14 the reading's device time. Every reading of the log must be in exactly one OBX.
serve: an MLLP server that parses each message, records its fields as one JSON line and answers
       AA (AR with the problems if the message is not an ORU^R01 of this shape).

  hl7_check.py file --hl7 FILE --log SESSION.jsonl [--authority SYS]
  hl7_check.py serve --port P --record FILE
"""
import argparse
import asyncio
import json
import os
import sys
from datetime import datetime

import hl7
from hl7.mllp import start_hl7_server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notify"))
from mllp_receiver import fld  # noqa: E402  (field n of a segment, "" past its end)

CODES = {  # signal -> (OBX-3, OBX-6)  REFERENCE §4, UCUM
    "hr": ("147842^MDC_ECG_HEART_RATE^MDC", "264864^MDC_DIM_BEAT_PER_MIN^MDC^/min^/min^UCUM"),
    "sbp": ("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "266016^MDC_DIM_MMHG^MDC^mm[Hg]^mm[Hg]^UCUM"),
    "dbp": ("150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "266016^MDC_DIM_MMHG^MDC^mm[Hg]^mm[Hg]^UCUM"),
    "map": ("150023^MDC_PRESS_BLD_NONINV_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC^mm[Hg]^mm[Hg]^UCUM"),
    "spo2": ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC^%^%^UCUM"),
}
SIGNAL_OF = {code.split("^")[0]: sig for sig, (code, _) in CODES.items()}


def ts_of(text):
    """HL7 TS (YYYYMMDDHHMMSS.sss+ZZZZ) as epoch milliseconds."""
    return round(hl7.parse_datetime(text).timestamp() * 1000)


def iso_ms(text):
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def check(msg):
    """The message's fields as a dict, with what is wrong in 'problems'."""
    problems = []
    ids = [str(s[0]) for s in msg]
    if ids[:4] != ["MSH", "PID", "PV1", "OBR"] or set(ids[4:]) != {"OBX"}:
        return {"problems": ["segments %s" % ids]}
    msh, pid, pv1, obr = (msg.segment(s) for s in ("MSH", "PID", "PV1", "OBR"))
    rec = {"type": fld(msh, 9), "version": fld(msh, 12), "profile": fld(msh, 21),
           "control_id": fld(msh, 10), "patient": fld(pid, 3), "name": fld(pid, 5),
           "location": fld(pv1, 3), "visit": fld(pv1, 19), "obr_time": ts_of(fld(obr, 7)),
           "obr_code": fld(obr, 4), "obx": []}
    if rec["type"] != "ORU^R01^ORU_R01":
        problems.append("MSH-9 is %s" % rec["type"])
    if rec["version"] != "2.6":
        problems.append("MSH-12 is %s" % rec["version"])
    if not rec["profile"].startswith("IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO"):
        problems.append("MSH-21 is %s" % rec["profile"])
    if rec["name"].strip("^") != "U":
        problems.append("PID-5 is %r, not the unspecified name" % rec["name"])
    for seg in msg.segments("OBX"):
        code = fld(seg, 3)
        sig = SIGNAL_OF.get(code.split("^")[0])
        if sig is None or CODES[sig][0] != code:
            problems.append("OBX-3 %s is no vital sign's MDC code" % code)
            continue
        if fld(seg, 2) != "NM":
            problems.append("OBX-2 is %s" % fld(seg, 2))
        if fld(seg, 6) != CODES[sig][1]:
            problems.append("OBX-6 of %s is %s" % (sig, fld(seg, 6)))
        if fld(seg, 11) != "F":
            problems.append("OBX-11 is %s" % fld(seg, 11))
        t = ts_of(fld(seg, 14))
        if t != rec["obr_time"]:
            problems.append("OBX-14 differs from OBR-7")
        rec["obx"].append({"signal": sig, "value": float(fld(seg, 5)), "t": t,
                           "equipment": fld(seg, 18)})
    rec["problems"] = problems
    return rec


def check_file(args):
    log = [json.loads(line) for line in open(args.log) if line.strip()]
    start = next((e for e in log if e["type"] == "session_start"), {})
    chair, sid = start.get("chair", ""), start.get("session_id", "")
    ref = start.get("patient_ref", "")
    want_patient = ("%s^^^%s^PI" % (ref, args.authority)) if ref else (
        "%s^^^%s^VN" % (sid, args.authority))
    readings = sorted((iso_ms(e["ts"]), e["signal"], float(e["value"]))
                      for e in log if e["type"] == "reading")
    texts = [m for m in open(args.hl7, newline="").read().split("\n") if m]
    problems, seen, controls = [], [], set()
    for i, text in enumerate(texts, 1):
        rec = check(hl7.parse(text))
        problems += ["message %d: %s" % (i, p) for p in rec["problems"]]
        if rec.get("patient") != want_patient:
            problems.append("message %d: PID-3 %s, expected %s" % (i, rec.get("patient"), want_patient))
        if rec.get("location") != "^^%s^" % chair:
            problems.append("message %d: PV1-3 %s" % (i, rec.get("location")))
        if rec.get("visit") != sid:
            problems.append("message %d: PV1-19 %s" % (i, rec.get("visit")))
        if rec.get("control_id") in controls:
            problems.append("message %d: MSH-10 %s again" % (i, rec.get("control_id")))
        controls.add(rec.get("control_id"))
        seen += [(o["t"], o["signal"], o["value"]) for o in rec.get("obx", [])]
        if any(o["equipment"] != "%s^CHAIRWATCH" % chair for o in rec.get("obx", [])):
            problems.append("message %d: OBX-18 is not the chair" % i)
    if sorted(seen) != readings:
        problems.append("OBX values %d differ from the log's %d readings" % (len(seen), len(readings)))
    for p in problems[:20]:
        print(p, file=sys.stderr)
    print("%d messages, %d OBX, %d problems" % (len(texts), len(seen), len(problems)))
    return 1 if problems or not texts else 0


async def serve(args):
    async def on_client(reader, writer):
        try:
            while not reader.at_eof():
                msg = await reader.readmessage()
                rec = check(msg)
                with open(args.record, "a") as f:
                    f.write(json.dumps(rec) + "\n")
                writer.writemessage(msg.create_ack("AR" if rec["problems"] else "AA"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await start_hl7_server(on_client, "127.0.0.1", args.port)
    async with server:
        await server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["file", "serve"])
    p.add_argument("--hl7")
    p.add_argument("--log")
    p.add_argument("--authority", default="CHAIRWATCH")
    p.add_argument("--port", type=int)
    p.add_argument("--record")
    args = p.parse_args()
    if args.mode == "serve":
        asyncio.run(serve(args))
        return 0
    return check_file(args)


if __name__ == "__main__":
    sys.exit(main())
