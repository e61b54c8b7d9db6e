// Alarms and the responses to them: one DetectedIssue per alarm episode (its IEC 60601-1-8
// priority as severity, onset to end as identifiedPeriod, each acknowledgement as a
// mitigation) and one Communication per acknowledgement, escalation and notification receipt,
// `about` the DetectedIssue, with the priority as Communication.priority and the response time
// from the onset. Advisories (discharge readiness) are not issues and are left out here.
#include "report/fhir_parts.hpp"
#include "report/report_format.hpp"

namespace chairwatch::report::fhir {

namespace {

std::string_view severity(Priority p) {
    switch (p) {
        case Priority::high:
            return "high";
        case Priority::medium:
            return "moderate";
        case Priority::low:
            return "low";
    }
    return "low";
}

// FHIR's request priority for an alarm of this IEC priority.
std::string_view request_priority(Priority p) {
    switch (p) {
        case Priority::high:
            return "stat";
        case Priority::medium:
            return "urgent";
        case Priority::low:
            return "routine";
    }
    return "routine";
}

std::string after(Millis onset, Millis t) {
    return fmt_duration(t - onset) + " (" +
           fmt_number(static_cast<double>((t - onset).count()) / 1000.0) + " s) after onset";
}

std::string detail(const AlarmEpisode& a) {
    std::string d = "IEC 60601-1-8 priority (the highest reached): " +
                    std::string(alerts::to_string(a.max_priority)) + ".";
    if (a.signal)
        d += " Limit " + fmt_number(a.limit) + " " + a.unit + ", peak " + fmt_number(a.peak) + " " +
             a.unit + ".";
    if (!a.acks.empty())
        d +=
            " Acknowledged by " + a.acks.front().by + " " + after(a.onset, a.acks.front().at) + ".";
    else
        d += " Not acknowledged.";
    if (a.escalations > 0) d += " Escalated " + std::to_string(a.escalations) + " time(s).";
    d += a.open ? " Still active when the log ends." : " Ended: " + cause_label(a.cause) + ".";
    if (!a.text.empty()) d += " First announced as: " + a.text;
    return d;
}

void write_issue(JsonWriter& w, const Context& c, const AlarmEpisode& a) {
    begin_entry(w, c.url("alarm/" + a.alert_id), "DetectedIssue");
    w.key("identifier").begin_array().begin_object();
    w.key("value").value(a.alert_id);
    w.end_object().end_array();
    w.key("status").value(a.open ? "preliminary" : "final");
    w.key("code").begin_object();
    w.key("text").value(a.condition + " (" + std::string(alerts::to_string(a.kind)) + " alarm)");
    w.end_object();
    w.key("severity").value(severity(a.max_priority));
    patient_reference(w, c, "patient", false);
    w.key("identifiedPeriod").begin_object();
    w.key("start").time(a.onset);
    if (!a.open) w.key("end").time(a.end);
    w.end_object();
    w.key("detail").value(detail(a));
    if (!a.acks.empty()) {
        w.key("mitigation").begin_array();
        for (const auto& ack : a.acks) {
            w.begin_object();
            w.key("action").begin_object().key("text").value("alarm acknowledged").end_object();
            w.key("date").time(ack.at);
            w.key("author").begin_object().key("display").value(ack.by).end_object();
            w.end_object();
        }
        w.end_array();
    }
    end_entry(w);
}

struct Message {
    std::string_view what;  // acknowledgement, escalation, receipt
    std::size_t n;
    Millis at;
    Priority priority;
    std::string text;
    std::string_view sender;
    std::string_view recipient;
};

void write_communication(JsonWriter& w, const Context& c, const AlarmEpisode& a, const Message& m) {
    begin_entry(
        w, c.url("alarm/" + a.alert_id + "/" + std::string(m.what) + "/" + std::to_string(m.n)),
        "Communication");
    w.key("status").value("completed");
    w.key("category").begin_array().begin_object();
    w.key("text").value("alarm " + std::string(m.what));
    w.end_object().end_array();
    w.key("priority").value(request_priority(m.priority));
    patient_reference(w, c, "subject", false);
    w.key("about").begin_array().begin_object();
    w.key("reference").value(c.url("alarm/" + a.alert_id));
    w.end_object().end_array();
    reference(w, "encounter", c.encounter());
    w.key(m.what == "receipt" ? "received" : "sent").time(m.at);
    if (!m.recipient.empty()) {
        w.key("recipient").begin_array().begin_object();
        w.key("display").value(m.recipient);
        w.end_object().end_array();
    }
    if (!m.sender.empty())
        w.key("sender").begin_object().key("display").value(m.sender).end_object();
    w.key("payload").begin_array().begin_object();
    w.key("contentString").value(m.text);
    w.end_object().end_array();
    end_entry(w);
}

void write_responses(JsonWriter& w, const Context& c, const AlarmEpisode& a) {
    std::size_t n = 0;
    for (const auto& ack : a.acks)
        write_communication(
            w, c, a,
            {"acknowledgement", ++n, ack.at, ack.priority,
             "Acknowledged by " + ack.by + ", " + after(a.onset, ack.at) + " (" +
                 std::string(alerts::to_string(ack.priority)) + " priority)" +
                 (ack.action_text().empty() ? "" : ". Action taken: " + ack.action_text()),
             ack.by, ""});
    n = 0;
    for (const auto& e : a.escalation_steps)
        write_communication(w, c, a,
                            {"escalation", ++n, e.at, e.priority,
                             "Escalated to level " + std::to_string(e.level) + ", " +
                                 after(a.onset, e.at) + " without an acknowledgement",
                             "", ""});
    n = 0;
    for (const auto& r : c.rec.receipts)
        if (r.alert_id == a.alert_id)
            write_communication(
                w, c, a,
                {"receipt", ++n, r.t, a.max_priority,
                 "Notification " + r.status + (r.device.empty() ? "" : " on " + r.device) + ", " +
                     after(a.onset, r.t),
                 "",
                 r.person.empty() ? std::string_view("unnamed recipient")
                                  : std::string_view(r.person)});
}

}  // namespace

void write_alarms(JsonWriter& w, const Context& c) {
    for (const auto& a : c.s.alarms) {
        if (a.kind == alerts::AlarmKind::advisory) continue;
        write_issue(w, c, a);
        write_responses(w, c, a);
    }
}

}  // namespace chairwatch::report::fhir
