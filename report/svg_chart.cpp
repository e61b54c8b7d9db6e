#include "report/svg_chart.hpp"

#include <algorithm>
#include <array>

#include "report/svg_panels.hpp"

namespace chairwatch::report {

namespace {

using svg::PanelSpec;
using svg::Svg;
using svg::TimeAxis;

constexpr double width = 720;
constexpr double left = 96;    // y-axis ticks and alarm-lane names
constexpr double right = 112;  // limit labels
constexpr double phase_band = 14;
constexpr double lane_height = 10;
constexpr double lane_gap = 2.5;

std::string_view phase_fill(alerts::Phase p) {
    constexpr std::array<std::string_view, alerts::phase_count> fills{"#efefef", "#e3ebf5",
                                                                      "#fbe6c8", "#e2f0e0"};
    return fills[static_cast<std::size_t>(p)];
}

// 1, 2, 5, 10, 15, 20, 30, 60 ... minutes: the smallest that gives at most 12 ticks.
Millis tick_step(Millis span) {
    constexpr std::array<int, 10> steps{1, 2, 5, 10, 15, 20, 30, 60, 120, 240};
    for (int m : steps)
        if (span / Millis(m * 60000) <= 12) return Millis(m * 60000);
    return Millis(480 * 60000);
}

void draw_legend(Svg& svg) {
    svg.raw("<g class=\"legend\">");
    double x = left;
    auto item = [&](std::string_view mark, std::string_view label, double w) {
        svg.raw(mark);
        svg.text(x + 10, 10, label, "class=\"legend-text\"");
        x += w;
    };
    auto at = [&](std::string_view id) {
        return "<use href=\"#" + std::string(id) + "\" x=\"" + svg::num(x + 4) + "\" y=\"7\"/>";
    };
    auto stroke = [&](std::string_view ink, double w, std::string_view dash = "") {
        return "<line x1=\"" + svg::num(x - 2) + "\" y1=\"7\" x2=\"" + svg::num(x + 8) +
               "\" y2=\"7\" stroke=\"" + std::string(ink) + "\" stroke-width=\"" + svg::num(w) +
               "\"" + (dash.empty() ? "" : " stroke-dasharray=\"" + std::string(dash) + "\"") +
               "/>";
    };
    item(at("m-sbp"), "SBP (cuff)", 62);
    item(at("m-dbp"), "DBP (cuff)", 62);
    item(stroke("#222222", 1.6) + at("m-map"), "MAP (cuff)", 62);
    item(stroke("#1b6e2a", 1.4), "HR", 30);
    item(stroke("#5b2a86", 1.4), "SpO2: 1-min median, band 10–90%", 160);
    item(stroke("#444444", 1, "5 2.5"), "limit (L/M/H)", 72);
    item(at("m-ack"), "acknowledged", 70);
    svg.raw("</g>");
}

void draw_phases(Svg& svg, const TimeAxis& axis, const SessionSummary& s, double top,
                 double bottom) {
    for (const auto& p : s.phases) {
        const double x0 = axis.x(p.from);
        const double x1 = axis.x(p.to);
        const std::string name(alerts::to_string(p.phase));
        svg.rect(
            x0, top, x1 - x0, bottom - top,
            "class=\"phase phase-" + name + "\" fill=\"" + std::string(phase_fill(p.phase)) + "\"");
        if (p.phase == alerts::Phase::dosing)  // hatched: tells it apart in black and white
            svg.rect(x0, top, x1 - x0, bottom - top, "fill=\"url(#hatch)\"");
        if (p.from > s.start) svg.line(x0, top, x0, bottom, "class=\"phase-edge\"");
        const auto label = std::string(phase_label(p.phase)) + " " + fmt_duration(p.to - p.from);
        if (x1 - x0 > 5.2 * static_cast<double>(label.size()))
            svg.text((x0 + x1) / 2, top + 10, label,
                     "class=\"phase-label\" text-anchor=\"middle\"");
        else if (x1 - x0 > 5.2 * static_cast<double>(phase_label(p.phase).size()))
            svg.text((x0 + x1) / 2, top + 10, phase_label(p.phase),
                     "class=\"phase-label\" text-anchor=\"middle\"");
    }
}

void draw_time_axis(Svg& svg, const TimeAxis& axis, const SessionSummary& s, double top,
                    double bottom, Millis utc_offset) {
    const auto step = tick_step(s.end - s.start);
    for (Millis t{0}; s.start + t <= s.end; t += step) {
        const double x = axis.x(s.start + t);
        svg.line(x, top, x, bottom, "class=\"vgrid\"");
        svg.line(x, bottom, x, bottom + 3, "class=\"axis\"");
        svg.text(x, bottom + 12, std::to_string(t.count() / 60000),
                 "class=\"tick\" "
                 "text-anchor=\"middle\"");
        svg.text(x, bottom + 22, fmt_clock(s.start + t, utc_offset),
                 "class=\"tick clock\" text-anchor=\"middle\"");
    }
    svg.text(axis.x0 - 10, bottom + 12, "min", "class=\"tick\" text-anchor=\"end\"");
    svg.text(axis.x0 - 22, bottom + 22, fmt_zone(utc_offset),
             "class=\"tick clock\" "
             "text-anchor=\"end\"");
}

std::vector<std::string> lane_conditions(const SessionSummary& s) {
    std::vector<std::string> out;
    for (const auto& a : s.alarms)
        if (std::find(out.begin(), out.end(), a.condition) == out.end()) out.push_back(a.condition);
    return out;
}

void draw_alarm(Svg& svg, const TimeAxis& axis, const AlarmEpisode& a, double y) {
    svg.raw("<g class=\"alarm-bar\" data-condition=\"" + html_escape(a.condition) + "\"><title>" +
            html_escape(a.condition + ": " + a.text) + "</title>");
    for (const auto& span : a.spans) {
        const auto& st = svg::style_of(span.priority, a.kind);
        const double x0 = axis.x(span.from);
        const double w = std::max(axis.x(span.to) - x0, 1.5);
        const std::string fill = span.active ? std::string(st.fill) : "#ffffff";
        svg.rect(x0, y, w, lane_height,
                 "class=\"bar bar-" + std::string(st.letter) + "\" fill=\"" + fill +
                     "\" stroke=\"" + std::string(st.ink) + "\" stroke-width=\"0.6\"" +
                     (span.active ? "" : " stroke-dasharray=\"2 1.5\""));
        if (w > 9)
            svg.text(x0 + w / 2, y + 8.3, st.letter,
                     "class=\"bar-letter\" text-anchor=\"middle\" fill=\"" +
                         std::string(span.active ? st.letter_ink : st.ink) + "\"");
    }
    for (const auto& ack : a.acks)
        svg.use("m-ack", axis.x(ack.at), y, "class=\"ack\"");
    svg.raw("</g>");
}

double draw_alarm_lanes(Svg& svg, const TimeAxis& axis, const SessionSummary& s, double top) {
    const auto lanes = lane_conditions(s);
    if (lanes.empty()) {
        svg.text(axis.x0 + 4, top + 9, "no alarms", "class=\"empty\"");
        return top + lane_height + lane_gap;
    }
    double y = top;
    for (const auto& condition : lanes) {
        auto name = condition.size() > 18 ? condition.substr(0, 17) + "…" : condition;
        svg.text(axis.x0 - 4, y + 8.5, name, "class=\"lane-name\" text-anchor=\"end\"");
        svg.line(axis.x0, y + lane_height / 2, axis.x0 + axis.width, y + lane_height / 2,
                 "class=\"lane\"");
        for (const auto& a : s.alarms)
            if (a.condition == condition) draw_alarm(svg, axis, a, y);
        y += lane_height + lane_gap;
    }
    return y;
}

std::vector<PanelSpec> panels(const SessionRecord& rec) {
    std::vector<PanelSpec> out{
        {"Blood pressure, mmHg", {Signal::map, Signal::dbp, Signal::sbp}, 0, 180, 20, 40, 220},
        {"Heart rate, bpm", {Signal::hr}, 0, 80, 20, 40, 140}};
    if (!rec.of(Signal::spo2).empty())
        out.push_back({"SpO2, %", {Signal::spo2}, 0, 38, 5, 85, 100, 100});
    if (!rec.of(Signal::rr).empty())
        out.push_back({"Resp. rate, /min", {Signal::rr}, 0, 50, 5, 5, 30, 150});
    if (!rec.of(Signal::etco2).empty())
        out.push_back({"EtCO2, mmHg", {Signal::etco2}, 0, 50, 10, 20, 60, 150});
    return out;
}

std::string_view style_sheet() {
    return "<style>"
           ".grid{stroke:#d0d0d0;stroke-width:0.5}.vgrid{stroke:#c8c8c8;stroke-width:0.5}"
           ".frame{fill:none;stroke:#777;stroke-width:0.7}.axis{stroke:#555;stroke-width:0.7}"
           ".tick{font-size:8.5px;fill:#333}.clock{fill:#666}"
           ".panel-title{font-size:9px;font-weight:bold;fill:#222}"
           ".limit{stroke-width:0.8;stroke-opacity:0.85;fill:none}.limit-label{font-size:8px}"
           ".phase-edge{stroke:#666;stroke-width:0.7;stroke-dasharray:3 2}"
           ".phase-label{font-size:9px;font-weight:bold;fill:#333}"
           ".lane{stroke:#bbb;stroke-width:0.5}.lane-name{font-size:8.5px;fill:#222}"
           ".bar-letter{font-size:8px;font-weight:bold}.legend-text{font-size:8.5px;fill:#222}"
           ".empty{font-size:9px;fill:#777;font-style:italic}"
           "</style>";
}

}  // namespace

std::string render_chart(const SessionRecord& rec, const SessionSummary& summary,
                         const std::vector<LimitLine>& limits, Millis utc_offset) {
    Svg svg;
    const TimeAxis axis{summary.start, std::max(summary.end, summary.start + Millis(60000)), left,
                        width - left - right};
    auto specs = panels(rec);
    double y = 18 + phase_band + 2;
    for (auto& p : specs) {
        p.top = y;
        y += p.height + 11;
    }
    const double lanes_top = y + 2;
    Svg lanes;
    const double lanes_bottom = draw_alarm_lanes(lanes, axis, summary, lanes_top);
    const double height = lanes_bottom + 28;

    svg.raw("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
            svg::num(width) + " " + svg::num(height) +
            "\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\" "
            "aria-label=\"Vital signs, limits, phases and alarms over the session\">");
    svg.raw(style_sheet());
    svg.raw("<defs>");
    svg.raw(svg::marker_defs());
    svg.raw("</defs>");
    draw_legend(svg);
    draw_phases(svg, axis, summary, 18, lanes_bottom);
    draw_time_axis(svg, axis, summary, 18 + phase_band, lanes_bottom, utc_offset);
    for (const auto& p : specs)
        draw_panel(svg, p, svg::scale_for(p, rec, summary, limits), axis, rec, summary, limits,
                   utc_offset);
    svg.text(axis.x0 - 4, lanes_top - 2, "Alarms", "class=\"panel-title\" text-anchor=\"end\"");
    svg.raw(lanes.out());
    svg.raw("</svg>");
    return std::move(svg.out());
}

}  // namespace chairwatch::report
