// Instants kept for every chair (stream samples, tier timers) as 32-bit milliseconds after a
// base instant: half the size of Millis. The base moves when an instant would not fit, ~12 days
// away from it; an instant then more than ~24 days back is kept as ~24 days back, longer ago
// than any window, hold, delay or clear hold a profile can set (at most 1 h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace chairwatch::alerts::short_time {

inline constexpr std::int64_t max_offset = std::int64_t{1} << 30;

// Whether an instant `offset` ms after the base can be kept without moving the base.
constexpr bool fits(std::int64_t offset) {
    return offset <= max_offset && offset >= -max_offset;
}

// An instant `t` after the old base, as milliseconds after a base `moved_by` ms later, kept no
// lower than `lowest` (which leaves room below it for a "none" value).
constexpr std::int32_t rebased(std::int32_t t, std::int64_t moved_by, std::int32_t lowest) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        std::int64_t{t} - moved_by, lowest, std::numeric_limits<std::int32_t>::max()));
}

}  // namespace chairwatch::alerts::short_time
