// The nurses' observations, feed pauses and limit changes tables, and the REMS-shaped page for
// intranasal esketamine sessions (docs/records.md, "REMS page", says what it follows).
#include "report/html_parts.hpp"
#include "report/rems.hpp"
#include "report/report_format.hpp"

namespace chairwatch::report::html {

namespace {

std::string esc(std::string_view s) {
    return html_escape(s);
}

std::string kind_label(std::string_view kind) {
    if (kind == "adverse_event") return "Adverse event";
    if (kind == "sedation") return "Sedation";
    if (kind == "dissociation") return "Dissociation";
    return "Note";
}

std::string blank(std::string_view width = "18mm") {
    return "<span class=\"blank\" style=\"width:" + std::string(width) + "\"></span>";
}

std::string box(std::string_view label) {
    return "<span class=\"box\"></span>&nbsp;" + std::string(label);
}

// One observation as a line: "10:42 present — drowsy, rousable (rn-4)".
std::string observation_line(const ObservationEvent& o, Millis tz) {
    std::string out = "<b>" + fmt_clock(o.t, tz) + "</b> ";
    if (!o.value.empty()) out += esc(o.value);
    if (!o.text.empty()) out += (o.value.empty() ? "" : " — ") + esc(o.text);
    return out + " <span class=\"sub\">(" + esc(o.by) + ")</span>";
}

std::string bp_cells(const std::optional<BpReading>& bp, const RemsCheckpoints& c, Millis tz) {
    if (!bp)
        return "<td>" + blank("14mm") + "</td><td></td><td>" + blank("12mm") + " / " +
               blank("12mm") + " <span class=\"sub\">not in the readings: by hand</span></td>";
    std::string v = "<b>" + fmt_number(bp->sbp, 0) + " / " + fmt_number(bp->dbp, 0) + "</b> mmHg";
    if (bp->map) v += " <span class=\"sub\">(mean " + fmt_number(*bp->map, 0) + ")</span>";
    const auto after =
        fmt_number(static_cast<double>((bp->t - *c.dose_start).count()) / 60000.0, 0);
    return "<td>" + fmt_clock(bp->t, tz) + "</td><td class=\"num\">" + after + "</td><td>" + v +
           "</td>";
}

void bp_section(std::string& out, const RemsCheckpoints& c, Millis tz) {
    out += "<h2>Blood pressure</h2>";
    if (!c.dose_start) {
        out += "<p><b>No dose start was recorded</b>: the checks cannot be placed. Pre-dose " +
               blank() + " ~40 min " + blank() + " pre-discharge " + blank() + "</p>";
        return;
    }
    out +=
        "<table class=\"rems-bp\"><thead><tr><th>Check</th><th>Time</th><th class=\"num\">Min "
        "after dose</th><th>SBP / DBP</th></tr></thead><tbody>";
    const std::pair<const char*, const std::optional<BpReading>*> rows[] = {
        {"Pre-dose", &c.pre_dose},
        {"~40 min after dose", &c.at_40_min},
        {"Pre-discharge", &c.pre_discharge}};
    for (const auto& [name, bp] : rows)
        out += "<tr class=\"checkpoint\"><td>" + std::string(name) + "</td>" +
               bp_cells(*bp, c, tz) + "</tr>";
    out += "</tbody></table>";
}

void monitoring_section(std::string& out, const SessionRecord& rec, const SessionSummary& s,
                        const RemsCheckpoints& c, Millis tz) {
    out += "<h2>Monitoring and discharge</h2><table class=\"rems-kv\">";
    auto row = [&](std::string_view k, const std::string& v) {
        out += "<tr><th>" + std::string(k) + "</th><td>" + v + "</td></tr>";
    };
    if (c.dose_start && rec.end) {
        const Millis after = *rec.end - *c.dose_start;
        row("Monitored after the dose",
            fmt_duration(after) + " (" + fmt_clock(*c.dose_start, tz) + "–" +
                fmt_clock(*rec.end, tz) +
                "); at least 2 h: " + (after >= rems_min_observation ? "<b>yes</b>" : "<b>no</b>"));
    } else {
        row("Monitored after the dose",
            blank("30mm") + " <span class=\"sub\">" +
                (c.dose_start ? "no session end in the log" : "no dose start recorded") +
                "</span>");
    }
    const auto& d = s.discharge;
    row("Ready for discharge",
        d.first_met ? "<b>yes</b>, criteria met at " + fmt_clock(*d.first_met, tz) +
                          (d.ended && !d.met_at_end ? " (no longer met at the end)" : "")
        : d.ended ? "<b>not met</b> when the session ended"
                  : box("yes") + " at " + blank() + " " + box("no"));
    row("Session ended", rec.end ? fmt_clock(*rec.end, tz) : blank());
    out += "</table>";
}

// Sedation, dissociation, adverse events: as recorded, or boxes for the nurse to fill in.
void assessment_section(std::string& out, const SessionRecord& rec, Millis tz) {
    out += "<h2>Assessment</h2><table class=\"rems-kv\">";
    for (const char* kind : {"sedation", "dissociation", "adverse_event"}) {
        std::string lines;
        for (const auto& o : rec.observations)
            if (o.kind == kind) lines += (lines.empty() ? "" : "<br>") + observation_line(o, tz);
        const bool events = std::string_view(kind) == "adverse_event";
        if (lines.empty())
            lines = events ? box("none") + " " + box("yes, describe:") + " " + blank("80mm")
                           : box("none") + " " + box("present") + ", resolved at " + blank();
        out += "<tr class=\"assess assess-" + std::string(kind) + "\"><th>" + kind_label(kind) +
               (events ? "s" : "") + "</th><td>" + lines + "</td></tr>";
    }
    out += "</table>";
}

}  // namespace

void observations_table(std::string& out, const SessionRecord& rec, Millis utc_offset) {
    if (rec.observations.empty()) return;
    out +=
        "<h2>Nurse observations</h2><table class=\"vitals-table observations\"><thead><tr>"
        "<th>Time</th><th>Kind</th><th>Observation</th><th>By</th></tr></thead><tbody>";
    for (const auto& o : rec.observations) {
        std::string what = esc(o.value);
        if (!o.text.empty()) what += (what.empty() ? "" : " — ") + esc(o.text);
        out += "<tr><td>" + fmt_clock(o.t, utc_offset) + "</td><td>" + kind_label(o.kind) +
               "</td><td>" + what + "</td><td>" + esc(o.by) + "</td></tr>";
    }
    out += "</tbody></table>\n";
}

void feed_pauses_table(std::string& out, const SessionRecord& rec, Millis utc_offset) {
    if (rec.feed_pauses.empty()) return;
    out +=
        "<h2>Feed alarms paused</h2><table class=\"vitals-table feed-pauses\"><thead><tr>"
        "<th>Paused</th><th>Until</th><th>Reason</th><th>By</th><th>Ended</th></tr></thead>"
        "<tbody>";
    for (const auto& p : rec.feed_pauses) {
        std::string ended = "still paused when the log ends";
        if (p.ended) {
            ended = fmt_clock(*p.ended, utc_offset) + " ";
            if (p.cause == "expired") ended += "(time up)";
            if (p.cause == "resumed") ended += "(resumed by " + esc(p.ended_by) + ")";
            if (p.cause == "high_alarm") ended += "(a HIGH alarm broke through)";
            if (p.cause == "replaced") ended += "(replaced by a new pause)";
        }
        out += "<tr><td>" + fmt_clock(p.since, utc_offset) + "</td><td>" +
               fmt_clock(p.until, utc_offset) + "</td><td>" + esc(p.reason) + "</td><td>" +
               esc(p.by) + "</td><td>" + ended + "</td></tr>";
    }
    out += "</tbody></table>\n";
}

void limit_changes_table(std::string& out, const SessionRecord& rec, Millis utc_offset) {
    if (rec.limit_changes.empty()) return;
    out +=
        "<h2>Limit changes</h2><table class=\"vitals-table limit-changes\"><thead><tr>"
        "<th>Time</th><th>Limit</th><th>Old</th><th>New</th><th>Reason</th><th>By</th></tr>"
        "</thead><tbody>";
    for (const auto& c : rec.limit_changes)
        out += "<tr><td>" + fmt_clock(c.t, utc_offset) + "</td><td>" + esc(c.condition) + " tier " +
               std::to_string(c.tier) + "</td><td>" + fmt_exact(c.from) + "</td><td>" +
               fmt_exact(c.to) + "</td><td>" + esc(c.reason) + "</td><td>" + esc(c.by) +
               "</td></tr>";
    out += "</tbody></table>\n";
}

void rems_page(std::string& out, const SessionRecord& rec, const SessionSummary& s,
               const ReportOptions& o) {
    const auto c = rems_checkpoints(rec);
    const auto tz = o.utc_offset;
    out +=
        "<section class=\"rems\"><div class=\"title\"><h1>Esketamine session — patient "
        "monitoring</h1><span class=\"what\">structured as the SPRAVATO® REMS patient monitoring "
        "form</span></div>\n<table class=\"rems-kv\">";
    auto row = [&](std::string_view k, const std::string& v) {
        out += "<tr><th>" + std::string(k) + "</th><td>" + (v.empty() ? blank() : v) + "</td></tr>";
    };
    row("Patient ref.", esc(rec.patient_ref));
    row("Session / chair", esc(rec.session_id) + " / " + esc(rec.chair));
    row("Date of treatment", fmt_date_time(s.start, tz).substr(0, 10));
    row("Dose", rec.dose_mg_per_kg && rec.weight_kg
                    ? fmt_number(*rec.dose_mg_per_kg * *rec.weight_kg, 0) + " mg"
                    : box("56 mg") + " " + box("84 mg"));
    row("Number of devices",
        rec.devices ? fmt_number(*rec.devices, 0) + " (" + fmt_number(*rec.devices * 28, 0) + " mg)"
                    : blank("10mm"));
    row("Administration (first device)",
        c.dose_start ? fmt_clock(*c.dose_start, tz) +
                           (c.dose_end ? " <span class=\"sub\">(dosing ended " +
                                             fmt_clock(*c.dose_end, tz) + ")</span>"
                                       : "")
                     : "");
    out += "</table>\n";
    bp_section(out, c, tz);
    monitoring_section(out, rec, s, c, tz);
    assessment_section(out, rec, tz);
    out +=
        "<p class=\"sub\">Times are the monitor's clock (" + fmt_zone(tz) +
        "). Values from chairwatch's record of the session; blank fields are for the nurse. This "
        "page does not replace the REMS form or its submission.</p><div class=\"sign\"><span>"
        "Healthcare provider (name, signature)</span><span>Date, time</span></div></section>\n";
}

}  // namespace chairwatch::report::html
