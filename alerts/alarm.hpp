// What the alarm system publishes: one AlarmTransition each time an alarm changes state. The
// AlarmBook makes them from the engine's condition changes, acknowledgements and time; the daemon
// publishes, logs and shows them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "alerts/condition_change.hpp"
#include "alerts/types.hpp"

namespace chairwatch::alerts {

// raised: a new alarm condition; updated: its priority or limit changed; acknowledged: a nurse
// took it; escalated: nobody did in time; cleared: the condition ended (a latched alarm stays
// listed, `latched`, until acknowledged).
enum class AlarmState : std::uint8_t { raised, updated, acknowledged, escalated, cleared };
std::string_view to_string(AlarmState s);
std::optional<AlarmState> parse_alarm_state(std::string_view name);

// What a nurse did about an alarm, given with its acknowledgement (either may be empty).
struct AckAction {
    std::string taken;  // one of the configured pick list (sessions.ack_actions)
    std::string note;   // free text
    bool empty() const { return taken.empty() && note.empty(); }
};

struct AlarmTransition {
    std::uint32_t alarm_no{0};  // per session, stable for the alarm's life
    // (The small fields are kept together, so that they share words: the alarm book keeps one
    // transition per listed alarm.)
    AlarmKind kind{AlarmKind::physiological};
    AlarmState state{AlarmState::raised};
    // The condition, as of its last change (see ConditionChange).
    Priority priority{Priority::low};
    Signal signal{Signal::hr};
    bool inclusive{true};
    bool high{true};
    bool relative{false};
    bool rise_rule{false};
    bool feed{false};
    ClearCause cause{ClearCause::none};
    // The alarm's lifecycle.
    bool active{true};    // the condition is present now
    bool latched{false};  // the condition ended but the alarm waits for an acknowledgement
    bool acknowledged{false};
    bool realarm{false};  // raised again because an acknowledgement ran out
    Priority max_priority{Priority::low};
    int escalation_level{0};
    std::string condition;
    double value{0};
    double limit{0};
    double baseline{0};
    double peak{0};
    Instant onset;
    Instant at;
    std::string acknowledged_by;
    Instant acknowledged_at;
    std::shared_ptr<const AckAction> ack_action;  // with an acknowledgement that gave one
    std::string_view text_hint;                   // notices: what it says, beyond its condition

    bool is_feed() const { return feed; }
};

// Sets the alarm's condition fields (priority, signal, limit, values, cause, time...) from a
// change; its number, kind, onset, notice text and lifecycle stay.
void take_condition(AlarmTransition& alarm, const ConditionChange& change);
// The alarm's condition as a change of the given state.
ConditionChange condition_of(const AlarmTransition& alarm, ConditionState state);

}  // namespace chairwatch::alerts
