// Internal to the report: one panel of the chart (a value axis with its series and limits) and
// the colours and dash patterns of alarm priorities, shared by the panels and the alarm lanes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "report/limit_lines.hpp"
#include "report/svg_draw.hpp"

namespace chairwatch::report::svg {

struct PanelSpec {
    std::string title;  // "Blood pressure (mmHg)"
    std::vector<Signal> signals;
    double top{0};
    double height{100};
    double grid_step{20};
    double lo{40};  // the range shown at least; data and limits widen it
    double hi{220};
    double ceiling{1e9};  // never above this (SpO2: 100)
};

struct PriorityStyle {
    std::string_view fill;  // bars
    std::string_view ink;   // lines and labels on white
    std::string_view dash;  // limit lines
    std::string_view letter;
    std::string_view letter_ink;
};
const PriorityStyle& style_of(Priority p,
                              alerts::AlarmKind kind = alerts::AlarmKind::physiological);

// Marker shapes referenced by the panels, for the chart's <defs>.
std::string_view marker_defs();

ValueScale scale_for(const PanelSpec& spec, const SessionRecord& rec, const SessionSummary& summary,
                     const std::vector<LimitLine>& limits);
void draw_panel(Svg& svg, const PanelSpec& spec, const ValueScale& scale, const TimeAxis& axis,
                const SessionRecord& rec, const SessionSummary& summary,
                const std::vector<LimitLine>& limits, Millis utc_offset);

}  // namespace chairwatch::report::svg
