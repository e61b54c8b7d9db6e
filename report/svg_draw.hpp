// Internal to the report: a few SVG primitives written straight into a string, and the scales
// that place times and values on the chart.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/report_format.hpp"

namespace chairwatch::report::svg {

using Point = std::pair<double, double>;

inline std::string num(double v) {
    return fmt_number(v, 1);
}

class Svg {
  public:
    std::string& out() { return out_; }

    void raw(std::string_view s) { out_ += s; }
    void line(double x1, double y1, double x2, double y2, std::string_view attrs) {
        out_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
                num(y2) + "\" " + std::string(attrs) + "/>";
    }
    void rect(double x, double y, double w, double h, std::string_view attrs) {
        out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) +
                "\" height=\"" + num(h) + "\" " + std::string(attrs) + "/>";
    }
    void text(double x, double y, std::string_view s, std::string_view attrs) {
        out_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + std::string(attrs) + ">" +
                html_escape(s) + "</text>";
    }
    void polyline(const std::vector<Point>& pts, std::string_view attrs) {
        if (pts.empty()) return;
        out_ += "<polyline points=\"";
        points(pts);
        out_ += "\" fill=\"none\" " + std::string(attrs) + "/>";
    }
    void polygon(const std::vector<Point>& pts, std::string_view attrs) {
        if (pts.size() < 3) return;
        out_ += "<polygon points=\"";
        points(pts);
        out_ += "\" " + std::string(attrs) + "/>";
    }
    // A marker drawn from <defs> (see the chart's defs), centred on (x, y).
    void use(std::string_view id, double x, double y, std::string_view attrs = {}) {
        out_ += "<use href=\"#" + std::string(id) + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\"" +
                (attrs.empty() ? "" : " ") + std::string(attrs) + "/>";
    }

  private:
    // "x,y x,y ...", appended piece by piece (GCC 12 at -O3 warns falsely of -Wrestrict on a
    // chain of std::string operator+ starting from a literal, GCC PR 105651).
    void points(const std::vector<Point>& pts) {
        for (std::size_t i = 0; i < pts.size(); ++i) {
            if (i) out_ += ' ';
            out_ += num(pts[i].first);
            out_ += ',';
            out_ += num(pts[i].second);
        }
    }

    std::string out_;
};

struct TimeAxis {
    Millis start{0};
    Millis end{1};
    double x0{0};
    double width{1};

    double x(Millis t) const {
        const auto span = static_cast<double>(std::max<std::int64_t>((end - start).count(), 1));
        const double f = static_cast<double>((t - start).count()) / span;
        return x0 + width * std::clamp(f, 0.0, 1.0);
    }
};

struct ValueScale {
    double lo{0};
    double hi{1};
    double y0{0};  // top
    double height{1};

    double y(double v) const { return y0 + height * (hi - std::clamp(v, lo, hi)) / (hi - lo); }
};

}  // namespace chairwatch::report::svg
