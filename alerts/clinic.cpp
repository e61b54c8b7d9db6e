#include "alerts/clinic.hpp"

#include <algorithm>
#include <charconv>

#include "alerts/modifiers.hpp"

namespace chairwatch::alerts {

namespace {

// Condition names of the notices the Clinic itself raises (string_views point here).
constexpr std::string_view no_baseline = "no_baseline";
constexpr std::string_view discharge_ready = "discharge_ready";
constexpr std::string_view bp_artifact = "bp_artifact";
constexpr std::string_view message_flood = "message_flood";

// Every text a notice of the Clinic's says (text_hint points at them).
constexpr std::string_view artifact_text =
    "cuff reading rejected as an artifact (values cannot belong together): recheck BP";
constexpr std::string_view no_dose_baseline_text =
    "no baseline phase (dosing started without a start message): absolute limits only";
constexpr std::string_view no_baseline_text =
    "too few baseline readings for BP and HR: absolute limits only";
constexpr std::string_view no_bp_baseline_text =
    "too few baseline cuff readings: BP rise rules off, absolute limits only";
constexpr std::string_view no_hr_baseline_text = "too little baseline HR: HR rise rules off";
constexpr std::string_view discharge_text =
    "observation complete and vitals within discharge criteria";
constexpr std::string_view flood_text =
    "the chair's monitor sends far more messages than any monitor does: its excess is dropped "
    "unread; check the device";
constexpr std::string_view checkpoint_text =
    "a BP check the protocol requires at this time after the dose was not taken: measure BP now";
constexpr std::string_view other_notice_text = "notice";
constexpr std::string_view notice_texts[] = {
    artifact_text,       no_dose_baseline_text, no_baseline_text,
    no_bp_baseline_text, no_hr_baseline_text,   discharge_text,
    flood_text,          checkpoint_text,       monitor_link_text};

}  // namespace

std::string_view notice_text(std::string_view text) {
    for (const auto t : notice_texts)
        if (t == text) return t;
    return other_notice_text;
}

std::string_view to_string(ControlAction a) {
    switch (a) {
        case ControlAction::start:
            return "start";
        case ControlAction::dose_start:
            return "dose_start";
        case ControlAction::dose_end:
            return "dose_end";
        case ControlAction::end:
            return "end";
    }
    return "unknown";
}

std::string_view to_string(ControlResult r) {
    switch (r) {
        case ControlResult::ok:
            return "ok";
        case ControlResult::unknown_profile:
            return "unknown profile";
        case ControlResult::no_session:
            return "no session is open on this chair";
        case ControlResult::wrong_phase:
            return "not possible in the session's current phase";
        case ControlResult::too_many_chairs:
            return "too many chairs";
        case ControlResult::pause_too_long:
            return "a feed pause must be longer than 0 and at most sessions.max_feed_pause_s";
        case ControlResult::not_paused:
            return "the chair's feed alarms are not paused";
        case ControlResult::session_open:
            return "the chair has an open session: end it first";
        case ControlResult::out_of_service:
            return "the chair is out of service";
        case ControlResult::in_service:
            return "the chair is not out of service";
        case ControlResult::unknown_limit:
            return "the session's profile has no changeable limit of that rule and tier";
        case ControlResult::limit_out_of_bounds:
            return "the new limit is outside the limit's bounds";
    }
    return "unknown";
}

std::shared_ptr<const Profile> ClinicProfiles::find(std::string_view name) const {
    auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : it->second;
}

std::shared_ptr<const Profile> ClinicProfiles::for_chair(std::string_view chair) const {
    auto it = chair_default.find(chair);
    if (it != chair_default.end())
        if (auto p = find(it->second)) return p;
    return find(default_profile);
}

Clinic::Clinic(ClinicProfiles profiles, ClinicSettings settings)
    : profiles_(std::move(profiles)), settings_(std::move(settings)) {}

std::uint32_t Clinic::slot_of(std::string_view chair_id) const {
    return index_.find(chair_id,
                       [this](std::uint32_t i) -> std::string_view { return chairs_[i]->id; });
}

const Clinic::Chair* Clinic::find(std::string_view chair_id) const {
    const auto at = slot_of(chair_id);
    return at == ChairIndex::none ? nullptr : chairs_[at].get();
}

Clinic::Chair* Clinic::chair_for(std::string_view chair_id, bool create) {
    if (const auto at = slot_of(chair_id); at != ChairIndex::none) {
        due_[at] = Millis::min();
        return chairs_[at].get();
    }
    if (!create || chairs_.size() >= settings_.max_chairs) return nullptr;
    const auto at = static_cast<std::uint32_t>(chairs_.size());
    chairs_.push_back(
        std::make_unique<Chair>(chair_id, at, profiles_.for_chair(chair_id), settings_.shortcuts));
    due_.push_back(Millis::min());
    index_.insert(chair_id, at);
    return chairs_.back().get();
}

Millis Clinic::next_due(const Chair& chair) const {
    if (settings_.shortcuts == ChairMonitor::Shortcuts::off) return Millis::min();
    if (!chair.session) return Millis::max();  // a reading or a start message comes first
    const Session& s = *chair.session;
    if (s.phase == Phase::observation && !s.discharge_ready && s.dose_end_clock &&
        s.clock - *s.dose_end_clock >= chair.monitor.profile().discharge.min_observation)
        return Millis::min();  // discharge readiness turns on values that change with time
    const auto flood_ends =
        chair.flood_noted ? chair.last_drop + settings_.flood_calm : Millis::max();
    const auto pause_ends = s.feed_pause ? s.feed_pause->until.mono : Millis::max();
    return std::min({s.last_reading.mono + settings_.session_idle_end, chair.monitor.wakes_at(),
                     pause_ends, chair.book.next_due(), flood_ends, link_due(chair),
                     chair.checks.next_due(chair.monitor.profile().checkpoints)});
}

Admission Clinic::on_message(std::string_view chair_id, Instant now,
                             std::vector<ClinicEvent>& out) {
    const double rate = settings_.max_messages_per_s;
    if (rate <= 0) return Admission::accepted;
    const auto at = slot_of(chair_id);
    if (at == ChairIndex::none) return Admission::accepted;  // its first reading creates it
    Chair& chair = *chairs_[at];
    const auto burst = static_cast<float>(std::max(1.0, rate * settings_.flood_burst_s));
    if (chair.tokens < 0) {
        chair.tokens = burst;
        chair.refilled = now.mono;
    }
    const auto elapsed = static_cast<double>((now.mono - chair.refilled).count()) / 1000.0;
    chair.tokens = std::min(burst, chair.tokens + static_cast<float>(elapsed * rate));
    chair.refilled = now.mono;
    if (chair.tokens >= 1) {
        chair.tokens -= 1;
        return Admission::accepted;
    }
    chair.last_drop = now.mono;
    if (!chair.flood_noted && chair.session) {
        chair.flood_noted = true;
        notice(chair, message_flood, flood_text, Priority::medium, now, out, AlarmKind::technical);
        due_[at] = next_due(chair);
    }
    return Admission::flooding;
}

void Clinic::check_flood(Chair& chair, Instant now, std::vector<ClinicEvent>& out) {
    if (!chair.flood_noted || now.mono - chair.last_drop < settings_.flood_calm) return;
    chair.flood_noted = false;
    ConditionChange t;
    t.condition = message_flood;
    t.state = ConditionState::cleared;
    t.cause = ClearCause::back_in_range;
    t.kind = AlarmKind::technical;
    t.at = now;
    changes_.push_back(t);
    publish(chair, *chair.session, out);
}

Admission Clinic::on_reading(std::string_view chair_id, const Reading& r, Instant now,
                             std::vector<ClinicEvent>& out) {
    return on_readings(chair_id, std::span<const Reading>(&r, 1), now, out);
}

Admission Clinic::on_readings(std::string_view chair_id, std::span<const Reading> readings,
                              Instant now, std::vector<ClinicEvent>& out) {
    if (readings.empty()) return Admission::accepted;
    Chair* chair = chair_for(chair_id, true);
    if (!chair) return Admission::too_many_chairs;
    if (chair->out_of_service) return Admission::out_of_service;
    chair->last_active = now.mono;
    if (!chair->session) open_session(*chair, chair_id, nullptr, now, out);
    Session& s = *chair->session;
    s.last_reading = now;
    for (const auto& r : readings) {
        s.record(r);
        auto& e = out.emplace_back();  // in place: an event carries a whole (empty) alarm
        e.type = ClinicEvent::Type::reading;
        e.session = &s;
        e.reading = r;
        s.clock = std::max(s.clock, r.device_ts);
        if (is_cuff(r.signal)) s.last_cuff_clock = r.device_ts;
        if (s.phase == Phase::baseline &&
            r.device_ts - s.start_clock >= chair->monitor.profile().baseline.seated_rest) {
            if (!chair->baseline) chair->baseline = std::make_unique<BaselineCollector>();
            chair->baseline->add(r, r.device_ts);
        }
        if (is_cuff(r.signal)) cuff_taken(*chair, now);
        if (is_cuff(r.signal) && chair->artifact_noted) {  // a valid cuff reading ends the note
            ConditionChange t;
            t.condition = bp_artifact;
            t.state = ConditionState::cleared;
            t.cause = ClearCause::valid_reading;
            t.kind = AlarmKind::technical;
            t.signal = r.signal;
            t.value = r.value;
            t.at = now;
            changes_.push_back(t);
            chair->artifact_noted = false;
        }
    }
    chair->monitor.on_readings(readings, now, changes_);
    publish(*chair, s, out);
    if (s.phase == Phase::observation) check_discharge(*chair, now, out);
    due_[chair->slot] = next_due(*chair);
    return Admission::accepted;
}

void Clinic::on_cuff_artifact(std::string_view chair_id, std::string_view why, Instant now,
                              std::vector<ClinicEvent>& out) {
    (void)why;  // the service log has the details; the note says what to do
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session || chair->artifact_noted) return;
    chair->artifact_noted = true;
    notice(*chair, bp_artifact, artifact_text, Priority::low, now, out, AlarmKind::technical);
}

