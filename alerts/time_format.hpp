// Wall-time formatting for records. Pure: the time is always an argument.
#pragma once

#include <string>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

// "2026-11-24T18:41:00.500Z" (milliseconds always shown).
std::string format_iso8601(Millis wall);
// "20261124T184100Z", for session ids and file names.
std::string format_compact(Millis wall);

}  // namespace chairwatch::alerts
