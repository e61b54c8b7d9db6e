#!/usr/bin/env python3
"""The alert manager's side of IHE PCD ACM for the tests, on python3-hl7 (hl7.mllp).

serve: an MLLP server (TLS with --cert/--key) that parses every message with the hl7 library, checks it against the
       PCD-04 Report Alert (ORU^R40) shape, records it as one JSON line and answers AA, AE or
       nothing (--answer). A message that fails the checks is answered AR with the problems.
send:  an MLLP client that sends one ORU^R41 dispatch status (or, with --bad, an ORU^R01 that
       is not one) and checks the ACK: MSA-1 as --expect, MSA-2 our control id. Prints the ACK.

  mllp_receiver.py serve --port P --record FILE [--answer AA|AE|none] [--cert C --key K]
  mllp_receiver.py send --port P --alert-id ID --status TEXT --person FAMILY^GIVEN
                        [--device D] [--expect AA|AE] [--bad]
"""
import argparse
import asyncio
import json
import ssl
import sys

import hl7
from hl7.mllp import open_hl7_connection, start_hl7_server

FACETS = {
    "68481": ("phase", {"start", "start only", "continue", "update", "end", "present"}),
    "68482": ("state", {"active", "inactive", "latched", "off"}),
    "68483": ("inactivation", {"enabled", "alert-acknowledged", "audio-paused", "audio-off",
                               "alarm-paused", "alarm-off"}),
    "68484": ("priority", {"PH", "PM", "PL", "PN"}),
    "68485": ("type", {"SP", "ST", "SA"}),
    "68546": ("text", None),
}


def fld(seg, n):
    """Field n of a segment as text, "" if the segment ends before it."""
    try:
        return str(seg(n))
    except IndexError:
        return ""


def check(msg):
    """The ORU^R40 as a dict, with the list of what is wrong in 'problems'."""
    problems = []
    msh = msg.segment("MSH")
    rec = {"control_id": fld(msh, 10), "message_type": fld(msh, 9), "version": fld(msh, 12),
           "profile": fld(msh, 21), "sending": fld(msh, 3)}
    if rec["message_type"] != "ORU^R40^ORU_R40":
        problems.append("MSH-9 is %s" % rec["message_type"])
    if rec["version"] != "2.6":
        problems.append("MSH-12 is %s" % rec["version"])
    if not rec["profile"].startswith("IHE_PCD_ACM_001^"):
        problems.append("MSH-21 is %s" % rec["profile"])
    ids = [str(s[0]) for s in msg]
    for need in ("MSH", "PID", "PV1", "OBR", "OBX"):
        if need not in ids:
            problems.append("no %s segment" % need)
    if ids[:4] != ["MSH", "PID", "PV1", "OBR"]:
        problems.append("segment order %s" % ids)
    if "PID" in ids:
        pid = msg.segment("PID")
        rec["patient"] = fld(pid, 3)
        if fld(pid, 5).strip("^") not in ("", "U"):
            problems.append("PID-5 carries a name")
    if "PV1" in ids:
        rec["location"] = fld(msg.segment("PV1"), 3)
    if "OBR" in ids:
        obr = msg.segment("OBR")
        rec["alert_id"] = fld(obr, 3).split("^")[0]
        if not rec["alert_id"]:
            problems.append("OBR-3 empty")
        if fld(obr, 4) != "196616^MDC_EVT_ALARM^MDC":
            problems.append("OBR-4 is %s" % fld(obr, 4))
    obx = msg.segments("OBX") if "OBX" in ids else []
    if obx:
        first = obx[0]
        rec["event"] = fld(first, 5)
        rec["flags"] = fld(first, 8)
        if fld(first, 3) != "196616^MDC_EVT_ALARM^MDC":
            problems.append("first OBX-3 is %s" % fld(first, 3))
    for seg in obx:
        code = fld(seg, 3).split("^")[0]
        if code in FACETS:
            name, allowed = FACETS[code]
            value = msg.unescape(fld(seg, 5))
            rec[name] = value
            if allowed is not None and value not in allowed:
                problems.append("%s is %r" % (name, value))
    for name, _ in FACETS.values():
        if name not in rec:
            problems.append("no %s facet" % name)
    rec["problems"] = problems
    return rec


def ack(msg, code, text=None):
    lines = str(msg.create_ack(code)).split("\r")
    if text:
        escaped = text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
        lines = [line + "|" + escaped if line.startswith("MSA|") else line for line in lines]
    return hl7.parse("\r".join(lines))


async def serve(args):
    async def on_client(reader, writer):
        try:
            while not reader.at_eof():
                msg = await reader.readmessage()
                rec = check(msg)
                with open(args.record, "a") as f:
                    f.write(json.dumps(rec) + "\n")
                if args.answer == "none":
                    continue
                if rec["problems"]:
                    writer.writemessage(ack(msg, "AR", "; ".join(rec["problems"])))
                elif args.answer == "AE":
                    writer.writemessage(ack(msg, "AE", "receiver told to refuse"))
                else:
                    writer.writemessage(ack(msg, "AA"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    server = await start_hl7_server(on_client, "127.0.0.1", args.port, ssl=tls)
    async with server:
        await server.serve_forever()


def status_message(args):
    if args.bad:
        return hl7.parse("MSH|^~\\&|AM|HOSP|CHAIRWATCH|CLINIC|20261124184300||ORU^R01^ORU_R01|"
                         "BAD1|P|2.6\rOBR|1||x\r")
    text = "\r".join([
        "MSH|^~\\&|AM|HOSP|CHAIRWATCH|CLINIC|20261124184300+0000||ORU^R41^ORU_R41|ST1|P|2.6",
        "OBR|1||%s^CHAIRWATCH|196616^MDC_EVT_ALARM^MDC" % args.alert_id,
        "OBX|1|ST|0^DISPATCH_STATUS^99AM||%s||||||R|||20261124184312+0000||^%s||%s" % (
            args.status, args.person, args.device),
    ]) + "\r"
    return hl7.parse(text)


async def send(args):
    msg = status_message(args)
    reader, writer = await open_hl7_connection("127.0.0.1", args.port)
    writer.writemessage(msg)
    await writer.drain()
    answer = await asyncio.wait_for(reader.readmessage(), timeout=5)
    writer.close()
    msa = answer.segment("MSA")
    print(str(answer).replace("\r", "\n"))
    ok = fld(msa, 1) == args.expect and fld(msa, 2) == fld(msg.segment("MSH"), 10)
    ok = ok and fld(answer.segment("MSH"), 9).startswith("ACK^")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve", "send"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--record")
    p.add_argument("--answer", default="AA", choices=["AA", "AE", "none"])
    p.add_argument("--alert-id", default="")
    p.add_argument("--status", default="")
    p.add_argument("--person", default="")
    p.add_argument("--device", default="")
    p.add_argument("--expect", default="AA")
    p.add_argument("--bad", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    if args.mode == "serve":
        asyncio.run(serve(args))
        return 0
    return asyncio.run(send(args))


if __name__ == "__main__":
    sys.exit(main())
