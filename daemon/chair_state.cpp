#include "daemon/chair_state.hpp"

#include "drivers/codec/json_writer.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;

void ChairStates::from_session(Chair& c, const alerts::Session& s) {
    if (c.session_id != s.id) c.latest = {};  // a new session starts without old values
    c.session_id = s.id;
    c.phase = s.phase;
    c.open = !s.ended.has_value();
    c.started = s.started.wall;
    c.dose_start.reset();
    c.dose_end.reset();
    if (s.dose_start) c.dose_start = s.dose_start->wall;
    if (s.dose_end) c.dose_end = s.dose_end->wall;
}

void ChairStates::on_event(const ClinicEvent& e, alerts::Instant at) {
    if (!e.session) return;
    const auto& s = *e.session;
    auto& c = chairs_[s.chair];
    switch (e.type) {
        case ClinicEvent::Type::session_started:
        case ClinicEvent::Type::phase_changed:
        case ClinicEvent::Type::session_ended:
            from_session(c, s);
            c.urgent = true;
            break;
        case ClinicEvent::Type::reading:
            if (c.session_id != s.id) from_session(c, s);
            c.latest[alerts::index_of(e.reading.signal)] = Latest{e.reading.value, at.wall};
            break;
        default:
            return;
    }
    dirty_.insert(s.chair);
}

std::vector<ChairStates::Due> ChairStates::due(alerts::Instant now) {
    std::vector<Due> out;
    for (auto it = dirty_.begin(); it != dirty_.end();) {
        auto& c = chairs_.at(*it);
        if (!c.urgent && c.sent && now.mono - *c.sent < min_interval_) {
            ++it;
            continue;
        }
        out.push_back({*it, encode(*it, c, now.wall)});
        c.urgent = false;
        c.sent = now.mono;
        it = dirty_.erase(it);
    }
    return out;
}

void ChairStates::mark_all() {
    for (auto& [chair, c] : chairs_) {
        c.urgent = true;
        dirty_.insert(chair);
    }
}

void ChairStates::forget(const std::string& chair) {
    chairs_.erase(chair);
    dirty_.erase(chair);
}

std::string ChairStates::encode(const std::string& chair, const Chair& c, alerts::Millis wall) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("chair").value(chair);
    w.key("session_id").value(c.session_id);
    w.key("open").value(c.open);
    w.key("phase").value(alerts::to_string(c.phase));
    w.key("started").time(c.started);
    if (c.dose_start) w.key("dose_start").time(*c.dose_start);
    if (c.dose_end) w.key("dose_end").time(*c.dose_end);
    w.key("values").begin_object();
    for (const auto s : alerts::all_signals)
        if (const auto& l = c.latest[alerts::index_of(s)]) {
            w.key(alerts::to_string(s)).begin_object();
            w.key("value").number(l->value);
            w.key("ts").time(l->ts);
            w.end_object();
        }
    w.end_object();
    w.key("ts").time(wall);
    w.end_object();
    return out;
}

}  // namespace chairwatch::daemon
