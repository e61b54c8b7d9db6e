// A session log (<session_id>.jsonl, drivers/session_log/schema.hpp) read back into plain
// values for the report. Every time is on the monitor's (device) clock: the receive times of
// phases, alarms and the session's start and end are mapped onto it through the readings'
// (rx, ts) pairs (see clock_map.hpp), and so are readings whose ts equals their rx (the daemon
// stamped them on receipt because the payload carried no time). Lines that cannot be read are
// reported as "FILE:LINE: what" in `errors` and skipped; the rest is kept.
#pragma once

#include <array>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alarm.hpp"
#include "alerts/types.hpp"

namespace chairwatch::report {

using alerts::Millis;

struct TimedValue {
    Millis t{0};  // device clock, epoch milliseconds
    double value{0};
    int line{0};  // in the log, to keep the log's order among equal times
};

struct PhaseChange {
    alerts::Phase phase{alerts::Phase::baseline};
    Millis t{0};
};

// One alarm transition as logged.
struct AlarmEvent {
    std::string alert_id;
    std::string condition;
    alerts::AlarmKind kind{alerts::AlarmKind::physiological};
    alerts::Priority priority{alerts::Priority::low};
    alerts::AlarmState state{alerts::AlarmState::raised};
    std::optional<alerts::Signal> signal;
    double value{0};
    double limit{0};
    double peak{0};
    std::string unit;
    Millis onset{0};
    Millis t{0};
    std::string cause;  // on cleared transitions
    bool active{true};
    bool latched{false};
    bool acknowledged{false};
    std::string acknowledged_by;
    std::optional<Millis> acknowledged_at;
    std::string action_taken, action_note;  // what the acknowledging nurse did
    int escalation_level{0};
    std::string text;
    int line{0};
};

// A notification receipt: the alarm manager says a person got, read or accepted an alert.
struct ReceiptEvent {
    int line{0};
    Millis t{0};  // when chairwatchd received it
    std::string alert_id;
    std::string status;
    std::string person;
    std::string device;
};

// One of chairwatchd's own technical alarms as it changed while the session was open.
struct ServiceAlarmEvent {
    int line{0};
    Millis t{0};
    std::string alert_id;
    std::string condition;
    std::string state;
    std::string priority;
    std::string text;
};

// A nurse's observation (sedation, dissociation, adverse_event, note) as logged.
struct ObservationEvent {
    int line{0};
    Millis t{0};  // when chairwatchd received it
    std::string kind;
    std::string value;  // sedation, dissociation: none, present, resolved
    std::string text;
    std::string by;
};

// A pause of the chair's feed alarms, from its log lines (daemon clock, mapped like the rest).
struct FeedPauseEvent {
    int line{0};
    Millis since{0};
    Millis until{0};              // as planned
    std::optional<Millis> ended;  // when it ended (none: still paused when the log ends)
    std::string cause;            // expired, resumed, high_alarm; replaced (by a new pause)
    std::string reason;
    std::string by;
    std::string ended_by;
};

// A nurse's change of one of the session's limits (daemon clock, mapped like the rest).
struct LimitChangeEvent {
    int line{0};
    Millis t{0};
    std::string condition;
    int tier{1};
    double from{0};
    double to{0};
    std::string reason;
    std::string by;
};

struct SessionRecord {
    std::string file;
    bool has_start{false};
    std::string chair;
    std::string session_id;
    std::string site;  // empty: none

    // "<site>/<chair>", or the chair without a site: unique across a group's sites.
    std::string site_chair() const { return site.empty() ? chair : site + "/" + chair; }
    bool implicit{false};
    std::string profile;
    alerts::Phase first_phase{alerts::Phase::baseline};
    std::string route;
    std::optional<double> weight_kg;
    std::optional<double> devices;  // esketamine: as the start said, or the dose start after it
    std::optional<double> dose_mg_per_kg;
    std::optional<double> planned_duration_min;
    std::string patient_ref;  // a pseudonym for the chart: the HTML page only, never a log
    Millis start{0};
    std::optional<Millis> end;  // unset: no session_end line (running, or the log is cut short)
    std::string end_reason;
    bool discharge_ready{false};
    std::string end_note;

    std::vector<PhaseChange> phases;  // after the first phase, in order
    std::array<std::optional<double>, alerts::signal_count> baseline{};
    std::optional<Millis> baseline_at;  // when the baseline was formed (the dosing phase began)
    std::array<std::vector<TimedValue>, alerts::signal_count> readings;  // sorted by time
    std::vector<AlarmEvent> alarms;                                      // in log order
    std::vector<ReceiptEvent> receipts;                                  // in log order
    std::vector<ServiceAlarmEvent> service_alarms;                       // in log order
    std::vector<ObservationEvent> observations;                          // in log order
    std::vector<FeedPauseEvent> feed_pauses;                             // in log order
    std::vector<LimitChangeEvent> limit_changes;                         // in log order

    double clock_speed{1.0};  // device seconds per receive second (see ClockMap::speed)
    std::vector<std::string> errors;

    const std::vector<TimedValue>& of(alerts::Signal s) const {
        return readings[alerts::index_of(s)];
    }
    std::size_t reading_count() const;
    // The last time anything happened: the end, else the latest reading or alarm.
    Millis last_time() const;
};

SessionRecord parse_session_log(std::istream& in, const std::string& file);
// Opens and parses `path`; nullopt with `error` set if it cannot be opened.
std::optional<SessionRecord> read_session_log(const std::string& path, std::string& error);

}  // namespace chairwatch::report
