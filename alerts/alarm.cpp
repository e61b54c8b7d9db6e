#include "alerts/alarm.hpp"

namespace chairwatch::alerts {

std::string_view to_string(AlarmState s) {
    switch (s) {
        case AlarmState::raised:
            return "raised";
        case AlarmState::updated:
            return "updated";
        case AlarmState::acknowledged:
            return "acknowledged";
        case AlarmState::escalated:
            return "escalated";
        case AlarmState::cleared:
            return "cleared";
    }
    return "unknown";
}

std::optional<AlarmState> parse_alarm_state(std::string_view name) {
    for (auto s : {AlarmState::raised, AlarmState::updated, AlarmState::acknowledged,
                   AlarmState::escalated, AlarmState::cleared})
        if (to_string(s) == name) return s;
    return std::nullopt;
}

void take_condition(AlarmTransition& a, const ConditionChange& c) {
    a.priority = c.priority;
    a.signal = c.signal;
    a.inclusive = c.inclusive;
    a.high = c.high;
    a.relative = c.relative;
    a.rise_rule = c.rise_rule;
    a.feed = c.feed;
    a.cause = c.cause;
    a.condition = c.condition;
    a.value = c.value;
    a.limit = c.limit;
    a.baseline = c.baseline;
    a.peak = c.peak;
    a.at = c.at;
}

ConditionChange condition_of(const AlarmTransition& a, ConditionState state) {
    ConditionChange c;
    c.kind = a.kind;
    c.state = state;
    c.priority = a.priority;
    c.signal = a.signal;
    c.inclusive = a.inclusive;
    c.high = a.high;
    c.relative = a.relative;
    c.rise_rule = a.rise_rule;
    c.feed = a.feed;
    c.cause = a.cause;
    c.condition = a.condition;
    c.value = a.value;
    c.limit = a.limit;
    c.baseline = a.baseline;
    c.peak = a.peak;
    c.onset = a.onset;
    c.at = a.at;
    c.text_hint = a.text_hint;
    return c;
}

}  // namespace chairwatch::alerts
