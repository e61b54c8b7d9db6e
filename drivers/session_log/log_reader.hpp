// The one reader of session logs (schema.hpp): each line as a typed entry, or what is wrong
// with it. Recovery, the report and replay decide what an entry means to them; the reader
// decides what a line says.
//
// A line whose type or a field needed to use it is missing, mistyped or unknown has no entry,
// and its problem says which field and why ("field 'ts' is not an ISO 8601 time with a zone").
// A session_start whose optional parts are bad keeps its entry, without them, and says so.
// Fields a reader does not know are ignored, so older readers take newer logs' additions.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "alerts/alarm.hpp"
#include "alerts/session.hpp"
#include "alerts/types.hpp"

namespace chairwatch::drivers {

using alerts::Millis;

struct LogStart {
    int version{0};  // 0: a log from before the format was versioned
    Millis ts{0};    // daemon clock
    std::string chair;
    std::string session_id;
    std::string site;  // the instance's site; empty: none (or a log from before sites)
    bool implicit{false};
    std::string profile;
    std::optional<alerts::Phase> phase;
    // What the start message said (empty or unset when it did not).
    std::string route;
    std::optional<double> weight_kg;
    std::optional<double> dose_mg_per_kg;
    std::optional<double> planned_duration_min;
    std::string patient_ref;
    std::optional<bool> age_65_plus;
    std::optional<double> age;
    std::optional<bool> hypertension;
    std::optional<bool> sedatives;
    std::optional<double> session_number;
    std::optional<double> devices;
};

struct LogReading {
    Millis ts{0};              // device clock
    std::optional<Millis> rx;  // daemon clock
    alerts::Signal signal{alerts::Signal::hr};
    double value{0};
};

struct LogPhase {
    Millis ts{0};  // daemon clock
    alerts::Phase phase{alerts::Phase::baseline};
    // On entering dosing: the baseline formed (an empty one when none was).
    std::optional<std::array<std::optional<double>, alerts::signal_count>> baseline;
    std::optional<double> devices;  // on entering dosing, when the session knew them
};

// One alarm transition. Times on the daemon clock.
struct LogAlarm {
    std::string alert_id;
    std::uint32_t alarm_no{0};  // from alert_id, either form; 0 when it names no number
    std::string chair;
    std::string session_id;
    std::string condition;
    alerts::AlarmKind kind{alerts::AlarmKind::physiological};
    alerts::Priority priority{alerts::Priority::low};
    alerts::AlarmState state{alerts::AlarmState::raised};
    std::optional<alerts::Signal> signal;
    double value{0};
    double limit{0};
    std::string unit;
    double peak{0};   // `value` when the line has none
    Millis onset{0};  // `ts` when the line has none
    Millis ts{0};
    std::optional<alerts::ClearCause> cause;
    bool active{true};  // when the line does not say: not once cleared
    bool latched{false};
    bool acknowledged{false};
    std::string acknowledged_by;
    std::optional<Millis> acknowledged_at;
    std::string action_taken, action_note;  // what the acknowledging nurse did
    int escalation_level{0};
    std::optional<alerts::Phase> phase;
    std::string text;
    std::optional<std::int64_t> seq;
    // Kept by the log alone, for recovery.
    alerts::Priority max_priority{alerts::Priority::low};  // `priority` when the line has none
    double baseline{0};
    bool high{true};
    bool inclusive{true};
    bool relative{false};
    bool rise_rule{false};
    bool feed{false};  // when the line does not say: its unit is seconds
    bool realarm{false};
    std::string hint;
};

struct LogEnd {
    Millis ts{0};  // daemon clock
    std::string chair;
    std::string session_id;
    std::optional<alerts::EndReason> reason;
    bool discharge_ready{false};
    std::string note;
};

// A notification receipt (ACM dispatch status). `ts` on the daemon clock.
struct LogReceipt {
    Millis ts{0};
    std::string alert_id;
    std::string chair;
    std::string session_id;
    std::string status;
    std::string person;
    std::string device;
    std::optional<Millis> reported_at;  // the alarm manager's clock
    std::string control_id;
};

// One of chairwatchd's own technical alarms (readings_link_lost, session_log_failed,
// notification_failed) as it changed while the session was open. `ts` on the daemon clock;
// condition, state and priority as written, not checked against the daemon's lists.
struct LogServiceAlarm {
    Millis ts{0};
    std::string chair;
    std::string session_id;
    std::string alert_id;
    std::string condition;
    std::string state;  // raised, updated, cleared
    std::string priority;
    std::string text;
};

// A nurse's observation (alerts::Observation). `ts` on the daemon clock (when it was received).
struct LogObservation {
    Millis ts{0};
    std::string chair;
    std::string session_id;
    std::string kind;
    std::string value;
    std::string text;
    std::string by;
};

// A feed pause began (`ended` false) or ended (alerts::FeedPause). Times on the daemon clock.
struct LogFeedPause {
    Millis ts{0};
    std::string chair;
    std::string session_id;
    bool ended{false};
    Millis since{0};
    Millis until{0};
    std::string reason;
    std::string by;
    std::optional<alerts::PauseEnd> cause;  // when ended
    std::string ended_by;
};

// A nurse changed a limit of the session (alerts::LimitChange). `ts` on the daemon clock.
struct LogLimitChange {
    Millis ts{0};
    std::string chair;
    std::string session_id;
    std::string condition;
    int tier{1};
    double from{0};
    double to{0};
    std::string reason;
    std::string by;
};

using LogEntry = std::variant<LogStart, LogReading, LogPhase, LogAlarm, LogEnd, LogReceipt,
                              LogServiceAlarm, LogObservation, LogFeedPause, LogLimitChange>;

struct LogLine {
    int number{0};                  // in the file, from 1
    std::optional<LogEntry> entry;  // unset: the line cannot be used
    std::string problem;            // empty when the line is sound
};

// One line's text (without its newline).
LogLine parse_log_line(std::string_view text, int number);

// Reads a log line by line, skipping blank lines.
class LogReader {
  public:
    explicit LogReader(std::istream& in) : in_(in) {}
    // The next line; false at the end of the input.
    bool next(LogLine& line);

  private:
    std::istream& in_;
    std::string text_;
    int number_{0};
};

// The alarm number of an alert id: "<chair>:<session_id>:a<n>", or "<session_id>-a<n>" as
// logs before version 0.9 of chairwatch wrote it; 0 if it names none.
std::uint32_t alarm_no_of(std::string_view alert_id);

// What the start message said, as a session_start line has it.
alerts::SessionInfo session_info(const LogStart& s);

}  // namespace chairwatch::drivers
