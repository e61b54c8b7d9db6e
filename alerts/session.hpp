// One chair's monitoring session as the core records it: when it started, what was measured,
// which alarms it had. The daemon writes it out; nothing here does I/O.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alarm.hpp"
#include "alerts/baseline.hpp"

namespace chairwatch::alerts {

struct SignalStats {
    std::size_t count{0};
    double min{std::numeric_limits<double>::infinity()};
    double max{-std::numeric_limits<double>::infinity()};
    double sum{0};

    void add(double v) {
        ++count;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
    }
    double mean() const { return count ? sum / static_cast<double>(count) : 0.0; }
};

// The life of one alarm, for the session summary.
struct AlarmRecord {
    std::uint32_t alarm_no{0};
    // The small fields together, so that they share 16 bytes with the number.
    AlarmKind kind{AlarmKind::physiological};
    bool feed{false};
    Signal signal{Signal::hr};
    Priority max_priority{Priority::low};
    bool high{true};
    ClearCause cause{ClearCause::none};
    int escalations{0};
    std::string condition;
    double limit{0};  // the limit of the highest tier reached
    double peak{0};
    Instant onset;
    std::optional<Instant> end;
    std::string acknowledged_by;
    std::optional<Instant> acknowledged_at;
    std::shared_ptr<const AckAction> ack_action;  // of that first acknowledgement
};

// What a start message says about the session. `patient_ref` goes to the session log only.
struct SessionInfo {
    std::string session_id;  // empty: made from chair and start time
    std::string profile;     // empty: the chair's default profile
    std::string route;
    std::optional<double> weight_kg;
    std::optional<double> dose_mg_per_kg;
    std::optional<double> planned_duration_min;
    std::string patient_ref;
    std::optional<Millis> ts;  // the sender's time of this message, if it said
    // What selects the profile's modifiers (REF §9: stricter for age >= 65, known hypertension,
    // the first three sessions); unset when the start message did not say.
    std::optional<bool> age_65_plus;
    std::optional<double> age;
    std::optional<bool> hypertension;
    std::optional<double> session_number;  // 1 for the patient's first session
    // Intranasal esketamine: the nasal spray devices used (28 mg each; REF §9: 56 or 84 mg).
    // On start (planned) or dose_start (given); recorded, judged by nothing.
    std::optional<double> devices;
    std::optional<bool> sedatives;  // concurrent benzodiazepines or opioids (breathing watched)
};

// The modifier flags the start message sets: "age_65_plus" (age_65_plus, or age >= 65),
// "hypertension", "first_sessions" (session_number 1 to 3), "sedatives".
std::vector<std::string> session_flags(const SessionInfo& info);

// A nurse's observation during a session ({"action":"observation"} on the session topic): what
// the monitors cannot see (sedation, dissociation, an adverse event, a note). `text` is clinical
// content: the session log and the report have it, the service log never does.
struct Observation {
    std::string kind;   // sedation, dissociation, adverse_event, note
    std::string value;  // sedation, dissociation: none, present, resolved; else empty
    std::string text;
    std::string by;  // who observed (a pseudonym or staff id)
};

// A nurse paused the chair's feed alarms (cuff off, a bathroom break): its silent-feed and
// overdue-cuff alarms are not raised from `since` until `until`, a resume, or a HIGH
// physiological alarm, whichever comes first. Physiological alarms are never paused.
enum class PauseEnd : std::uint8_t { expired, resumed, high_alarm };
std::string_view to_string(PauseEnd e);
std::optional<PauseEnd> parse_pause_end(std::string_view name);

struct FeedPause {
    Instant since;
    Instant until;
    std::string reason;
    std::string by;        // who paused (a staff id)
    std::string ended_by;  // who resumed, once resumed
};

// A nurse changed one of the session's limits (Profile::limit_bounds) from `from` to `to`; it
// holds until the session ends.
struct LimitChange {
    std::string condition;
    int tier{1};
    double from{0};
    double to{0};
    std::string reason;
    std::string by;  // who changed it (a staff id)
    Instant at;
};

// Whether two start messages say the same (their send times aside).
bool same_start(const SessionInfo& a, const SessionInfo& b);

enum class EndReason : std::uint8_t { idle, shutdown, explicit_end, superseded };
std::string_view to_string(EndReason r);

struct Session {
    std::string chair;
    std::string id;
    std::string site;  // the instance's site (empty: none); alert ids carry it
    // What the start message said; null for a session that readings started. Shared and
    // immutable: most sessions have none, and a chair's state is kept for every chair.
    std::shared_ptr<const SessionInfo> start_info;
    std::string profile;                 // the profile in force
    std::vector<std::string> modifiers;  // the profile's modifiers applied, in order
    // The small fields together, so that they share one word.
    bool implicit{true};  // started by a reading rather than a start message
    Phase phase{Phase::monitoring};
    bool baseline_formed{false};
    EndReason end_reason{EndReason::idle};
    std::optional<Instant> dose_start, dose_end;
    Baseline baseline;
    std::optional<Instant> discharge_ready;
    // The session's clinical clock: the latest time the devices and the nurse station stamped
    // (receive time when they stamp nothing). Baseline spacing and observation length are
    // measured on it, so a replayed or accelerated session keeps its own timeline; alarm
    // delays, escalation and feed timeouts use the monotonic clock.
    Millis clock{0};
    std::optional<Millis> dose_end_clock;
    Millis start_clock{0};      // the clinical clock when the session started
    Millis last_cuff_clock{0};  // device time of the latest cuff reading
    Instant started;
    Instant last_reading;
    std::optional<Instant> ended;
    std::size_t readings{0};
    std::array<SignalStats, signal_count> stats{};
    std::vector<AlarmRecord> alarms;
    std::optional<FeedPause> feed_pause;     // while the chair's feed alarms are paused
    std::optional<double> devices;           // as the start, or the dose_start after it, said
    std::vector<LimitChange> limit_changes;  // in the order made

    // What the start message said (all empty for a session that readings started).
    const SessionInfo& info() const;
    void record(const Reading& r) {
        ++readings;
        stats[index_of(r.signal)].add(r.value);
    }
    void record(const AlarmTransition& t);
    // "<chair>:<session_id>:a<n>": unique across chairs, sessions and restarts; with a site,
    // "<site>:<chair>:<session_id>:a<n>", unique across the sites of a group as well.
    std::string alert_id(std::uint32_t alarm_no) const;
};

// The parts of an alert id; nullopt unless it is "[<site>:]<chair>:<session_id>:a<n>" with
// n > 0 and no part empty.
struct AlertId {
    std::string_view site;  // empty when the id has none
    std::string_view chair;
    std::string_view session_id;
    std::uint32_t alarm_no{0};
};
std::optional<AlertId> parse_alert_id(std::string_view id);

// "chair-03-20261124T184100Z": unique per chair as long as two sessions don't start in one second;
// with a site, "north-chair-03-20261124T184100Z".
std::string make_session_id(std::string_view chair, Instant start, std::string_view site = {});

}  // namespace chairwatch::alerts
