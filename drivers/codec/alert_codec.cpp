#include "drivers/codec/alert_codec.hpp"

#include <cstdio>

#include <cmath>

#include "alerts/monitor_link.hpp"
#include "drivers/codec/json_writer.hpp"

namespace chairwatch::drivers {

using alerts::AlarmState;
using alerts::AlarmTransition;

namespace {

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    if (std::round(v) != v) std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string feed_label(const AlarmTransition& t) {
    switch (t.signal) {
        case alerts::Signal::hr:
            return "heart-rate feed";
        case alerts::Signal::spo2:
            return "SpO2 feed";
        case alerts::Signal::rr:
            return "respiratory-rate feed";
        case alerts::Signal::etco2:
            return "EtCO2 feed";
        default:
            return "blood-pressure cuff feed";
    }
}

// How the value stands to the limit, truthfully: an alarm held by hysteresis may be back
// inside its limit but not yet by the clear margin.
std::string comparison(const AlarmTransition& t) {
    if (t.value == t.limit) return "at";
    const bool beyond = t.high ? t.value > t.limit : t.value < t.limit;
    if (!beyond) return "back inside but near";
    return t.high ? "above" : "below";
}

}  // namespace

void write_alarm_fields(JsonWriter& w, std::string_view chair, const alerts::Session& session,
                        const AlarmTransition& t) {
    w.key("alert_id").value(session.alert_id(t.alarm_no));
    w.key("chair").value(chair);
    w.key("session_id").value(session.id);
    w.key("condition").value(t.condition);
    w.key("kind").value(alerts::to_string(t.kind));
    w.key("priority").value(alerts::to_string(t.priority));
    w.key("state").value(alerts::to_string(t.state));
    w.key("signal").value(alerts::to_string(t.signal));
    w.key("value").number(t.value);
    w.key("limit").number(t.limit);
    w.key("unit").value(alert_unit(t));
    w.key("peak").number(t.peak);
    w.key("onset").time(t.onset.wall);
    w.key("ts").time(t.at.wall);
    if (t.state == AlarmState::cleared) w.key("cause").value(alerts::to_string(t.cause));
    w.key("active").value(t.active);
    w.key("latched").value(t.latched);
    w.key("acknowledged").value(t.acknowledged);
    if (t.acknowledged) {
        w.key("acknowledged_by").value(t.acknowledged_by);
        w.key("acknowledged_at").time(t.acknowledged_at.wall);
        if (t.ack_action && !t.ack_action->taken.empty())
            w.key("action_taken").value(t.ack_action->taken);
        if (t.ack_action && !t.ack_action->note.empty())
            w.key("action_note").value(t.ack_action->note);
    }
    w.key("escalation_level").value(t.escalation_level);
    w.key("phase").value(alerts::to_string(session.phase));
    w.key("text").value(alert_text(chair, t));
}

std::string chair_label(std::string_view chair) {
    if (chair.substr(0, 6) == "chair-" && chair.size() > 6) {
        auto rest = chair.substr(6);
        while (rest.size() > 1 && rest[0] == '0')
            rest.remove_prefix(1);
        return "Chair " + std::string(rest);
    }
    return "Chair " + std::string(chair);
}

std::string_view alert_unit(const AlarmTransition& t) {
    return t.is_feed() || t.condition == alerts::monitor_link_lost ? "s"
                                                                   : alerts::unit_of(t.signal);
}

// What the alarm is about, without its state: "systolic BP 192 mmHg, above 180".
std::string alert_subject(const AlarmTransition& t) {
    if (!t.text_hint.empty()) return std::string(t.text_hint);  // a notice says what it is
    if (t.is_feed()) return "no " + feed_label(t) + " data for " + fmt(t.value) + " s";
    const auto value = std::string(alerts::label_of(t.signal)) + " " + fmt(t.value) + " " +
                       std::string(alerts::unit_of(t.signal));
    std::string subject = value + ", " + comparison(t) + " " + fmt(t.limit);
    if (t.relative)
        subject = value + ", up " + fmt(t.value - t.baseline) + " from baseline " +
                  fmt(t.baseline) + " (limit +" + fmt(t.limit - t.baseline) + ")";
    if (t.kind == alerts::AlarmKind::advisory) return std::string(t.condition) + ": " + subject;
    return subject;
}

std::string alert_text(std::string_view chair, const AlarmTransition& t) {
    const auto who = chair_label(chair) + ": ";
    const auto prio = t.kind == alerts::AlarmKind::advisory
                          ? std::string("advisory")
                          : std::string(alerts::to_string(t.priority)) + " priority";
    const auto unit = std::string(alerts::unit_of(t.signal));
    // On clearing, the highest priority the alarm reached is what the nurse needs to know.
    const auto reached = std::max(t.priority, t.max_priority);
    const auto was = t.kind == alerts::AlarmKind::advisory
                         ? std::string("was advisory")
                         : (reached > t.priority ? "reached " : "was ") +
                               std::string(alerts::to_string(reached)) + " priority";
    const bool named = t.kind == alerts::AlarmKind::advisory || !t.text_hint.empty();
    const auto label = t.is_feed() ? feed_label(t)
                       : named     ? std::string(t.condition)
                                   : std::string(alerts::label_of(t.signal)) +
                                     (t.rise_rule ? " rise over baseline" : "");
    switch (t.state) {
        case AlarmState::acknowledged:
            return who + label + " alarm acknowledged by " + t.acknowledged_by + " (" + prio + ")";
        case AlarmState::escalated:
            if (!t.active)
                return who + label + " alarm ended (peak " + fmt(t.peak) + " " + unit +
                       ") but is NOT ACKNOWLEDGED, escalation " +
                       std::to_string(t.escalation_level) + " (" + prio + ")";
            return who + alert_subject(t) + ": NOT ACKNOWLEDGED, escalation " +
                   std::to_string(t.escalation_level) + " (" + prio + ")";
        case AlarmState::cleared:
            if (t.cause == alerts::ClearCause::session_ended)
                return who + label + " alarm closed, session ended (was " + prio + ")";
            if (t.cause == alerts::ClearCause::phase_changed)
                return who + label + " alarm closed, not applicable in this phase (was " + prio +
                       ")";
            if (t.is_feed()) return who + label + " resumed after " + fmt(t.value) + " s";
            if (t.cause == alerts::ClearCause::valid_reading)
                return who + label + " cleared by a valid reading";
            if (named) return who + label + " cleared";
            if (t.latched)
                return who + label + " back to " + fmt(t.value) + " " + unit +
                       "; alarm LATCHED until acknowledged (" + was + ", peak " + fmt(t.peak) + ")";
            return who + label + " back to " + fmt(t.value) + " " + unit + ", alarm cleared (" +
                   was + ", peak " + fmt(t.peak) + ")";
        case AlarmState::updated:
            return who + alert_subject(t) + " (now " + prio + ")";
        case AlarmState::raised:
            return who + alert_subject(t) + " (" + prio +
                   (t.realarm ? ", acknowledgement expired" : "") + ")";
    }
    return who + alert_subject(t);
}

std::string encode_alert(std::string_view chair, const alerts::Session& session,
                         const AlarmTransition& t, std::optional<std::int64_t> seq) {
    std::string out;
    out.reserve(512);
    JsonWriter w(out);
    w.begin_object();
    write_alarm_fields(w, chair, session, t);
    if (seq) w.key("seq").value(*seq);
    w.end_object();
    return out;
}

std::string encode_active_alarms(std::string_view chair, const alerts::Session* session,
                                 const std::vector<AlarmTransition>& active) {
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    if (session)
        for (const auto& t : active) {
            w.begin_object();
            write_alarm_fields(w, chair, *session, t);
            w.end_object();
        }
    w.end_array();
    return out;
}

}  // namespace chairwatch::drivers
