// What the rule engine reports about an alarm condition: one ConditionChange each time a
// condition begins, changes priority, limit or signal, or ends. The AlarmBook turns them into the
// alarms nurses see (alerts/alarm.hpp); the Clinic reports its own notices the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

// Why an alarm ended.
enum class ClearCause : std::uint8_t {
    none,
    back_in_range,
    feed_resumed,
    session_ended,
    phase_changed,
    acknowledged,
    valid_reading,
    reconfigured,
    feeds_paused  // a nurse paused the chair's feed alarms
};
std::string_view to_string(ClearCause c);
std::optional<ClearCause> parse_clear_cause(std::string_view name);

// raised: the condition began; updated: its priority, limit or signal changed; cleared: it ended.
enum class ConditionState : std::uint8_t { raised, updated, cleared };

struct ConditionChange {
    // (The small fields are kept together, so that they share a word: every chair with an active
    // condition keeps its last change.)
    AlarmKind kind{AlarmKind::physiological};
    ConditionState state{ConditionState::raised};
    Priority priority{Priority::low};  // the highest active tier (last held, once cleared)
    Signal signal{Signal::hr};
    bool inclusive{true};
    bool high{true};        // the limit is an upper one
    bool relative{false};   // the limit shown is the patient's baseline plus a rise
    bool rise_rule{false};  // the rule judges rises over the baseline
    bool feed{false};       // a silent-feed condition: value and limit are seconds
    ClearCause cause{ClearCause::none};
    std::string condition;  // owned: a reload may free the profile it came from
    double value{0};        // the value judged at this change (seconds of silence for feeds)
    double limit{0};        // the limit of the tier shown
    double baseline{0};
    double peak{0};  // the most extreme value seen while active
    Instant onset;
    Instant at;
    std::string_view text_hint;  // the Clinic's notices: what it says, beyond its condition
};

}  // namespace chairwatch::alerts
