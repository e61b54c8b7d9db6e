#include "alerts/condition_change.hpp"

namespace chairwatch::alerts {

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
        case ClearCause::feeds_paused:
            return "feeds_paused";
    }
    return "unknown";
}

std::optional<ClearCause> parse_clear_cause(std::string_view name) {
    for (auto c : {ClearCause::none, ClearCause::back_in_range, ClearCause::feed_resumed,
                   ClearCause::session_ended, ClearCause::phase_changed, ClearCause::acknowledged,
                   ClearCause::valid_reading, ClearCause::reconfigured, ClearCause::feeds_paused})
        if (to_string(c) == name) return c;
    return std::nullopt;
}

}  // namespace chairwatch::alerts