ControlResult Clinic::on_control(std::string_view chair_id, ControlAction action,
                                 const SessionInfo& info, Instant now,
                                 std::vector<ClinicEvent>& out) {
    if (action == ControlAction::start) {
        if (!info.profile.empty() && !profiles_.find(info.profile))
            return ControlResult::unknown_profile;
        Chair* chair = chair_for(chair_id, true);
        if (!chair) return ControlResult::too_many_chairs;
        if (chair->out_of_service) return ControlResult::out_of_service;
        chair->last_active = now.mono;
        // The very start of the session that is open already (a QoS 1 message delivered again
        // after a restart, a station that sent it twice): nothing to do.
        if (chair->session && !info.session_id.empty() && chair->session->id == info.session_id &&
            chair->session->start_info && same_start(*chair->session->start_info, info))
            return ControlResult::ok;
        open_session(*chair, chair_id, &info, now, out);
        return ControlResult::ok;
    }
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return ControlResult::no_session;
    chair->last_active = now.mono;
    Session& s = *chair->session;
    switch (action) {
        case ControlAction::dose_start:
            if (s.phase != Phase::baseline && s.phase != Phase::monitoring)
                return ControlResult::wrong_phase;
            s.dose_start = now;
            if (info.devices) s.devices = info.devices;
            chair->monitor.set_dose_start(now);
            chair->checks.start(now.mono, chair->monitor.profile().checkpoints.size());
            form_baseline(*chair, now, out);
            set_phase(*chair, Phase::dosing, now, out);
            return ControlResult::ok;
        case ControlAction::dose_end:
            if (s.phase != Phase::dosing) return ControlResult::wrong_phase;
            s.dose_end = now;
            s.dose_end_clock = std::max(s.clock, info.ts.value_or(now.wall));
            set_phase(*chair, Phase::observation, now, out);
            return ControlResult::ok;
        default:
            end_session(*chair, now, EndReason::explicit_end, out);
            return ControlResult::ok;
    }
}

