// render_csv: every reading of the session, in time order, with the phase it fell in.
#include <algorithm>

#include "alerts/time_format.hpp"
#include "report/report.hpp"
#include "report/report_format.hpp"
#include "report/session_summary.hpp"

namespace chairwatch::report {

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
    std::string out = "ts,signal,value,unit,phase\n";
    out.reserve(rows.size() * 48 + out.size());
    for (const auto& row : rows) {
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
