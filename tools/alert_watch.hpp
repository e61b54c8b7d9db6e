// `chairwatch alerts`: prints alerts as a nurse station would show them, one line each.
#pragma once

#include <optional>
#include <string>

namespace chairwatch::drivers {

// One alert message as a line for a terminal, or nothing if it is not an alert.
// `color` adds IEC 60601-1-8 style colours (red high, yellow medium, cyan low).
std::optional<std::string> format_alert_line(const std::string& payload, bool color);

}  // namespace chairwatch::drivers