ControlResult Clinic::observe(std::string_view chair_id, const Observation& o, Instant now,
                              std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return ControlResult::no_session;
    chair->last_active = now.mono;
    chair->observation = o;
    ClinicEvent e{ClinicEvent::Type::observation, &*chair->session, {}, {}};
    e.observation = &chair->observation;
    out.push_back(std::move(e));
    return ControlResult::ok;
}

ControlResult Clinic::pause_feeds(std::string_view chair_id, Millis length, std::string_view reason,
                                  std::string_view by, Instant now, std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return ControlResult::no_session;
    if (length <= Millis(0) || length > settings_.max_feed_pause)
        return ControlResult::pause_too_long;
    chair->last_active = now.mono;
    Session& s = *chair->session;
    s.feed_pause = FeedPause{
        now, {now.mono + length, now.wall + length}, std::string(reason), std::string(by), {}};
    ClinicEvent e{ClinicEvent::Type::feed_pause, &s, {}, {}};
    e.pause = &*s.feed_pause;
    out.push_back(std::move(e));
    for (const auto& a : chair->book.listed()) {
        if (!a.feed || !a.active) continue;
        ConditionChange c = condition_of(a, ConditionState::cleared);
        c.cause = ClearCause::feeds_paused;
        c.at = now;
        changes_.push_back(c);
    }
    publish(*chair, s, out);
    due_[chair->slot] = next_due(*chair);
    return ControlResult::ok;
}

