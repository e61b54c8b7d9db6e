// A monitor's link status, as it (or its gateway) publishes it retained on
// `<prefix>/<chair>/monitor`: {"online":true,"device":"..."}; its MQTT last will on the same
// topic is {"online":false}. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace chairwatch::drivers {

struct MonitorStatus {
    bool online{false};
    std::string device;  // optional: what the monitor calls itself (shown on the board)
};

// The status, or a sentence saying exactly why the payload is refused. `online` is required
// and a JSON boolean; `device` a name (text_rules.hpp) of at most 64 bytes; `ts` (as vitals:
// epoch seconds or ISO-8601) may be given and is not used; any other field is refused.
std::variant<MonitorStatus, std::string> decode_monitor_status(std::string_view payload,
                                                               std::size_t max_bytes);

}  // namespace chairwatch::drivers
