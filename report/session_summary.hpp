// What a report says about a session, derived once from its record and shared by the HTML,
// JSON and CSV renderings: phase spans, per-signal figures, alarm episodes and discharge.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "report/session_record.hpp"

namespace chairwatch::report {

using alerts::Priority;
using alerts::Signal;

struct PhaseSpan {
    alerts::Phase phase{alerts::Phase::baseline};
    Millis from{0};
    Millis to{0};
};

// One bucket of a streamed signal (HR, SpO2): the median of its samples and their 10th and
// 90th percentiles (a single-sample artifact moves neither).
struct TrendPoint {
    Millis t{0};  // halfway between the bucket's first and last sample
    double median{0};
    double lo{0};
    double hi{0};
};

struct SignalSummary {
    Signal signal{Signal::hr};
    std::size_t count{0};
    double min{0};
    double max{0};
    double mean{0};
    std::optional<double> baseline;
    bool lowest_is_worst{false};  // SpO2: the "peak" is the lowest value
    TimedValue peak;              // cuff: a reading; streamed: a 1-minute median
    TimedValue end;               // cuff: the last reading; streamed: the last 1-minute median
};

struct PrioritySpan {
    Millis from{0};
    Millis to{0};
    Priority priority{Priority::low};
    bool active{true};  // false: the condition is over but the alarm is latched
};

struct Acknowledgement {
    std::string by;
    Millis at{0};
    Priority priority{Priority::low};
    std::string action_taken;  // from the configured pick list, if the nurse chose one
    std::string action_note;   // free text, if any

    // "infusion slowed: patient anxious" (either part alone if the other is empty).
    std::string action_text() const {
        if (action_note.empty()) return action_taken;
        if (action_taken.empty()) return action_note;
        return action_taken + ": " + action_note;
    }
};

// An escalation of an alarm (no acknowledgement in time): to the next level of people.
struct Escalation {
    Millis at{0};
    int level{0};
    Priority priority{Priority::low};
};

// One alarm from its onset to its end, from all its transitions (same alert_id).
struct AlarmEpisode {
    std::string alert_id;
    std::string condition;
    alerts::AlarmKind kind{alerts::AlarmKind::physiological};
    std::optional<Signal> signal;
    std::string unit;
    Priority max_priority{Priority::low};
    double limit{0};  // of the transition that first reached max_priority
    double peak{0};
    Millis onset{0};
    Millis end{0};
    bool open{false};   // still listed when the log ends
    std::string cause;  // why it ended: back_in_range, session_ended, ... ("" when open)
    std::optional<Millis> latched_from;  // the condition ended here; it waited for an ack
    std::vector<PrioritySpan> spans;
    std::vector<Acknowledgement> acks;
    int escalations{0};
    std::vector<Escalation> escalation_steps;  // in order; escalations == their count
    std::string text;                          // the first transition's sentence

    Millis duration() const { return end - onset; }
};

struct Discharge {
    bool applicable{true};            // false for a session started by readings alone
    std::optional<Millis> first_met;  // the discharge_ready advisory was raised
    bool met_at_end{false};           // the session_end line says so
    bool ended{false};                // the log has a session_end line
};

struct SessionSummary {
    Millis start{0};
    Millis end{0};
    std::vector<PhaseSpan> phases;
    std::array<std::optional<SignalSummary>, alerts::signal_count> signals{};
    std::array<std::vector<TrendPoint>, alerts::signal_count> trends;  // streamed signals only
    std::vector<AlarmEpisode> alarms;                                  // by onset
    Discharge discharge;

    const std::optional<SignalSummary>& of(Signal s) const { return signals[alerts::index_of(s)]; }
    const std::vector<TrendPoint>& trend(Signal s) const { return trends[alerts::index_of(s)]; }
    // The phase at `t` (the first one before the start, the last one after the end).
    alerts::Phase phase_at(Millis t) const;
    double minute_of(Millis t) const;
};

inline constexpr bool is_streamed(Signal s) {
    return !alerts::is_cuff(s);
}

SessionSummary summarize(const SessionRecord& rec);

// When the dose was given: the dosing phase (dose_start to dose_end); `ended` is false while
// the log ends in it. nullopt: the session had no dosing phase.
struct DoseSpan {
    Millis from{0};
    Millis to{0};
    bool ended{false};
};
std::optional<DoseSpan> dosing_span(const SessionSummary& s);
// Buckets of `width` from `origin`; empty buckets are left out (a gap in the feed).
std::vector<TrendPoint> trend_of(const std::vector<TimedValue>& series, Millis origin,
                                 Millis width);

}  // namespace chairwatch::report
