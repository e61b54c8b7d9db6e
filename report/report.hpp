// The post-session report a clinician files with the chart, from a session log:
//   render_html  one self-contained page (inline CSS and SVG, no scripts, no fetches) for A4;
//   render_json  the session record (docs/records.md): header, session, dose, phases, signals,
//                alarms, discharge; the daemon's <session_id>.summary.json is this too;
//   render_fhir  a FHIR R4 Bundle (collection) of the session (docs/records.md, "FHIR");
//   render_csv   one row per reading: chair,session_id,ts,signal,value,unit,phase.
// All times are on the monitor's (device) clock; see session_record.hpp. Pure functions of
// their arguments: the generation time and the clinic's zone come in the options.
// `chairwatch report` (tools/report_cli.cpp) writes them.
#pragma once

#include <memory>
#include <string>

#include "alerts/profile.hpp"
#include "report/session_record.hpp"

namespace chairwatch::report {

// The session record's name and version (its "schema" and "schema_version" fields).
inline constexpr const char* record_schema = "chairwatch-session-record";
inline constexpr int record_schema_version = 1;

struct ReportOptions {
    std::shared_ptr<const alerts::Profile> profile;  // null: no limits are drawn
    std::string limits_source;                       // the config file the profile came from
    std::string limits_note;                         // why there are no limits, if there are none
    Millis utc_offset{0};                            // the clinic's zone, for clock times
    Millis generated_at{0};                          // wall time, for the footer
    std::string patient_identifier_system;  // records.patient_identifier_system; may be empty
    std::string version{CHAIRWATCH_VERSION};
};

std::string render_html(const SessionRecord& rec, const ReportOptions& options);
std::string render_json(const SessionRecord& rec, const ReportOptions& options);
std::string render_fhir(const SessionRecord& rec, const ReportOptions& options);
std::string render_csv(const SessionRecord& rec);

// The offset of this machine's local time zone from UTC at `at` (for ReportOptions::utc_offset;
// reads the TZ database, so call it at the boundary, not in a renderer).
Millis local_utc_offset(Millis at);

}  // namespace chairwatch::report