ControlResult Clinic::resume_feeds(std::string_view chair_id, std::string_view by, Instant now,
                                   std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return ControlResult::no_session;
    if (!chair->session->feed_pause) return ControlResult::not_paused;
    chair->last_active = now.mono;
    chair->session->feed_pause->ended_by = std::string(by);
    end_pause(*chair, now, PauseEnd::resumed, out);
    due_[chair->slot] = next_due(*chair);
    return ControlResult::ok;
}

ControlResult Clinic::change_limit(std::string_view chair_id, const LimitRequest& rq, Instant now,
                                   std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return ControlResult::no_session;
    const Profile& in_force = chair->monitor.profile();
    const LimitBound* bound = bound_of(in_force, rq.condition, rq.tier);
    const Tier* tier = changeable_tier(in_force, rq.condition, rq.tier);
    if (!bound || !tier) return ControlResult::unknown_limit;
    if (!(rq.value >= bound->min && rq.value <= bound->max))
        return ControlResult::limit_out_of_bounds;
    chair->last_active = now.mono;
    Session& s = *chair->session;
    s.limit_changes.push_back(
        {rq.condition, rq.tier, tier->limit, rq.value, rq.reason, rq.by, now});
    ClinicEvent e{ClinicEvent::Type::limit_changed, &s, {}, {}};
    e.limit_change = &s.limit_changes.back();
    out.push_back(std::move(e));
    auto changed = with_limits(std::make_shared<const Profile>(in_force), {s.limit_changes.back()});
    chair->monitor.set_profile(std::move(changed), now, changes_);
    publish(*chair, s, out);
    due_[chair->slot] = next_due(*chair);
    return ControlResult::ok;
}

std::vector<LimitInForce> Clinic::limits(std::string_view chair_id) const {
    const Chair* chair = find(chair_id);
    if (!chair || !chair->session) return {};
    return limits_in_force(chair->monitor.profile(), chair->session->limit_changes);
}

ControlResult Clinic::take_out_of_service(std::string_view chair_id, std::string_view reason,
                                          std::string_view by, Instant now) {
    Chair* chair = chair_for(chair_id, true);
    if (!chair) return ControlResult::too_many_chairs;
    if (chair->session) return ControlResult::session_open;
    if (chair->out_of_service) return ControlResult::out_of_service;
    chair->out_of_service = OutOfService{now.wall, std::string(reason), std::string(by)};
    chair->last_active = now.mono;
    return ControlResult::ok;
}

ControlResult Clinic::return_to_service(std::string_view chair_id, Instant now) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->out_of_service) return ControlResult::in_service;
    chair->out_of_service.reset();
    chair->last_active = now.mono;  // forgotten, if it stays silent, a full idle time from now
    return ControlResult::ok;
}

const OutOfService* Clinic::out_of_service(std::string_view chair_id) const {
    const Chair* chair = find(chair_id);
    return chair && chair->out_of_service ? &*chair->out_of_service : nullptr;
}

void Clinic::restore_out_of_service(std::string_view chair_id, OutOfService why) {
    if (Chair* chair = chair_for(chair_id, true); chair && !chair->session)
        chair->out_of_service = std::move(why);
}

void Clinic::end_pause(Chair& chair, Instant now, PauseEnd why, std::vector<ClinicEvent>& out) {
    Session& s = *chair.session;
    chair.ended_pause = std::move(*s.feed_pause);
    s.feed_pause.reset();
    ClinicEvent e{ClinicEvent::Type::feed_pause, &s, {}, {}};
    e.pause = &chair.ended_pause;
    e.pause_end = why;
    out.push_back(std::move(e));
    raise_held_feeds(chair, now);
    publish(chair, s, out);
}

void Clinic::raise_held_feeds(Chair& chair, Instant now) {
    const auto listed = chair.book.listed();
    for (const auto& c : chair.monitor.active_conditions()) {
        if (!c.feed || std::any_of(listed.begin(), listed.end(), [&](const AlarmTransition& a) {
                return a.active && a.condition == c.condition;
            }))
            continue;
        ConditionChange change = c;
        change.state = ConditionState::raised;
        change.onset = change.at = now;
        changes_.push_back(change);
    }
}

void Clinic::restore_feed_pause(std::string_view chair_id, const FeedPause* pause) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return;
    if (pause)
        chair->session->feed_pause = *pause;
    else
        chair->session->feed_pause.reset();
}

