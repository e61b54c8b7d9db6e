#!/usr/bin/env python3
"""Writes the IM ketamine and intranasal esketamine session logs of the records tests from the
report tests' IV ketamine log (tests/report/fixtures/session.jsonl: 110 min, BP surge with
acknowledgements and an escalation, an HR feed loss, discharge ready at the end).

  im_session.jsonl          chair-05, im-ketamine, 0.5 mg/kg for 72 kg injected at 10 min (the
                            dosing phase ends 1 min later), and no patient_ref: the export must
                            do without one
  intranasal_session.jsonl  chair-07, intranasal-esketamine, two devices 5 min apart (dosing
                            10-20 min; a fixed dose in mg, so no mg/kg or weight), patient_ref

Same readings and alarms as the IV log (REFERENCE §9 puts the peaks of all three routes within
it). Run it again only to change them; the tests count on the files.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
IV = HERE.parent / "report" / "fixtures" / "session.jsonl"


def convert(chair, profile, route, dose_end, start_edit):
    lines = [json.loads(l) for l in IV.read_text().splitlines() if l.strip()]
    out, observation = [], None
    for line in lines:
        if line["type"] == "phase" and line["phase"] == "observation":
            observation = dict(line, ts=dose_end)
            continue
        out.append(line)
        if line["type"] == "phase" and line["phase"] == "dosing":
            out.append(None)  # where the observation phase goes
    out[out.index(None)] = observation
    text = "\n".join(json.dumps(l, separators=(",", ":")) for l in out) + "\n"
    text = text.replace("chair-04", chair).replace('"Chair 4:', f'"Chair {int(chair[-2:])}:')
    rows = [json.loads(l) for l in text.splitlines()]
    rows[0].update(profile=profile, route=route)
    start_edit(rows[0])
    return "\n".join(json.dumps(r, separators=(",", ":")) for r in rows) + "\n"


def im(start):
    del start["patient_ref"]
    start["planned_duration_min"] = 1


def intranasal(start):
    for k in ("weight_kg", "dose_mg_per_kg"):
        del start[k]
    start["planned_duration_min"] = 10
    start["patient_ref"] = "PT-TEST-0077"


(HERE / "fixtures" / "im_session.jsonl").write_text(
    convert("chair-05", "im-ketamine", "im", "2026-03-02T09:12:00.000Z", im))
(HERE / "fixtures" / "intranasal_session.jsonl").write_text(
    convert("chair-07", "intranasal-esketamine", "intranasal", "2026-03-02T09:21:00.000Z",
            intranasal))
