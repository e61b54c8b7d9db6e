#include "alerts/alarm.hpp"

namespace chairwatch::alerts {

std::string_view to_string(AlarmState s) {
    switch (s) {
        case AlarmState::raised:
            return "raised";
        case AlarmState::updated:
            return "updated";
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
    }
    return "unknown";
}

}  // namespace chairwatch::alerts
