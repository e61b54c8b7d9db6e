#include "report/svg_panels.hpp"

#include <algorithm>
#include <cmath>

namespace chairwatch::report::svg {

namespace {

constexpr double label_gap = 9;  // the least vertical distance between two limit labels

struct SeriesStyle {
    std::string_view ink;
    std::string_view marker;  // a <defs> id, or empty for a line only
    double width;
};

SeriesStyle series_style(Signal s) {
    switch (s) {
        case Signal::sbp:
            return {"#a31515", "m-sbp", 0.8};
        case Signal::dbp:
            return {"#1f4e9c", "m-dbp", 0.8};
        case Signal::map:
            return {"#222222", "m-map", 1.6};
        case Signal::hr:
            return {"#1b6e2a", "", 1.4};
        case Signal::spo2:
            return {"#5b2a86", "", 1.4};
        case Signal::rr:
            return {"#0b6b6b", "", 1.4};
        case Signal::etco2:
            return {"#8a5a00", "", 1.4};
    }
    return {"#000000", "", 1};
}

bool shows(const PanelSpec& spec, Signal s) {
    return std::find(spec.signals.begin(), spec.signals.end(), s) != spec.signals.end();
}

void draw_grid(Svg& svg, const PanelSpec& spec, const ValueScale& scale, const TimeAxis& axis) {
    const double first = std::ceil(scale.lo / spec.grid_step) * spec.grid_step;
    for (double v = first; v <= scale.hi + 1e-9; v += spec.grid_step) {
        const double y = scale.y(v);
        svg.line(axis.x0, y, axis.x0 + axis.width, y, "class=\"grid\"");
        svg.text(axis.x0 - 4, y + 3, num(v), "class=\"tick\" text-anchor=\"end\"");
    }
    svg.rect(axis.x0, spec.top, axis.width, spec.height, "class=\"frame\"");
    const double x = axis.x0 - 30;
    const double y = spec.top + spec.height / 2;
    svg.text(x, y, spec.title,
             "class=\"panel-title\" text-anchor=\"middle\" transform=\"rotate(-90 " + num(x) + " " +
                 num(y) + ")\"");
}

void draw_limits(Svg& svg, const PanelSpec& spec, const ValueScale& scale, const TimeAxis& axis,
                 const std::vector<LimitLine>& limits) {
    struct Label {
        double y;
        std::string text;
        const PriorityStyle* style;
    };
    std::vector<Label> labels;
    for (const auto& l : limits) {
        if (!shows(spec, l.signal) || l.value < scale.lo || l.value > scale.hi) continue;
        const auto& st = style_of(l.priority);
        const double y = scale.y(l.value);
        svg.line(axis.x(l.from), y, axis.x(l.to), y,
                 "class=\"limit\" stroke=\"" + std::string(st.ink) + "\" stroke-dasharray=\"" +
                     std::string(st.dash) + "\"");
        labels.push_back({y, l.label + " " + std::string(st.letter), &st});
    }
    std::stable_sort(labels.begin(), labels.end(),
                     [](const Label& a, const Label& b) { return a.y < b.y; });
    for (std::size_t i = 1; i < labels.size(); ++i)
        labels[i].y = std::max(labels[i].y, labels[i - 1].y + label_gap);
    double bottom = spec.top + spec.height;
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) {
        it->y = std::min(it->y, bottom);
        bottom = it->y - label_gap;
    }
    for (const auto& l : labels)
        svg.text(axis.x0 + axis.width + 4, l.y + 3, l.text,
                 "class=\"limit-label\" fill=\"" + std::string(l.style->ink) + "\"");
}

void draw_cuff(Svg& svg, Signal s, const ValueScale& scale, const TimeAxis& axis,
               const SessionRecord& rec, const SessionSummary& summary, Millis utc_offset) {
    const auto st = series_style(s);
    std::vector<Point> pts;
    for (const auto& r : rec.of(s))
        pts.push_back({axis.x(r.t), scale.y(r.value)});
    svg.polyline(pts, "class=\"series-" + std::string(alerts::to_string(s)) + "\" stroke=\"" +
                          std::string(st.ink) + "\" stroke-width=\"" + num(st.width) + "\"");
    std::size_t i = 0;
    for (const auto& r : rec.of(s)) {
        const auto& [x, y] = pts[i++];
        svg.raw("<use href=\"#" + std::string(st.marker) + "\" class=\"pt-" +
                std::string(alerts::to_string(s)) + "\" x=\"" + num(x) + "\" y=\"" + num(y) +
                "\"><title>" + std::string(short_name(s)) + " " + fmt_number(r.value) + " " +
                std::string(alerts::unit_of(s)) + ", " + fmt_clock(r.t, utc_offset) + " (min " +
                fmt_number(summary.minute_of(r.t), 0) + ")</title></use>");
    }
}

// The 1-minute medians as a line over a band of their range; a gap in the feed breaks both.
void draw_trend(Svg& svg, Signal s, const ValueScale& scale, const TimeAxis& axis,
                const SessionSummary& summary) {
    const auto st = series_style(s);
    const auto& trend = summary.trend(s);
    const std::string name(alerts::to_string(s));
    std::size_t begin = 0;
    while (begin < trend.size()) {
        std::size_t end = begin + 1;
        while (end < trend.size() && trend[end].t - trend[end - 1].t <= Millis(120000))
            ++end;
        std::vector<Point> line, band;
        for (std::size_t i = begin; i < end; ++i) {
            line.push_back({axis.x(trend[i].t), scale.y(trend[i].median)});
            band.push_back({axis.x(trend[i].t), scale.y(trend[i].hi)});
        }
        for (std::size_t i = end; i-- > begin;)
            band.push_back({axis.x(trend[i].t), scale.y(trend[i].lo)});
        svg.polygon(band, "class=\"band-" + name + "\" fill=\"" + std::string(st.ink) +
                              "\" fill-opacity=\"0.18\" stroke=\"none\"");
        if (line.size() == 1) svg.use("m-dot", line[0].first, line[0].second);
        svg.polyline(line, "class=\"series-" + name + "\" stroke=\"" + std::string(st.ink) +
                               "\" stroke-width=\"" + num(st.width) + "\"");
        begin = end;
    }
}

}  // namespace

