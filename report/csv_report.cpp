// render_csv: every reading of the session, in time order, with the phase it fell in; each row
// names its chair and session, so that concatenated sessions keep them apart.
#include <algorithm>

#include "alerts/time_format.hpp"
#include "report/report.hpp"
#include "report/report_format.hpp"
#include "report/session_summary.hpp"

namespace chairwatch::report {

namespace {

// RFC 4180: quoted when it holds a comma, a quote or a line end.
std::string csv_field(const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

std::string render_csv(const SessionRecord& rec) {
    const auto summary = summarize(rec);
    struct Row {
        const TimedValue* r;
        Signal s;
    };
    std::vector<Row> rows;
    rows.reserve(rec.reading_count());
    for (auto s : alerts::all_signals)
        for (const auto& r : rec.of(s))
            rows.push_back({&r, s});
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.r->t != b.r->t ? a.r->t < b.r->t : a.r->line < b.r->line;
    });
    std::string out = "chair,session_id,ts,signal,value,unit,phase\n";
    const std::string ids = csv_field(rec.chair) + ',' + csv_field(rec.session_id) + ',';
    out.reserve(rows.size() * (48 + ids.size()) + out.size());
    for (const auto& row : rows) {
        out += ids;
        out += alerts::format_iso8601(row.r->t);
        out += ',';
        out += alerts::to_string(row.s);
        out += ',';
        out += fmt_exact(row.r->value);
        out += ',';
        out += alerts::unit_of(row.s);
        out += ',';
        out += alerts::to_string(summary.phase_at(row.r->t));
        out += '\n';
    }
    return out;
}

}  // namespace chairwatch::report
