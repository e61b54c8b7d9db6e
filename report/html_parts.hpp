// Internal to the report: the sections of the HTML page, each appended to `out`.
#pragma once

#include <string>

#include "report/report.hpp"
#include "report/session_summary.hpp"

namespace chairwatch::report::html {

void alarm_table(std::string& out, const SessionSummary& s, Millis utc_offset);
// What the alarm manager reported about the notifications (ACM receipts); nothing if none.
void receipts_table(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                    Millis utc_offset);
// chairwatchd's own technical alarms while the session was open; nothing if none.
void service_alarms_table(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                          Millis utc_offset);
void vitals_table(std::string& out, const SessionSummary& s, Millis utc_offset);
// What the nurses recorded (session messages "observation"); nothing if none.
void observations_table(std::string& out, const SessionRecord& rec, Millis utc_offset);
// When a nurse paused the chair's feed alarms, why, and how each pause ended; nothing if none.
void feed_pauses_table(std::string& out, const SessionRecord& rec, Millis utc_offset);
// Who changed which limit of the session, when, from what to what and why; nothing if none.
void limit_changes_table(std::string& out, const SessionRecord& rec, Millis utc_offset);
// A page of its own for an intranasal esketamine session (report/rems.hpp).
void rems_page(std::string& out, const SessionRecord& rec, const SessionSummary& s,
               const ReportOptions& o);
void discharge_box(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                   const ReportOptions& o);

}  // namespace chairwatch::report::html
