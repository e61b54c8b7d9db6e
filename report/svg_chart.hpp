// The session's time chart as one inline <svg>: blood pressure (cuff readings as markers, MAP as
// a line), heart rate and SpO2 (1-minute medians with their range), the profile's limits as
// dashed lines, the phases shaded and labelled, and one lane of alarm bars per condition, all
// on one axis of minutes from the session's start. Readable in black and white: each series
// has its own marker shape and each priority its own dash pattern and letter.
#pragma once

#include <string>
#include <vector>

#include "report/limit_lines.hpp"
#include "report/session_summary.hpp"

namespace chairwatch::report {

std::string render_chart(const SessionRecord& rec, const SessionSummary& summary,
                         const std::vector<LimitLine>& limits, Millis utc_offset);

}  // namespace chairwatch::report