AckResult Clinic::acknowledge(std::string_view chair_id, std::string_view alert_id,
                              std::string_view by, Instant now, std::vector<ClinicEvent>& out,
                              const AckAction& action) {
    const auto id = parse_alert_id(alert_id);
    if (!id) return AckResult::malformed;
    if (id->site != settings_.site) return AckResult::other_site;
    if (id->chair != chair_id) return AckResult::other_chair;
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session || chair->session->id != id->session_id)
        return AckResult::not_open_session;
    Session& s = *chair->session;
    const auto no = id->alarm_no;
    published_.clear();
    const auto result = chair->book.acknowledge(
        no, by, now, chair->monitor.profile(), published_,
        action.empty() ? nullptr : std::make_shared<const AckAction>(action));
    for (const auto& t : published_) {
        s.record(t);
        out.push_back({ClinicEvent::Type::alarm, &s, {}, t});
    }
    return result;
}

bool Clinic::adopt_onset(std::string_view alert_id, Millis onset_wall) {
    const auto id = parse_alert_id(alert_id);
    Chair* chair = id && id->site == settings_.site ? chair_for(id->chair, false) : nullptr;
    if (!chair || !chair->session || chair->session->id != id->session_id) return false;
    return chair->book.adopt_onset(id->alarm_no, onset_wall);
}

void Clinic::on_tick(Instant now, std::vector<ClinicEvent>& out) {
    for (std::size_t i = 0; i < chairs_.size(); ++i) {
        if (now.mono < due_[i]) continue;
        Chair& chair = *chairs_[i];
        visit(chair, now, out);
        due_[i] = next_due(chair);
    }
}

void Clinic::on_tick(std::string_view chair_id, Instant now, std::vector<ClinicEvent>& out) {
    const auto at = slot_of(chair_id);
    if (at == ChairIndex::none) return;
    visit(*chairs_[at], now, out);
    due_[at] = next_due(*chairs_[at]);
}

void Clinic::visit(Chair& chair, Instant now, std::vector<ClinicEvent>& out) {
    if (!chair.session) return;
    Session& s = *chair.session;
    if (now.mono - s.last_reading.mono >= settings_.session_idle_end) {
        end_session(chair, now, EndReason::idle, out);
        return;
    }
    if (s.feed_pause && !replaying_ && now.mono >= s.feed_pause->until.mono)
        end_pause(chair, now, PauseEnd::expired, out);
    chair.monitor.on_tick(now, changes_);
    publish(chair, s, out);
    check_link(chair, now, out);
    check_flood(chair, now, out);
    published_.clear();
    if (!replaying_) chair.book.on_tick(now, chair.monitor.profile(), published_);
    for (const auto& t : published_) {
        s.record(t);
        out.push_back({ClinicEvent::Type::alarm, &s, {}, t});
    }
    check_checkpoints(chair, now, out);
    if (s.phase == Phase::observation) check_discharge(chair, now, out);
}

void Clinic::check_checkpoints(Chair& chair, Instant now, std::vector<ClinicEvent>& out) {
    const auto& list = chair.monitor.profile().checkpoints;
    for (const auto i : chair.checks.missed(list, now.mono))
        notice(chair, list[i].name, checkpoint_text, list[i].priority, now, out);
}

void Clinic::cuff_taken(Chair& chair, Instant now) {
    const auto& list = chair.monitor.profile().checkpoints;
    for (const auto i : chair.checks.on_cuff(list, now.mono)) {
        ConditionChange t;
        t.condition = list[i].name;
        t.priority = list[i].priority;
        t.state = ConditionState::cleared;
        t.cause = ClearCause::valid_reading;
        t.kind = AlarmKind::advisory;
        t.signal = Signal::sbp;
        t.at = now;
        changes_.push_back(t);
    }
}

std::vector<std::string> Clinic::forget_idle_chairs(Instant now) {
    std::vector<std::string> gone;
    for (auto i = chairs_.size(); i-- > 0;) {
        const Chair& chair = *chairs_[i];
        if (chair.session || chair.out_of_service ||
            now.mono - chair.last_active < settings_.forget_chair_after ||
            profiles_.chair_default.count(chair.id))
            continue;
        gone.push_back(chair.id);
        remove_chair(static_cast<std::uint32_t>(i));
    }
    return gone;
}

void Clinic::remove_chair(std::uint32_t at) {
    const auto last = static_cast<std::uint32_t>(chairs_.size() - 1);
    index_.erase(chairs_[at]->id, at);
    if (at != last) {
        index_.move(chairs_[last]->id, last, at);
        chairs_[at] = std::move(chairs_[last]);
        chairs_[at]->slot = at;
        due_[at] = due_[last];
    }
    chairs_.pop_back();
    due_.pop_back();
}

