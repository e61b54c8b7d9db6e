// What the engine tells its caller about an alarm: one AlarmTransition per change of state.
#pragma once

#include <cstdint>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

enum class AlarmState : std::uint8_t { raised, updated, cleared };
std::string_view to_string(AlarmState s);

// Why an alarm ended.
enum class ClearCause : std::uint8_t { none, back_in_range, feed_resumed, session_ended };
std::string_view to_string(ClearCause c);

struct AlarmTransition {
    std::uint32_t alarm_no{0};   // per session, stable for the alarm's life
    std::string_view condition;  // points into the profile, which outlives the transition
    AlarmKind kind{AlarmKind::physiological};
    AlarmState state{AlarmState::raised};
    Priority priority{Priority::low};  // the highest active tier (last held, once cleared)
    Signal signal{Signal::hr};
    double value{0};  // the value judged at this transition (seconds of silence for feeds)
    double limit{0};  // the limit of the tier shown
    bool inclusive{true};
    bool high{true};  // the limit is an upper one
    double peak{0};   // the most extreme value seen while active
    Instant onset;
    Instant at;
    ClearCause cause{ClearCause::none};

    bool is_feed() const { return kind == AlarmKind::technical; }
};

}  // namespace chairwatch::alerts
