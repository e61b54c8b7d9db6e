// render_json: the session record (docs/records.md, docs/session-record.schema.json), one JSON
// object. It carries the pseudonym patient_ref: the daemon writes it to <session_id>.summary.json
// beside the log; `chairwatch report --format json` writes it where it is told.
#include "drivers/codec/json_writer.hpp"
#include "report/limit_lines.hpp"
#include "report/report.hpp"
#include "report/report_format.hpp"

namespace chairwatch::report {

namespace {

using drivers::JsonWriter;

double seconds(Millis d) {
    return static_cast<double>(d.count()) / 1000.0;
}

void optional_number(JsonWriter& w, std::string_view key, std::optional<double> v, int dec = 1) {
    w.key(key);
    if (v)
        w.number(*v, dec);
    else
        w.null();
}

void optional_text(JsonWriter& w, std::string_view key, std::string_view v) {
    w.key(key);
    if (v.empty())
        w.null();
    else
        w.value(v);
}

void optional_time(JsonWriter& w, std::string_view key, std::optional<Millis> t) {
    w.key(key);
    if (t)
        w.time(*t);
    else
        w.null();
}

void write_session(JsonWriter& w, const SessionRecord& rec, const SessionSummary& s,
                   const ReportOptions& o) {
    w.key("session").begin_object();
    w.key("chair").value(rec.chair);
    w.key("session_id").value(rec.session_id);
    if (!rec.site.empty()) w.key("site").value(rec.site);
    w.key("implicit").value(rec.implicit);
    w.key("profile").value(rec.profile);
    w.key("route").value(rec.route);
    optional_text(w, "patient_ref", rec.patient_ref);
    optional_text(w, "patient_identifier_system",
                  rec.patient_ref.empty() ? "" : o.patient_identifier_system);
    optional_number(w, "weight_kg", rec.weight_kg);
    optional_number(w, "dose_mg_per_kg", rec.dose_mg_per_kg, 3);
    std::optional<double> total;
    if (rec.weight_kg && rec.dose_mg_per_kg) total = *rec.weight_kg * *rec.dose_mg_per_kg;
    optional_number(w, "dose_mg", total);
    optional_number(w, "planned_duration_min", rec.planned_duration_min);
    w.key("start").time(s.start);
    w.key("end").time(s.end);
    w.key("duration_s").number(seconds(s.end - s.start));
    w.key("duration_min").number(s.minute_of(s.end));
    w.key("ended").value(rec.end.has_value());
    optional_text(w, "end_reason", rec.end ? rec.end_reason : "");
    w.key("readings").value(static_cast<std::uint64_t>(rec.reading_count()));
    w.end_object();
}

void write_dose(JsonWriter& w, const SessionSummary& s) {
    const auto dose = dosing_span(s);
    w.key("dose");
    if (!dose) {
        w.null();
        return;
    }
    w.begin_object();
    w.key("start").time(dose->from);
    optional_time(w, "end", dose->ended ? std::optional(dose->to) : std::nullopt);
    w.end_object();
}

void write_phases(JsonWriter& w, const SessionSummary& s) {
    w.key("phases").begin_array();
    for (const auto& p : s.phases) {
        w.begin_object();
        w.key("phase").value(alerts::to_string(p.phase));
        w.key("start").time(p.from);
        w.key("end").time(p.to);
        w.key("start_min").number(s.minute_of(p.from));
        w.key("duration_min").number(seconds(p.to - p.from) / 60.0);
        w.end_object();
    }
    w.end_array();
}

void write_signals(JsonWriter& w, const SessionSummary& s) {
    w.key("signals").begin_object();
    for (const auto& sig : s.signals) {
        if (!sig) continue;
        w.key(alerts::to_string(sig->signal)).begin_object();
        w.key("unit").value(alerts::unit_of(sig->signal));
        w.key("count").value(static_cast<std::uint64_t>(sig->count));
        w.key("min").number(sig->min);
        w.key("max").number(sig->max);
        w.key("mean").number(sig->mean);
        optional_number(w, "baseline", sig->baseline);
        w.key("peak").number(sig->peak.value);
        w.key("peak_is").value(sig->lowest_is_worst ? "lowest" : "highest");
        w.key("peak_at").time(sig->peak.t);
        w.key("peak_min").number(s.minute_of(sig->peak.t));
        w.key("end").number(sig->end.value);
        w.key("end_at").time(sig->end.t);
        w.key("values").value(is_streamed(sig->signal) ? "1-minute medians" : "cuff readings");
        w.end_object();
    }
    w.end_object();
}

void write_acks(JsonWriter& w, const AlarmEpisode& a) {
    w.key("acknowledged_by");
    if (a.acks.empty())
        w.null();
    else
        w.value(a.acks.front().by);
    optional_number(
        w, "acknowledged_after_s",
        a.acks.empty() ? std::nullopt : std::optional(seconds(a.acks.front().at - a.onset)));
    w.key("acknowledgements").begin_array();
    for (const auto& ack : a.acks) {
        w.begin_object();
        w.key("by").value(ack.by);
        w.key("at").time(ack.at);
        w.key("after_s").number(seconds(ack.at - a.onset));
        w.key("priority").value(alerts::to_string(ack.priority));
        if (!ack.action_taken.empty()) w.key("action_taken").value(ack.action_taken);
        if (!ack.action_note.empty()) w.key("action_note").value(ack.action_note);
        w.end_object();
    }
    w.end_array();
}

void write_escalations(JsonWriter& w, const AlarmEpisode& a) {
    w.key("escalations").value(a.escalations);
    w.key("escalation_steps").begin_array();
    for (const auto& e : a.escalation_steps) {
        w.begin_object();
        w.key("at").time(e.at);
        w.key("after_s").number(seconds(e.at - a.onset));
        w.key("level").value(e.level);
        w.key("priority").value(alerts::to_string(e.priority));
        w.end_object();
    }
    w.end_array();
}

void write_receipts(JsonWriter& w, const SessionRecord& rec, const AlarmEpisode& a) {
    w.key("receipts").begin_array();
    for (const auto& r : rec.receipts) {
        if (r.alert_id != a.alert_id) continue;
        w.begin_object();
        w.key("at").time(r.t);
        w.key("status").value(r.status);
        optional_text(w, "person", r.person);
        optional_text(w, "device", r.device);
        w.end_object();
    }
    w.end_array();
}

void write_alarm(JsonWriter& w, const SessionRecord& rec, const AlarmEpisode& a,
                 const SessionSummary& s) {
    w.begin_object();
    w.key("alert_id").value(a.alert_id);
    w.key("condition").value(a.condition);
    w.key("kind").value(alerts::to_string(a.kind));
    w.key("max_priority").value(alerts::to_string(a.max_priority));
    w.key("signal");
    if (a.signal)
        w.value(alerts::to_string(*a.signal));
    else
        w.null();
    w.key("unit").value(a.unit);
    w.key("limit").number(a.limit);
    w.key("peak").number(a.peak);
    w.key("onset").time(a.onset);
    w.key("onset_min").number(s.minute_of(a.onset));
    w.key("end").time(a.end);
    w.key("duration_s").number(seconds(a.duration()));
    w.key("active_at_end").value(a.open);
    w.key("end_cause").value(a.cause);
    // The condition ended here; the alarm waited for an acknowledgement.
    optional_time(w, "latched_from", a.latched_from);
    write_acks(w, a);
    write_escalations(w, a);
    write_receipts(w, rec, a);
    w.key("text").value(a.text);
    w.end_object();
}

void write_discharge(JsonWriter& w, const SessionRecord& rec, const SessionSummary& s) {
    const auto& d = s.discharge;
    const bool met = d.first_met.has_value() || d.met_at_end;
    w.key("discharge").begin_object();
    w.key("applicable").value(d.applicable);
    w.key("criteria_met").value(met);
    optional_time(w, "met_at", d.first_met);
    w.key("ready_at_end").value(d.met_at_end);
    w.key("session_ended").value(d.ended);
    w.key("ended_before_criteria_met").value(d.applicable && d.ended && !met);
    w.key("note").value(rec.end_note);
    w.end_object();
}

void write_limits(JsonWriter& w, const SessionRecord& rec, const SessionSummary& s,
                  const ReportOptions& o) {
    w.key("limits").begin_object();
    w.key("drawn").value(o.profile != nullptr);
    w.key("source").value(o.limits_source);
    w.key("profile").value(o.profile ? o.profile->name : "");
    w.key("note").value(o.limits_note);
    w.key("lines").begin_array();
    if (o.profile)
        for (const auto& l : limit_lines(*o.profile, rec, s)) {
            w.begin_object();
            w.key("condition").value(l.condition);
            w.key("signal").value(alerts::to_string(l.signal));
            w.key("value").number(l.value);
            w.key("direction").value(l.high ? "high" : "low");
            w.key("priority").value(alerts::to_string(l.priority));
            w.key("relative").value(l.relative);
            w.key("from_min").number(s.minute_of(l.from));
            w.key("to_min").number(s.minute_of(l.to));
            w.end_object();
        }
    w.end_array();
    w.end_object();
}

void write_limit_changes(JsonWriter& w, const SessionRecord& rec, const SessionSummary& s) {
    w.key("limit_changes").begin_array();
    for (const auto& c : rec.limit_changes) {
        w.begin_object();
        w.key("condition").value(c.condition);
        w.key("tier").value(c.tier);
        w.key("from").number(c.from);
        w.key("to").number(c.to);
        w.key("at").time(c.t);
        w.key("at_min").number(s.minute_of(c.t));
        w.key("reason").value(c.reason);
        w.key("by").value(c.by);
        w.end_object();
    }
    w.end_array();
}

}  // namespace

std::string render_json(const SessionRecord& rec, const ReportOptions& o) {
    const auto s = summarize(rec);
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("schema").value(record_schema);
    w.key("schema_version").value(record_schema_version);
    w.key("record").begin_object();
    w.key("generator").value("chairwatch " + o.version);
    w.key("generated_at").time(o.generated_at);
    w.key("source").value(rec.file);
    w.key("clock").value("device");
    w.key("clock_note")
        .value(
            "times are the monitor's clock; receive times of phases, alarms and acknowledgements "
            "are mapped onto it through the readings");
    w.key("clock_speed").number(rec.clock_speed, 2);
    w.end_object();
    write_session(w, rec, s, o);
    write_dose(w, s);
    write_phases(w, s);
    write_signals(w, s);
    w.key("alarms").begin_array();
    for (const auto& a : s.alarms)
        write_alarm(w, rec, a, s);
    w.end_array();
    write_discharge(w, rec, s);
    write_limits(w, rec, s, o);
    write_limit_changes(w, rec, s);
    w.key("log_errors").begin_array();
    for (const auto& e : rec.errors)
        w.value(e);
    w.end_array();
    w.end_object();
    out += '\n';
    return out;
}

}  // namespace chairwatch::report
