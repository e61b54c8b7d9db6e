// render_html: the one-page record. Inline CSS and SVG only; print CSS for A4.
#include <cmath>

#include "drivers/codec/alert_codec.hpp"
#include "report/html_parts.hpp"
#include "report/limit_lines.hpp"
#include "report/rems.hpp"
#include "report/report_format.hpp"
#include "report/svg_chart.hpp"

namespace chairwatch::report {

namespace {

std::string_view style_sheet() {
    return R"(<style>
@page { size: A4; margin: 10mm 12mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 8.3pt/1.25 Helvetica, Arial, sans-serif; color: #111; margin: 0 auto; max-width: 186mm; padding: 4mm 0; }
@media print { body { max-width: none; padding: 0; zoom: 0.95; } }
h1 { font-size: 13pt; margin: 0; }
h2 { font-size: 9.3pt; margin: 2mm 0 0.8mm; padding-bottom: 0.3mm; border-bottom: 0.7pt solid #333; }
.title { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1.4pt solid #111; padding-bottom: 1mm; }
.title .what { font-size: 8pt; color: #444; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.5mm 1.2mm; }
thead { display: table-header-group; }
tr, figure, section.discharge, .notes, footer { break-inside: avoid; page-break-inside: avoid; }
.header td { padding: 0.2mm 1.2mm 0.2mm 0; width: 25%; line-height: 1.15; }
.header .k { display: block; font-size: 6.3pt; color: #555; text-transform: uppercase; letter-spacing: 0.03em; }
.header .v { font-weight: bold; }
.phases { margin-top: 0.5mm; }
.alarm-table col.c-n { width: 3%; } .alarm-table col.c-cond { width: 27%; }
.alarm-table col.c-prio { width: 9%; } .alarm-table col.c-on { width: 7%; }
.alarm-table col.c-peak { width: 10%; } .alarm-table col.c-dur { width: 7.5%; }
.alarm-table col.c-ack { width: 20%; } .alarm-table col.c-esc { width: 4.5%; }
figure { margin: 1.5mm 0 0; }
svg.chart { width: 100%; height: auto; display: block; }
.alarm-table, .vitals-table { font-size: 7.6pt; }
.alarm-table th, .vitals-table th { border-bottom: 0.8pt solid #333; font-size: 7pt; }
.alarm-table td, .vitals-table td { border-bottom: 0.4pt solid #bbb; }
.num { text-align: right; white-space: nowrap; }
.sub, .min { color: #555; font-size: 0.92em; }
.action { font-style: italic; }
.h2-sub { font-weight: normal; font-size: 7pt; color: #444; margin-left: 1.5mm; }
.prio { display: inline-block; font-weight: bold; font-size: 7pt; padding: 0 1.2mm; border: 0.6pt solid #000; border-radius: 1mm; }
.prio-high { background: #d62728; color: #fff; }
.prio-medium { background: #ffd21f; }
.prio-low { background: #2ec4d6; }
.prio-advisory { background: #e0e0e0; }
.cols { display: grid; grid-template-columns: 1.45fr 1fr; gap: 4mm; }
.discharge p { margin: 0.6mm 0; }
.discharge.met p:first-of-type { border-left: 2.2mm solid #2e7d32; padding-left: 1.5mm; }
.discharge.not-met p:first-of-type { border-left: 2.2mm solid #b00000; padding-left: 1.5mm; }
.notes { font-size: 7.2pt; color: #333; margin: 1.5mm 0 0; padding-left: 4mm; }
.notes li { margin: 0.3mm 0; }
.sign { display: flex; gap: 4mm; margin-top: 7mm; font-size: 7pt; }
.sign span { flex: 1; border-top: 0.6pt solid #333; padding-top: 0.5mm; color: #444; }
.rems { break-before: page; page-break-before: always; padding-top: 2mm; }
.rems h1 { font-size: 12pt; }
.rems table.rems-kv th { width: 30%; font-weight: normal; color: #444; }
.rems table th, .rems table td { border-bottom: 0.4pt solid #bbb; padding: 1.2mm 1.2mm; }
.rems .rems-bp { font-size: 8.3pt; }
.blank { display: inline-block; border-bottom: 0.6pt solid #333; height: 3.5mm; vertical-align: bottom; }
.box { display: inline-block; width: 2.8mm; height: 2.8mm; border: 0.6pt solid #333; vertical-align: middle; }
footer { margin-top: 2mm; padding-top: 1mm; border-top: 0.6pt solid #999; font-size: 7pt; color: #444; }
</style>
)";
}

std::string cell(std::string_view key, const std::string& value_html) {
    return "<td><span class=\"k\">" + std::string(key) + "</span><span class=\"v\">" +
           (value_html.empty() ? "–" : value_html) + "</span></td>";
}

std::string dose_text(const SessionRecord& rec) {
    if (!rec.dose_mg_per_kg) return {};
    std::string s = fmt_number(*rec.dose_mg_per_kg, 3) + " mg/kg";
    if (rec.weight_kg) s += " = " + fmt_number(*rec.dose_mg_per_kg * *rec.weight_kg) + " mg";
    return s;
}

std::string end_text(const SessionRecord& rec, const SessionSummary& s, Millis tz) {
    if (!rec.end) return "no end in log (last " + fmt_clock(s.end, tz) + ")";
    return fmt_date_time(s.end, tz) + " " + fmt_zone(tz);
}

void header(std::string& out, const SessionRecord& rec, const SessionSummary& s, Millis tz) {
    auto e = [](std::string_view v) { return html_escape(v); };
    out += "<table class=\"header\"><tr>";
    out += cell("Chair", e(drivers::chair_label(rec.chair)));
    out += cell("Patient ref.", e(rec.patient_ref));
    out += cell("Profile", e(rec.profile));
    out += cell("Route", e(rec.route));
    out += "</tr><tr>";
    out += cell("Weight", rec.weight_kg ? fmt_number(*rec.weight_kg) + " kg" : "");
    out += cell("Dose", dose_text(rec));
    out += cell("Planned duration",
                rec.planned_duration_min ? fmt_number(*rec.planned_duration_min) + " min" : "");
    out += cell("Session", e(rec.session_id));
    out += "</tr><tr>";
    out += cell("Start", fmt_date_time(s.start, tz) + " " + fmt_zone(tz));
    out += cell("End", end_text(rec, s, tz));
    out += cell("Duration", fmt_duration(s.end - s.start));
    out += cell("Ended", e(rec.end ? end_reason_label(rec.end_reason) : "not recorded"));
    out += "</tr></table>\n<div class=\"phases\"><span class=\"sub\">Phases:</span> ";
    for (std::size_t i = 0; i < s.phases.size(); ++i) {
        const auto& p = s.phases[i];
        out += std::string(i ? " · " : "") + "<b>" + std::string(phase_label(p.phase)) + "</b> " +
               fmt_duration(p.to - p.from) + " <span class=\"sub\">(" + fmt_clock(p.from, tz) +
               "–" + fmt_clock(p.to, tz) + ")</span>";
    }
    out += "</div>\n";
}

// What a reader must know to trust the page: missing limits, a clock that was not real time,
// lines of the log that could not be read.
void notes(std::string& out, const SessionRecord& rec, const ReportOptions& o) {
    std::string items;
    if (!o.profile) items += "<li><b>No limits drawn:</b> " + html_escape(o.limits_note) + "</li>";
    if (std::fabs(rec.clock_speed - 1.0) > 0.05)
        items += "<li>The monitor's clock ran " + fmt_number(rec.clock_speed, 0) +
                 "× the receiving daemon's (a simulation or a replay at speed): phase, alarm and "
                 "acknowledgement times were mapped onto the monitor's clock, so response times "
                 "are in monitor time.</li>";
    if (!rec.errors.empty())
        items += "<li><b>" + std::to_string(rec.errors.size()) +
                 " line(s) of the session log could not be read</b> and are left out (first: " +
                 html_escape(rec.errors.front()) + ").</li>";
    if (!items.empty()) out += "<ul class=\"notes\">" + items + "</ul>\n";
}

std::string base_name(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

void footer(std::string& out, const SessionRecord& rec, const ReportOptions& o) {
    out +=
        "<footer>Record of a <b>secondary alarm system</b>: chairwatch watches the monitor's "
        "readings and alerts staff; the bedside monitor remains the primary alarm. Times are "
        "the monitor's clock (" +
        fmt_zone(o.utc_offset) + "), minutes count from the start of the session. ";
    if (o.profile)
        out += "Limits: profile " + html_escape(o.profile->name) + " in " +
               html_escape(o.limits_source) + " when this report was made. ";
    out += "Generated from " + html_escape(base_name(rec.file)) + " by chairwatch " +
           html_escape(o.version) + " on " + fmt_date_time(o.generated_at, o.utc_offset) + " " +
           fmt_zone(o.utc_offset) + ".</footer>\n";
}

}  // namespace

std::string render_html(const SessionRecord& rec, const ReportOptions& o) {
    const auto s = summarize(rec);
    const auto limits = o.profile ? limit_lines(*o.profile, rec, s) : std::vector<LimitLine>{};
    const auto chair = html_escape(drivers::chair_label(rec.chair));
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
    out += "<title>Session record " + html_escape(rec.session_id) + "</title>\n";
    out += style_sheet();
    out += "</head><body>\n<div class=\"title\"><h1>Infusion session record — " + chair +
           "</h1><span class=\"what\">chairwatch post-session report</span></div>\n";
    header(out, rec, s, o.utc_offset);
    out += "<figure>" + render_chart(rec, s, limits, o.utc_offset) + "</figure>\n";
    html::alarm_table(out, s, o.utc_offset);
    html::receipts_table(out, rec, s, o.utc_offset);
    html::service_alarms_table(out, rec, s, o.utc_offset);
    html::feed_pauses_table(out, rec, o.utc_offset);
    html::limit_changes_table(out, rec, o.utc_offset);
    out += "<div class=\"cols\">";
    html::vitals_table(out, s, o.utc_offset);
    html::discharge_box(out, rec, s, o);
    out += "</div>\n";
    html::observations_table(out, rec, o.utc_offset);
    notes(out, rec, o);
    footer(out, rec, o);
    if (is_intranasal(rec, o.profile ? std::string_view(o.profile->route) : std::string_view{}))
        html::rems_page(out, rec, s, o);
    out += "</body></html>\n";
    return out;
}

}  // namespace chairwatch::report