void Clinic::end_all(Instant now, EndReason reason, std::vector<ClinicEvent>& out) {
    for (auto& chair : chairs_)
        if (chair->session) end_session(*chair, now, reason, out);
    std::fill(due_.begin(), due_.end(), Millis::max());  // no session left
}

void Clinic::reconfigure(ClinicProfiles profiles, ClinicSettings settings, Instant now,
                         std::vector<ClinicEvent>& out) {
    profiles_ = std::move(profiles);
    settings.shortcuts = settings_.shortcuts;  // kept from construction
    settings_ = std::move(settings);
    std::fill(due_.begin(), due_.end(), Millis::min());
    for (auto& c : chairs_) {
        Chair& chair = *c;
        auto p = chair.session ? profiles_.find(chair.monitor.profile().name)
                               : profiles_.for_chair(chair.id);
        if (!p) continue;  // a profile that is gone stays in force until the session ends
        if (chair.session && chair.session->start_info)
            p = with_modifiers(p, session_flags(*chair.session->start_info)).profile;
        if (chair.session) p = with_limits(p, chair.session->limit_changes);
        chair.monitor.set_profile(p, now, changes_);
        if (chair.session) publish(chair, *chair.session, out);
        changes_.clear();
    }
}

std::string_view Clinic::last_base_id(const Chair& chair) {
    if (!chair.last_ended) return {};
    std::string_view id = chair.last_ended->id;
    if (chair.id_suffix) id.remove_suffix(std::to_string(chair.id_suffix).size() + 1);
    return id;
}

void Clinic::resume_implicit(std::string_view chair_id, std::string_view session_id, Instant now,
                             std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, true);
    if (!chair) return;
    chair->last_active = now.mono;
    open_session(*chair, chair_id, nullptr, now, out, session_id);
    due_[chair->slot] = next_due(*chair);
}

void Clinic::open_session(Chair& chair, std::string_view chair_id, const SessionInfo* info,
                          Instant now, std::vector<ClinicEvent>& out, std::string_view id) {
    if (chair.session) end_session(chair, now, EndReason::superseded, out);
    auto modified = with_modifiers(info && !info->profile.empty() ? profiles_.find(info->profile)
                                                                  : profiles_.for_chair(chair_id),
                                   info ? session_flags(*info) : std::vector<std::string>{});
    const auto& profile = modified.profile;
    chair.monitor.set_profile(profile, now, changes_);
    changes_.clear();  // no session, no alarms: nothing to carry
    chair.baseline.reset();
    chair.artifact_noted = false;
    chair.checks.clear();
    chair.flood_noted = false;
    chair.link_alarm.reset();
    chair.feeds_held = false;
    chair.book = AlarmBook{};  // alarm numbers start again with each session
    Session s;
    s.chair = std::string(chair_id);
    s.site = settings_.site;
    const auto base = info && !info->session_id.empty()
                          ? info->session_id
                          : make_session_id(chair_id, now, settings_.site);
    // Sessions of one chair started in the same second, or given an id an earlier session
    // used, must not share a log file or alert ids.
    chair.id_suffix = base == last_base_id(chair) ? chair.id_suffix + 1 : 0;
    const auto with_suffix = [&] {
        return chair.id_suffix ? base + "-" + std::to_string(chair.id_suffix) : base;
    };
    s.id = id.empty() ? with_suffix() : std::string(id);
    if (id.empty() && settings_.session_id_taken) {
        while (settings_.session_id_taken(chair_id, s.id)) {
            ++chair.id_suffix;
            s.id = with_suffix();
        }
    }
    s.implicit = info == nullptr;
    if (info) s.start_info = std::make_shared<const SessionInfo>(*info);
    if (info) s.devices = info->devices;
    s.profile = profile->name;
    s.modifiers = std::move(modified.applied);
    s.phase = info ? Phase::baseline : Phase::monitoring;
    s.started = s.last_reading = now;
    s.clock = s.start_clock = info && info->ts ? *info->ts : now.wall;
    chair.session = std::move(s);
    out.push_back({ClinicEvent::Type::session_started, &*chair.session, {}, {}});
    chair.monitor.watch_expected_feeds(now);
    chair.monitor.set_phase(chair.session->phase, now, changes_);
    publish(chair, *chair.session, out);
}

