#include "alerts/clinic.hpp"

namespace chairwatch::alerts {

Clinic::Clinic(std::shared_ptr<const Profile> profile, ClinicSettings settings)
    : profile_(std::move(profile)), settings_(settings) {}

Admission Clinic::on_reading(std::string_view chair_id, const Reading& r, Instant now,
                             std::vector<ClinicEvent>& out) {
    auto it = chairs_.find(chair_id);
    if (it == chairs_.end()) {
        if (chairs_.size() >= settings_.max_chairs) return Admission::too_many_chairs;
        it = chairs_.emplace(std::string(chair_id), std::make_unique<Chair>(profile_)).first;
    }
    Chair& chair = *it->second;
    if (!chair.session) {
        Session s;
        s.chair = it->first;
        s.id = make_session_id(chair_id, now);
        s.started = now;
        chair.session = std::move(s);
        out.push_back({ClinicEvent::Type::session_started, &*chair.session, {}, {}});
    }
    chair.session->last_reading = now;
    chair.session->record(r);
    out.push_back({ClinicEvent::Type::reading, &*chair.session, r, {}});

    scratch_.clear();
    chair.monitor.on_reading(r, now, scratch_);
    emit_alarms(*chair.session, out);
    return Admission::accepted;
}

void Clinic::on_tick(Instant now, std::vector<ClinicEvent>& out) {
    for (auto& [id, chair] : chairs_) {
        if (!chair->session) continue;
        if (now.mono - chair->session->last_reading.mono >= settings_.session_idle_end) {
            end_session(*chair, now, EndReason::idle, out);
            continue;
        }
        scratch_.clear();
        chair->monitor.on_tick(now, scratch_);
        emit_alarms(*chair->session, out);
    }
}

void Clinic::end_all(Instant now, EndReason reason, std::vector<ClinicEvent>& out) {
    for (auto& [id, chair] : chairs_)
        if (chair->session) end_session(*chair, now, reason, out);
}

void Clinic::reconfigure(std::shared_ptr<const Profile> profile, ClinicSettings settings) {
    profile_ = std::move(profile);
    settings_ = settings;
    for (auto& [id, chair] : chairs_)
        chair->monitor.set_profile(profile_);
}

void Clinic::end_session(Chair& chair, Instant now, EndReason reason,
                         std::vector<ClinicEvent>& out) {
    scratch_.clear();
    chair.monitor.reset(now, ClearCause::session_ended, scratch_);
    chair.last_ended = std::move(*chair.session);
    chair.session.reset();
    chair.last_ended.ended = now;
    chair.last_ended.end_reason = reason;
    emit_alarms(chair.last_ended, out);
    out.push_back({ClinicEvent::Type::session_ended, &chair.last_ended, {}, {}});
}

void Clinic::emit_alarms(Session& session, std::vector<ClinicEvent>& out) {
    for (const auto& t : scratch_) {
        session.record(t);
        out.push_back({ClinicEvent::Type::alarm, &session, {}, t});
    }
}

std::vector<AlarmTransition> Clinic::active_alarms(std::string_view chair_id) const {
    auto it = chairs_.find(chair_id);
    if (it == chairs_.end() || !it->second->session) return {};
    return it->second->monitor.active_alarms();
}

const Session* Clinic::session(std::string_view chair_id) const {
    auto it = chairs_.find(chair_id);
    if (it == chairs_.end() || !it->second->session) return nullptr;
    return &*it->second->session;
}

std::size_t Clinic::open_sessions() const {
    std::size_t n = 0;
    for (const auto& [id, chair] : chairs_)
        n += chair->session ? 1 : 0;
    return n;
}

}  // namespace chairwatch::alerts
