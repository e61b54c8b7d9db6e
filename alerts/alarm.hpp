// What the engine tells its caller about an alarm: one AlarmTransition per change of state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

// raised: a new alarm condition; updated: its priority or limit changed; acknowledged: a nurse
// took it; escalated: nobody did in time; cleared: the condition ended (a latched alarm stays
// listed, `latched`, until acknowledged).
enum class AlarmState : std::uint8_t { raised, updated, acknowledged, escalated, cleared };
std::string_view to_string(AlarmState s);
std::optional<AlarmState> parse_alarm_state(std::string_view name);

// Why an alarm ended.
enum class ClearCause : std::uint8_t {
    none,
    back_in_range,
    feed_resumed,
    session_ended,
    phase_changed,
    acknowledged,
    valid_reading,
    reconfigured
};
std::string_view to_string(ClearCause c);
std::optional<ClearCause> parse_clear_cause(std::string_view name);

struct AlarmTransition {
    std::uint32_t alarm_no{0};  // per session, stable for the alarm's life
    // (The small fields are kept together, so that they share words: every chair with an alarm
    // keeps its transition, and the alarm book another.)
    AlarmKind kind{AlarmKind::physiological};
    AlarmState state{AlarmState::raised};
    Priority priority{Priority::low};  // the highest active tier (last held, once cleared)
    Signal signal{Signal::hr};
    bool inclusive{true};
    bool high{true};        // the limit is an upper one
    bool relative{false};   // the limit shown is the patient's baseline plus a rise
    bool rise_rule{false};  // the rule judges rises over the baseline
    bool feed{false};       // a silent-feed alarm: value and limit are seconds
    ClearCause cause{ClearCause::none};
    // The alarm's lifecycle, kept by the AlarmBook.
    bool active{true};    // the condition is present now
    bool latched{false};  // the condition ended but the alarm waits for an acknowledgement
    bool acknowledged{false};
    bool realarm{false};  // raised again because an acknowledgement ran out
    Priority max_priority{Priority::low};
    int escalation_level{0};
    std::string condition;  // owned: a reload may free the profile it came from
    double value{0};        // the value judged at this transition (seconds of silence for feeds)
    double limit{0};        // the limit of the tier shown
    double baseline{0};
    double peak{0};  // the most extreme value seen while active
    Instant onset;
    Instant at;
    std::string acknowledged_by;
    Instant acknowledged_at;
    std::string_view text_hint;  // advisories: what the notice says, beyond its condition

    bool is_feed() const { return feed; }
};

}  // namespace chairwatch::alerts
