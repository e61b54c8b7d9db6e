#include "drivers/alert_codec.hpp"

#include <cstdio>

#include <cmath>

#include "drivers/json_writer.hpp"

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
        default:
            return "blood-pressure cuff feed";
    }
}

std::string comparison(const AlarmTransition& t) {
    if (t.value == t.limit) return "at";
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
    return t.is_feed() ? "s" : alerts::unit_of(t.signal);
}

std::string alert_text(std::string_view chair, const AlarmTransition& t) {
    const auto who = chair_label(chair) + ": ";
    const auto prio = std::string(alerts::to_string(t.priority)) + " priority";
    const auto unit = std::string(alerts::unit_of(t.signal));
    if (t.is_feed()) {
        if (t.state == AlarmState::cleared)
            return who + feed_label(t) +
                   (t.cause == alerts::ClearCause::session_ended
                        ? " alarm closed, session ended"
                        : " resumed after " + fmt(t.value) + " s");
        return who + "no " + feed_label(t) + " data for " + fmt(t.value) + " s (" + prio + ")";
    }
    const auto label = std::string(alerts::label_of(t.signal));
    if (t.state == AlarmState::cleared) {
        if (t.cause == alerts::ClearCause::session_ended)
            return who + label + " alarm closed, session ended (was " + prio + ")";
        return who + label + " back to " + fmt(t.value) + " " + unit + ", alarm cleared (was " +
               prio + ", peak " + fmt(t.peak) + ")";
    }
    return who + label + " " + fmt(t.value) + " " + unit + ", " + comparison(t) + " " +
           fmt(t.limit) + " (" + (t.state == AlarmState::updated ? "now " : "") + prio + ")";
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