void Clinic::end_session(Chair& chair, Instant now, EndReason reason,
                         std::vector<ClinicEvent>& out) {
    chair.last_ended = std::make_unique<Session>(std::move(*chair.session));
    chair.session.reset();
    Session& s = *chair.last_ended;
    s.ended = now;
    s.end_reason = reason;
    chair.monitor.reset(now, ClearCause::session_ended, changes_);
    chair.link_alarm.reset();
    chair.feeds_held = false;
    publish(chair, s, out);
    published_.clear();
    chair.book.close_all(now, ClearCause::session_ended, published_);
    for (const auto& t : published_) {
        s.record(t);
        out.push_back({ClinicEvent::Type::alarm, &s, {}, t});
    }
    out.push_back({ClinicEvent::Type::session_ended, &s, {}, {}});
}

void Clinic::set_phase(Chair& chair, Phase phase, Instant now, std::vector<ClinicEvent>& out) {
    Session& s = *chair.session;
    s.phase = phase;
    out.push_back({ClinicEvent::Type::phase_changed, &s, {}, {}});
    chair.monitor.set_phase(phase, now, changes_);
    publish(chair, s, out);
    check_link(chair, now, out);  // dosing makes a lost link HIGH at once
}

void Clinic::form_baseline(Chair& chair, Instant now, std::vector<ClinicEvent>& out) {
    Session& s = *chair.session;
    const bool had_phase = s.phase == Phase::baseline;
    s.baseline = had_phase && chair.baseline
                     ? chair.baseline->form(chair.monitor.profile().baseline)
                     : Baseline{};
    chair.baseline.reset();  // formed once, at the dose
    s.baseline_formed = s.baseline.bp_formed();
    chair.monitor.set_baseline(s.baseline.value);
    if (s.baseline.bp_formed() && s.baseline.hr_formed()) return;
    const std::string_view why = !had_phase ? no_dose_baseline_text
                                 : !s.baseline.bp_formed() && !s.baseline.hr_formed()
                                     ? no_baseline_text
                                 : !s.baseline.bp_formed() ? no_bp_baseline_text
                                                           : no_hr_baseline_text;
    notice(chair, no_baseline, why, Priority::low, now, out);
}

void Clinic::check_discharge(Chair& chair, Instant now, std::vector<ClinicEvent>& out) {
    Session& s = *chair.session;
    const auto& d = chair.monitor.profile().discharge;
    if (s.discharge_ready || !s.dose_end_clock || s.clock - *s.dose_end_clock < d.min_observation)
        return;
    // The final NIBP is one taken after the observation time (REF §9 "final NIBP + HR"), and
    // still current (REF §8: never older than 15 min); so is the HR.
    if (s.last_cuff_clock < *s.dose_end_clock + d.min_observation) return;
    const auto sbp = chair.monitor.current_value(Signal::sbp, now.mono);
    const auto dbp = chair.monitor.current_value(Signal::dbp, now.mono);
    if (!sbp || !dbp || *sbp >= d.sbp_below || *dbp >= d.dbp_below) return;
    const auto hr = chair.monitor.current_value(Signal::hr, now.mono);
    if (!hr || *hr >= d.hr_below) return;
    const auto& base = s.baseline.value;
    const double f = 1.0 + d.within_pct_of_baseline / 100.0;
    if (base[index_of(Signal::sbp)] && *sbp > *base[index_of(Signal::sbp)] * f) return;
    if (base[index_of(Signal::dbp)] && *dbp > *base[index_of(Signal::dbp)] * f) return;
    for (const auto& a : chair.book.listed())
        if (a.kind == AlarmKind::physiological) return;
    s.discharge_ready = now;
    notice(chair, discharge_ready, discharge_text, Priority::low, now, out);
}

void Clinic::notice(Chair& chair, std::string_view condition, std::string_view text, Priority p,
                    Instant now, std::vector<ClinicEvent>& out, AlarmKind kind) {
    ConditionChange t;
    t.condition = condition;
    t.kind = kind;
    t.signal = Signal::sbp;
    t.state = ConditionState::raised;
    t.priority = p;
    t.onset = t.at = now;
    t.text_hint = text;
    changes_.push_back(t);
    publish(chair, *chair.session, out);
}

