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

std::string_view to_string(ClearCause c) {
    switch (c) {
        case ClearCause::none:
            return "";
        case ClearCause::back_in_range:
            return "back_in_range";
        case ClearCause::feed_resumed:
            return "feed_resumed";
        case ClearCause::session_ended:
            return "session_ended";
        case ClearCause::phase_changed:
            return "phase_changed";
        case ClearCause::acknowledged:
            return "acknowledged";
        case ClearCause::valid_reading:
            return "valid_reading";
        case ClearCause::reconfigured:
            return "reconfigured";
    }
    return "unknown";
}

std::optional<AlarmState> parse_alarm_state(std::string_view name) {
    for (auto s : {AlarmState::raised, AlarmState::updated, AlarmState::acknowledged,
                   AlarmState::escalated, AlarmState::cleared})
        if (to_string(s) == name) return s;
    return std::nullopt;
}

std::optional<ClearCause> parse_clear_cause(std::string_view name) {
    for (auto c : {ClearCause::none, ClearCause::back_in_range, ClearCause::feed_resumed,
                   ClearCause::session_ended, ClearCause::phase_changed, ClearCause::acknowledged,
                   ClearCause::valid_reading, ClearCause::reconfigured})
        if (to_string(c) == name) return c;
    return std::nullopt;
}

}  // namespace chairwatch::alerts
