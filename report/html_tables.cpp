#include <cctype>

#include "report/html_parts.hpp"
#include "report/report_format.hpp"

namespace chairwatch::report::html {

namespace {

std::string esc(std::string_view s) {
    return html_escape(s);
}

// "7&nbsp;min&nbsp;31&nbsp;s": a duration never breaks across lines.
std::string duration(Millis d) {
    std::string out;
    for (char c : fmt_duration(d))
        out += c == ' ' ? std::string("&nbsp;") : std::string(1, c);
    return out;
}

std::string when(const SessionSummary& s, Millis t, Millis utc_offset, std::string_view sep = " ") {
    return fmt_clock(t, utc_offset) + std::string(sep) + "<span class=\"min\">min&nbsp;" +
           fmt_number(s.minute_of(t), 0) + "</span>";
}

// "systolic BP 169 mmHg, above 160" from "Chair 1: systolic BP 169 mmHg, above 160 (low priority)".
std::string what_of(const AlarmEpisode& a) {
    std::string t = a.text;
    if (const auto colon = t.find(": "); t.rfind("Chair ", 0) == 0 && colon != std::string::npos)
        t.erase(0, colon + 2);
    if (t.rfind(a.condition + ": ", 0) == 0) t.erase(0, a.condition.size() + 2);
    if (!t.empty() && t.back() == ')')
        if (const auto open = t.rfind(" ("); open != std::string::npos) t.erase(open);
    return t;
}

std::string badge(Priority p, alerts::AlarmKind kind) {
    const std::string label(priority_label(p, kind));
    std::string cls = kind == alerts::AlarmKind::advisory ? "advisory" : label;
    for (auto& c : cls)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "<span class=\"prio prio-" + cls + "\">" + label + "</span>";
}

std::string peak_cell(const AlarmEpisode& a) {
    if (a.kind == alerts::AlarmKind::advisory && a.peak == 0 && a.limit == 0) return "–";
    return fmt_number(a.peak) + " " + esc(a.unit) + "<br><span class=\"sub\">limit " +
           fmt_number(a.limit) + "</span>";
}

std::string ack_cell(const AlarmEpisode& a) {
    if (a.acks.empty())
        return a.kind == alerts::AlarmKind::advisory ? "–" : "<b>not acknowledged</b>";
    std::string out;
    for (std::size_t i = 0; i < a.acks.size() && i < 3; ++i) {
        const auto& ack = a.acks[i];
        out += (i ? "<br>" : "") + esc(ack.by) + ", " + duration(ack.at - a.onset);
        if (a.acks.size() > 1)
            out += " <span class=\"sub\">(" + std::string(priority_label(ack.priority, a.kind)) +
                   ")</span>";
        if (!ack.action_taken.empty() || !ack.action_note.empty())
            out += "<br><span class=\"action\">" + esc(ack.action_text()) + "</span>";
    }
    if (a.acks.size() > 3) out += "<br>+" + std::to_string(a.acks.size() - 3) + " more";
    return out;
}

std::string end_cell(const AlarmEpisode& a, const SessionSummary& s, Millis utc_offset) {
    if (a.open) return "<b>active when the log ends</b>";
    std::string out = esc(cause_label(a.cause)) + "<br><span class=\"sub\">";
    if (a.latched_from) out += fmt_clock(*a.latched_from, utc_offset) + "–";
    return out + when(s, a.end, utc_offset) + "</span>";
}

void alarm_row(std::string& out, const AlarmEpisode& a, std::size_t n, const SessionSummary& s,
               Millis utc_offset) {
    out += "<tr class=\"alarm-row\" data-condition=\"" + esc(a.condition) + "\">";
    out += "<td>" + std::to_string(n) + "</td>";
    out += "<td><b>" + esc(a.condition) + "</b>";
    if (a.kind != alerts::AlarmKind::physiological)
        out += " <span class=\"sub\">" + std::string(alerts::to_string(a.kind)) + "</span>";
    out += "<br><span class=\"sub\">" + esc(what_of(a)) + "</span></td>";
    out += "<td>" + badge(a.max_priority, a.kind) + "</td>";
    out += "<td>" + when(s, a.onset, utc_offset, "<br>") + "</td>";
    out += "<td class=\"num\">" + peak_cell(a) + "</td>";
    out += "<td>" + std::string(a.open ? "≥ " : "") + duration(a.duration()) + "</td>";
    out += "<td>" + ack_cell(a) + "</td>";
    out += "<td class=\"num\">" + std::to_string(a.escalations) + "</td>";
    out += "<td>" + end_cell(a, s, utc_offset) + "</td></tr>\n";
}

std::string value_or_dash(std::optional<double> v) {
    return v ? fmt_number(*v) : "–";
}

}  // namespace

void alarm_table(std::string& out, const SessionSummary& s, Millis utc_offset) {
    out += "<section class=\"alarms\"><h2>Alarms and advisories (" +
           std::to_string(s.alarms.size()) + ")</h2>\n";
    if (s.alarms.empty()) {
        out += "<p class=\"none\">No alarms were raised during this session.</p></section>\n";
        return;
    }
    out +=
        "<table class=\"alarm-table\"><colgroup><col class=\"c-n\"><col class=\"c-cond\">"
        "<col class=\"c-prio\"><col class=\"c-on\"><col class=\"c-peak\"><col class=\"c-dur\">"
        "<col class=\"c-ack\"><col class=\"c-esc\"><col class=\"c-end\"></colgroup>"
        "<thead><tr><th>#</th><th>Condition</th>"
        "<th>Max priority</th><th>Onset</th><th>Peak</th><th>Duration</th>"
        "<th>Acknowledged by, after</th><th>Escal.</th><th>Ended</th></tr></thead><tbody>\n";
    std::size_t n = 0;
    for (const auto& a : s.alarms)
        alarm_row(out, a, ++n, s, utc_offset);
    out += "</tbody></table></section>\n";
}

void receipts_table(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                    Millis utc_offset) {
    if (rec.receipts.empty()) return;
    out += "<section class=\"receipts\"><h2>Notification receipts (" +
           std::to_string(rec.receipts.size()) +
           ")</h2>\n<table class=\"receipt-table\"><thead><tr><th>Received</th><th>Alert</th>"
           "<th>Status</th><th>By</th><th>Device</th></tr></thead><tbody>\n";
    for (const auto& r : rec.receipts)
        out += "<tr><td>" + when(s, r.t, utc_offset) + "</td><td>" + esc(r.alert_id) + "</td><td>" +
               esc(r.status) + "</td><td>" + esc(r.person) + "</td><td>" + esc(r.device) +
               "</td></tr>\n";
    out += "</tbody></table></section>\n";
}

void service_alarms_table(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                          Millis utc_offset) {
    if (rec.service_alarms.empty()) return;
    out +=
        "<section class=\"service-alarms\"><h2>chairwatchd technical alarms during this "
        "session (" +
        std::to_string(rec.service_alarms.size()) +
        ")</h2>\n<table class=\"service-alarm-table\"><thead><tr><th>Time</th><th>Condition"
        "</th><th>State</th><th>Priority</th><th>Text</th></tr></thead><tbody>\n";
    for (const auto& a : rec.service_alarms)
        out += "<tr><td>" + when(s, a.t, utc_offset) + "</td><td>" + esc(a.condition) +
               "</td><td>" + esc(a.state) + "</td><td>" + esc(a.priority) + "</td><td>" +
               esc(a.text) + "</td></tr>\n";
    out += "</tbody></table></section>\n";
}

void vitals_table(std::string& out, const SessionSummary& s, Millis utc_offset) {
    out +=
        "<section class=\"vitals\"><h2>Vital signs <span class=\"h2-sub\">baseline, peak, "
        "end. BP: cuff readings; HR, SpO2: 1-min medians</span></h2>"
        "<table class=\"vitals-table\"><thead><tr><th>Signal</th><th>Baseline</th>"
        "<th>Peak</th><th>End</th><th>Range</th><th>Mean</th><th>n</th></tr></thead>"
        "<tbody>\n";
    for (const auto& sig : s.signals) {
        if (!sig) continue;
        const auto unit = std::string(alerts::unit_of(sig->signal));
        out += "<tr class=\"vitals-row\" data-signal=\"" +
               std::string(alerts::to_string(sig->signal)) + "\"><td><b>" +
               std::string(short_name(sig->signal)) + "</b> <span class=\"sub\">" + unit +
               "</span></td>";
        out += "<td class=\"num\">" + value_or_dash(sig->baseline) + "</td>";
        out += "<td class=\"num\">" + fmt_number(sig->peak.value) +
               (sig->lowest_is_worst ? " <span class=\"sub\">lowest</span>" : "") +
               " <span class=\"sub\">" + when(s, sig->peak.t, utc_offset) + "</span></td>";
        out += "<td class=\"num\">" + fmt_number(sig->end.value) + "</td>";
        out += "<td class=\"num\">" + fmt_number(sig->min) + "–" + fmt_number(sig->max) + "</td>";
        out += "<td class=\"num\">" + fmt_number(sig->mean) + "</td>";
        out += "<td class=\"num\">" + std::to_string(sig->count) + "</td></tr>\n";
    }
    out += "</tbody></table></section>\n";
}

void discharge_box(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                   const ReportOptions& o) {
    const auto& d = s.discharge;
    std::string verdict;
    std::string cls = "not-met";
    if (!d.applicable) {
        verdict =
            "Not assessed: the session was started by readings alone (no start message, "
            "so no dosing or observation phase).";
    } else if (d.first_met) {
        cls = "met";
        verdict = "<b>Discharge criteria met</b> at " + when(s, *d.first_met, o.utc_offset) + ".";
        if (d.ended && !d.met_at_end) verdict += " No longer met when the session ended.";
    } else if (d.ended) {
        verdict = "<b>The session ended before the discharge criteria were met.</b>";
    } else {
        verdict = "The log has no end of session (still running, or cut short): not assessed.";
    }
    out += "<section class=\"discharge " + cls + "\"><h2>Discharge</h2><p>" + verdict + "</p>";
    if (o.profile) {
        const auto& p = o.profile->discharge;
        out += "<p class=\"sub\">Criteria of profile " + esc(o.profile->name) + ": at least " +
               fmt_duration(p.min_observation) + " of observation; SBP &lt; " +
               fmt_number(p.sbp_below) + ", DBP &lt; " + fmt_number(p.dbp_below) + ", HR &lt; " +
               fmt_number(p.hr_below) + "; BP within " + fmt_number(p.within_pct_of_baseline) +
               "% of baseline.</p>";
    }
    if (!rec.end_reason.empty())
        out += "<p class=\"sub\">Session ended: " + esc(end_reason_label(rec.end_reason)) + "</p>";
    out +=
        "<div class=\"sign\"><span>Reviewed by (name, role)</span><span>Signature, date, "
        "time</span></div></section>\n";
}

}  // namespace chairwatch::report::html