void Clinic::publish(Chair& chair, Session& session, std::vector<ClinicEvent>& out) {
    if (changes_.empty()) return;  // most readings change nothing
    if (replaying_) {              // the log says what was published
        changes_.clear();
        return;
    }
    // Paused feeds raise nothing, nor do the feeds of a monitor whose link alarm stands for
    // them; a clear of an unlisted one is a no-op.
    const bool link_holds = chair.link.offline() || chair.link_alarm || chair.feeds_held;
    if (session.feed_pause || link_holds) {
        const auto held = std::erase_if(changes_, [](const ConditionChange& c) {
            return c.feed && c.state != ConditionState::cleared;
        });
        if (held && link_holds && chair.session && &*chair.session == &session)
            chair.feeds_held = true;
    }
    published_.clear();
    for (const auto& c : changes_)
        chair.book.apply(c, chair.monitor.profile(), published_);
    changes_.clear();
    std::optional<Instant> breakthrough;
    for (const auto& t : published_) {
        session.record(t);
        out.push_back({ClinicEvent::Type::alarm, &session, {}, t});
        if (t.kind == AlarmKind::physiological && t.active && t.priority == Priority::high &&
            (t.state == AlarmState::raised || t.state == AlarmState::updated))
            breakthrough = t.at;
    }
    // A HIGH physiological alarm ends a feed pause: the nurse must trust every feed again.
    if (breakthrough && session.feed_pause && chair.session && &*chair.session == &session)
        end_pause(chair, *breakthrough, PauseEnd::high_alarm, out);
}

void Clinic::restore_alarm(std::string_view chair_id, const AlarmTransition& logged) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return;
    AlarmTransition t = logged;
    if (!t.text_hint.empty()) t.text_hint = notice_text(t.text_hint);
    chair->book.restore(t, chair->monitor.profile());
    chair->session->record(t);
    if (t.condition == bp_artifact) chair->artifact_noted = t.active;
    if (t.condition == message_flood) {
        chair->flood_noted = t.active;
        chair->last_drop = t.at.mono;
    }
    if (t.condition == monitor_link_lost) restore_link(*chair, t);
}

void Clinic::finish_replay(std::string_view chair_id, Instant now, std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, false);
    if (!chair || !chair->session) return;
    if (now.mono - chair->session->last_reading.mono >= settings_.session_idle_end) {
        end_session(*chair, now, EndReason::idle, out);
        due_[chair->slot] = next_due(*chair);
        return;
    }
    const auto listed = chair->book.listed();
    const auto engine = chair->monitor.active_conditions();
    for (const auto& c : engine) {
        const auto it = std::find_if(listed.begin(), listed.end(), [&](const AlarmTransition& a) {
            return a.active && a.condition == c.condition;
        });
        if (it != listed.end() && it->priority == c.priority) continue;
        ConditionChange change = c;
        change.state = it == listed.end() ? ConditionState::raised : ConditionState::updated;
        change.at = now;
        changes_.push_back(change);
    }
    // An alarm the log lists as active whose rule or feed is quiet now ends as it would have.
    const auto in_engine = [&](std::string_view condition) {
        return std::any_of(engine.begin(), engine.end(),
                           [&](const ConditionChange& c) { return c.condition == condition; });
    };
    const auto& profile = chair->monitor.profile();
    for (const auto& l : listed) {
        if (!l.active || in_engine(l.condition)) continue;
        const bool rule = std::any_of(profile.rules.begin(), profile.rules.end(),
                                      [&](const Rule& r) { return r.condition == l.condition; });
        const bool feed =
            std::any_of(profile.feeds.begin(), profile.feeds.end(),
                        [&](const FeedRule& f) { return f.condition == l.condition; });
        if (!rule && !feed) continue;  // the Clinic's own notices end by themselves
        ConditionChange change = condition_of(l, ConditionState::cleared);
        change.cause = feed ? ClearCause::feed_resumed : ClearCause::back_in_range;
        change.at = now;
        changes_.push_back(change);
    }
    publish(*chair, *chair->session, out);
    due_[chair->slot] = next_due(*chair);
}

std::vector<AlarmTransition> Clinic::listed_alarms(std::string_view chair_id) const {
    const Chair* chair = find(chair_id);
    if (!chair || !chair->session) return {};
    return chair->book.listed();
}

const Session* Clinic::session(std::string_view chair_id) const {
    const Chair* chair = find(chair_id);
    if (!chair || !chair->session) return nullptr;
    return &*chair->session;
}

std::vector<std::string> Clinic::chairs() const {
    std::vector<std::string> ids;
    for (const auto& chair : chairs_)
        ids.push_back(chair->id);
    return ids;
}

std::size_t Clinic::open_sessions() const {
    std::size_t n = 0;
    for (const auto& chair : chairs_)
        n += chair->session ? 1 : 0;
    return n;
}

}  // namespace chairwatch::alerts