const PriorityStyle& style_of(Priority p, alerts::AlarmKind kind) {
    static const PriorityStyle low{"#2ec4d6", "#00727f", "1.5 2.5", "L", "#000000"};
    static const PriorityStyle medium{"#ffd21f", "#9a7400", "5 2.5", "M", "#000000"};
    static const PriorityStyle high{"#d62728", "#b00000", "9 2.5", "H", "#ffffff"};
    static const PriorityStyle advisory{"#b4b4b4", "#555555", "1 3", "A", "#000000"};
    if (kind == alerts::AlarmKind::advisory) return advisory;
    return p == Priority::high ? high : p == Priority::medium ? medium : low;
}

std::string_view marker_defs() {
    return "<path id=\"m-sbp\" d=\"M-3.6,-3.2H3.6L0,3.4Z\" fill=\"#a31515\"/>"
           "<path id=\"m-dbp\" d=\"M-3.6,3.2H3.6L0,-3.4Z\" fill=\"#1f4e9c\"/>"
           "<circle id=\"m-map\" r=\"2.1\" fill=\"#ffffff\" stroke=\"#222222\" "
           "stroke-width=\"1.2\"/>"
           "<circle id=\"m-dot\" r=\"1.6\" fill=\"#333333\"/>"
           "<pattern id=\"hatch\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" "
           "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" "
           "stroke=\"#e2c49a\" stroke-width=\"0.8\"/></pattern>"
           "<path id=\"m-ack\" d=\"M0,-3.5L3,0L0,3.5L-3,0Z\" fill=\"#000000\" stroke=\"#ffffff\" "
           "stroke-width=\"0.6\"/>";
}

ValueScale scale_for(const PanelSpec& spec, const SessionRecord& rec, const SessionSummary& summary,
                     const std::vector<LimitLine>& limits) {
    double lo = spec.lo;
    double hi = spec.hi;
    auto widen = [&](double v) {
        lo = std::min(lo, v - spec.grid_step / 2);
        hi = std::max(hi, v + spec.grid_step / 2);
    };
    for (auto s : spec.signals) {
        if (!is_streamed(s))
            for (const auto& r : rec.of(s))
                widen(r.value);
        for (const auto& p : summary.trend(s)) {  // a one-sample artifact does not stretch it
            widen(p.lo);
            widen(p.hi);
        }
    }
    for (const auto& l : limits)
        if (shows(spec, l.signal)) {
            lo = std::min(lo, l.value - spec.grid_step / 2);
            hi = std::max(hi, l.value + spec.grid_step / 2);
        }
    lo = std::floor(lo / spec.grid_step) * spec.grid_step;
    hi = std::min(std::ceil(hi / spec.grid_step) * spec.grid_step, spec.ceiling);
    return {std::max(lo, 0.0), hi, spec.top, spec.height};
}

void draw_panel(Svg& svg, const PanelSpec& spec, const ValueScale& scale, const TimeAxis& axis,
                const SessionRecord& rec, const SessionSummary& summary,
                const std::vector<LimitLine>& limits, Millis utc_offset) {
    draw_grid(svg, spec, scale, axis);
    draw_limits(svg, spec, scale, axis, limits);
    bool any = false;
    for (auto s : spec.signals) {
        if (rec.of(s).empty()) continue;
        any = true;
        if (is_streamed(s))
            draw_trend(svg, s, scale, axis, summary);
        else
            draw_cuff(svg, s, scale, axis, rec, summary, utc_offset);
    }
    if (!any)
        svg.text(axis.x0 + axis.width / 2, spec.top + spec.height / 2 + 4, "no readings",
                 "class=\"empty\" text-anchor=\"middle\"");
}

}  // namespace chairwatch::report::svg
