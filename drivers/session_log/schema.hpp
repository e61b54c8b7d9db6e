// The session log's format, in one place: <log_dir>/<chair>/<session_id>.jsonl, one JSON object
// a line. SessionLog (session_log.hpp) is its one writer; LogReader (log_reader.hpp) its one
// reader, used by restart recovery, the report and replay. docs/session-log.md describes it.
//
// Every line has "type", one of the ten line types below. Times are ISO 8601 UTC with
// milliseconds ("2026-03-02T09:00:00.000Z") on one of two clocks:
//   device  the monitor's clock, as the payload stamped the reading (its arrival time when the
//           payload carried none);
//   daemon  chairwatchd's wall clock when it received or decided something.
// Numbers carry one decimal at most, `dose_mg_per_kg` and an alarm's `baseline` three.
//
// Versions: 1 added "v" to session_start. A log without it is version 0, laid out the same;
// version 0 logs may name alarms "<session_id>-a<n>" instead of "<chair>:<session_id>:a<n>".
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace chairwatch::drivers::log_schema {

// The version this build writes, and the newest it reads.
inline constexpr int version = 1;

namespace line {
inline constexpr std::string_view session_start = "session_start";
inline constexpr std::string_view reading = "reading";
inline constexpr std::string_view phase = "phase";
inline constexpr std::string_view alarm = "alarm";
inline constexpr std::string_view session_end = "session_end";
inline constexpr std::string_view receipt = "receipt";
inline constexpr std::string_view service_alarm = "service_alarm";
inline constexpr std::string_view observation = "observation";
inline constexpr std::string_view feed_pause = "feed_pause";
inline constexpr std::string_view limit_change = "limit_change";
}  // namespace line

namespace key {
// Every line.
inline constexpr std::string_view type = "type";
inline constexpr std::string_view ts = "ts";
// session_start (chair and session_id also on alarm and session_end lines).
inline constexpr std::string_view version = "v";
inline constexpr std::string_view chair = "chair";
inline constexpr std::string_view session_id = "session_id";
inline constexpr std::string_view site = "site";  // only with a site (alerts/site.hpp)
inline constexpr std::string_view implicit = "implicit";
inline constexpr std::string_view profile = "profile";
inline constexpr std::string_view phase = "phase";  // also on phase and alarm lines
inline constexpr std::string_view route = "route";
inline constexpr std::string_view weight_kg = "weight_kg";
inline constexpr std::string_view dose_mg_per_kg = "dose_mg_per_kg";
inline constexpr std::string_view planned_duration_min = "planned_duration_min";
inline constexpr std::string_view patient_ref = "patient_ref";
inline constexpr std::string_view age_65_plus = "age_65_plus";
inline constexpr std::string_view age = "age";
inline constexpr std::string_view hypertension = "hypertension";
inline constexpr std::string_view sedatives = "sedatives";
inline constexpr std::string_view session_number = "session_number";
inline constexpr std::string_view devices = "devices";  // also on the phase line of dosing
// reading (signal and value also on alarm lines).
inline constexpr std::string_view rx = "rx";
inline constexpr std::string_view signal = "signal";
inline constexpr std::string_view value = "value";
// phase: an object of signal name to value; on alarm lines, a number.
inline constexpr std::string_view baseline = "baseline";
// alarm: the fields of the published alert (drivers/codec/alert_codec.cpp writes them) ...
inline constexpr std::string_view alert_id = "alert_id";
inline constexpr std::string_view condition = "condition";
inline constexpr std::string_view kind = "kind";
inline constexpr std::string_view priority = "priority";
inline constexpr std::string_view state = "state";
inline constexpr std::string_view limit = "limit";
inline constexpr std::string_view unit = "unit";
inline constexpr std::string_view peak = "peak";
inline constexpr std::string_view onset = "onset";
inline constexpr std::string_view cause = "cause";
inline constexpr std::string_view active = "active";
inline constexpr std::string_view latched = "latched";
inline constexpr std::string_view acknowledged = "acknowledged";
inline constexpr std::string_view acknowledged_by = "acknowledged_by";
inline constexpr std::string_view acknowledged_at = "acknowledged_at";
inline constexpr std::string_view action_taken = "action_taken";
inline constexpr std::string_view action_note = "action_note";
inline constexpr std::string_view escalation_level = "escalation_level";
inline constexpr std::string_view text = "text";
inline constexpr std::string_view seq = "seq";
// ... and what only the log keeps, for recovery to take the alarm back as it was.
inline constexpr std::string_view max_priority = "max_priority";
inline constexpr std::string_view high = "high";
inline constexpr std::string_view inclusive = "inclusive";
inline constexpr std::string_view relative = "relative";
inline constexpr std::string_view rise_rule = "rise_rule";
inline constexpr std::string_view feed = "feed";
inline constexpr std::string_view realarm = "realarm";
inline constexpr std::string_view hint = "hint";
// session_end.
inline constexpr std::string_view reason = "reason";
inline constexpr std::string_view discharge_ready = "discharge_ready";
inline constexpr std::string_view note = "note";
// receipt: what the alarm manager reported about a notification (ACM dispatch status).
inline constexpr std::string_view status = "status";
inline constexpr std::string_view person = "person";
inline constexpr std::string_view device = "device";
inline constexpr std::string_view reported_at = "reported_at";
inline constexpr std::string_view control_id = "control_id";
// observation: a nurse's (kind and value as the session message gave them; text is clinical
// content, which the service log never has).
inline constexpr std::string_view by = "by";
// feed_pause: a nurse paused the chair's feed alarms (state paused), or the pause ended (state
// ended, with its cause: expired, resumed, high_alarm).
inline constexpr std::string_view since = "since";
inline constexpr std::string_view until = "until";
inline constexpr std::string_view ended_by = "ended_by";
// limit_change: a nurse changed a limit of the session (tier `tier` of rule `condition`, from
// `from` to `to`, with a reason) until its end.
inline constexpr std::string_view tier = "tier";
inline constexpr std::string_view from = "from";
inline constexpr std::string_view to = "to";
}  // namespace key

enum class Kind : std::uint8_t { text, number, integer, flag, time, object };
enum class Clock : std::uint8_t { none, device, daemon };
// When the writer puts the field on the line.
enum class Presence : std::uint8_t { always, sometimes };

struct Field {
    std::string_view name;
    Kind kind;
    Clock clock{Clock::none};
    Presence presence{Presence::always};
};

struct LineType {
    std::string_view name;
    std::span<const Field> fields;  // besides "type"
};

namespace detail {
using enum Kind;
using enum Clock;
using enum Presence;

inline constexpr Field session_start[] = {
    {key::version, integer},
    {key::ts, time, daemon},
    {key::chair, text},
    {key::session_id, text},
    {key::site, text, none, sometimes},  // with a site (alerts/site.hpp)
    {key::implicit, flag},
    {key::profile, text},
    {key::phase, text},
    {key::route, text, none, sometimes},  // this and below: as the start message gave them
    {key::weight_kg, number, none, sometimes},
    {key::dose_mg_per_kg, number, none, sometimes},
    {key::planned_duration_min, number, none, sometimes},
    {key::patient_ref, text, none, sometimes},
    {key::age_65_plus, flag, none, sometimes},
    {key::age, number, none, sometimes},
    {key::hypertension, flag, none, sometimes},
    {key::sedatives, flag, none, sometimes},
    {key::session_number, number, none, sometimes},
    {key::devices, number, none, sometimes},
};
inline constexpr Field reading[] = {
    {key::ts, time, device},
    {key::rx, time, daemon},
    {key::signal, text},
    {key::value, number},
};
inline constexpr Field phase[] = {
    {key::ts, time, daemon},
    {key::phase, text},
    {key::baseline, object, none, sometimes},  // on entering dosing
    {key::devices, number, none, sometimes},   // on entering dosing, when known
};
inline constexpr Field alarm[] = {
    {key::alert_id, text},
    {key::chair, text},
    {key::session_id, text},
    {key::condition, text},
    {key::kind, text},
    {key::priority, text},
    {key::state, text},
    {key::signal, text},
    {key::value, number},
    {key::limit, number},
    {key::unit, text},
    {key::peak, number},
    {key::onset, time, daemon},
    {key::ts, time, daemon},
    {key::cause, text, none, sometimes},  // cleared
    {key::active, flag},
    {key::latched, flag},
    {key::acknowledged, flag},
    {key::acknowledged_by, text, none, sometimes},  // acknowledged
    {key::acknowledged_at, time, daemon, sometimes},
    {key::action_taken, text, none, sometimes},  // acknowledged with a pick-list action
    {key::action_note, text, none, sometimes},   // acknowledged with a note
    {key::escalation_level, integer},
    {key::phase, text},
    {key::text, text},
    {key::max_priority, text},
    {key::baseline, number},
    {key::high, flag},
    {key::inclusive, flag},
    {key::relative, flag},
    {key::rise_rule, flag},
    {key::feed, flag},
    {key::realarm, flag},
    {key::hint, text, none, sometimes},  // notices
    {key::seq, integer, none, sometimes},
};
inline constexpr Field session_end[] = {
    {key::ts, time, daemon},
    {key::chair, text},
    {key::session_id, text},
    {key::reason, text},
    {key::discharge_ready, flag},
    {key::note, text, none, sometimes},  // a started session ended before discharge_ready
};
inline constexpr Field receipt[] = {
    {key::ts, time, daemon},
    {key::alert_id, text},
    {key::chair, text},
    {key::session_id, text},
    {key::status, text},
    {key::person, text, none, sometimes},       // as the alarm manager names them
    {key::device, text, none, sometimes},       // the endpoint, when it says
    {key::reported_at, time, none, sometimes},  // the alarm manager's clock
    {key::control_id, text, none, sometimes},   // MSH-10 of its message
};
// service_alarm: one of chairwatchd's own technical alarms (readings_link_lost,
// session_log_failed, notification_failed) raised, updated or cleared while the session was
// open: a gap in the monitoring of this session. Its alert id is the daemon's, not the chair's.
inline constexpr Field service_alarm[] = {
    {key::ts, time, daemon}, {key::chair, text}, {key::session_id, text}, {key::alert_id, text},
    {key::condition, text},  {key::state, text},  // raised, updated, cleared
    {key::priority, text},   {key::text, text},
};
inline constexpr Field observation[] = {
    {key::ts, time, daemon},
    {key::chair, text},
    {key::session_id, text},
    {key::kind, text},                    // sedation, dissociation, adverse_event, note
    {key::value, text, none, sometimes},  // sedation, dissociation: none, present, resolved
    {key::text, text, none, sometimes},
    {key::by, text},
};
inline constexpr Field feed_pause[] = {
    {key::ts, time, daemon},
    {key::chair, text},
    {key::session_id, text},
    {key::state, text},  // paused, ended
    {key::since, time, daemon},
    {key::until, time, daemon},
    {key::reason, text},
    {key::by, text},
    {key::cause, text, none, sometimes},     // ended: expired, resumed, high_alarm
    {key::ended_by, text, none, sometimes},  // ended by a resume
};
inline constexpr Field limit_change[] = {
    {key::ts, time, daemon}, {key::chair, text}, {key::session_id, text}, {key::condition, text},
    {key::tier, integer},  // from 1, in the rule's order
    {key::from, number},     {key::to, number},  {key::reason, text},     {key::by, text},
};
}  // namespace detail

inline constexpr std::array<LineType, 10> line_types{{
    {line::session_start, detail::session_start},
    {line::reading, detail::reading},
    {line::phase, detail::phase},
    {line::alarm, detail::alarm},
    {line::session_end, detail::session_end},
    {line::receipt, detail::receipt},
    {line::service_alarm, detail::service_alarm},
    {line::observation, detail::observation},
    {line::feed_pause, detail::feed_pause},
    {line::limit_change, detail::limit_change},
}};

}  // namespace chairwatch::drivers::log_schema
