// The profile's physiological limits as horizontal lines on the chart: one per distinct value of
// a signal, drawn over the phases in which its rule applies. Relative tiers (rise over the
// baseline) are drawn at baseline + rise from when the baseline was formed, if it was; a limit a
// nurse changed (SessionRecord::limit_changes) at its new value from the change on.
#pragma once

#include <string>
#include <vector>

#include "alerts/profile.hpp"
#include "report/session_summary.hpp"

namespace chairwatch::report {

struct LimitLine {
    Signal signal{Signal::sbp};
    double value{0};
    Priority priority{Priority::low};  // the lowest priority alarming at this value
    bool high{true};
    bool relative{false};
    std::string condition;
    std::string label;  // "SBP ≥160", "SBP ≥182.5 (baseline +40)"
    Millis from{0};
    Millis to{0};
};

std::vector<LimitLine> limit_lines(const alerts::Profile& profile, const SessionRecord& rec,
                                   const SessionSummary& summary);

}  // namespace chairwatch::report
