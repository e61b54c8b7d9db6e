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

}  // namespace chairwatch::alerts
