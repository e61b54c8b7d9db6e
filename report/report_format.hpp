// Small formatting helpers shared by the renderings: numbers as a person reads them, times in
// the clinic's zone, durations, HTML escaping and the words for signals, phases and causes.
#pragma once

#include <string>
#include <string_view>

#include "alerts/types.hpp"

namespace chairwatch::report {

using alerts::Millis;

// 192, 116.4, 0.5 (at most `decimals` places, no trailing zeros).
std::string fmt_number(double v, int decimals = 1);
// Shortest text that reads back as the same double (for CSV round trips).
std::string fmt_exact(double v);
// "19:55" / "19:55:04" / "2026-11-24 19:55", wall time shifted by `utc_offset`.
std::string fmt_clock(Millis wall, Millis utc_offset);
std::string fmt_clock_s(Millis wall, Millis utc_offset);
std::string fmt_date_time(Millis wall, Millis utc_offset);
// "UTC", "UTC+01:00".
std::string fmt_zone(Millis utc_offset);
// "45 s", "7 min 30 s", "1 h 05 min".
std::string fmt_duration(Millis d);
std::string html_escape(std::string_view s);

std::string_view short_name(alerts::Signal s);                             // "SBP", "HR", "SpO2"
std::string_view phase_label(alerts::Phase p);                             // "Baseline"
std::string_view priority_label(alerts::Priority p, alerts::AlarmKind k);  // "High", "Advisory"
std::string cause_label(std::string_view cause);                           // "back in range"
std::string end_reason_label(std::string_view reason);  // "idle: no readings for a while"

}  // namespace chairwatch::report
