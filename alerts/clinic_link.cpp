// The Clinic's part of a chair's monitor link (REF §8 "link lost"): monitor_link_lost, and the
// feed alarms it stands for while the monitor is offline (docs/sessions-and-alarms.md).
#include "alerts/clinic.hpp"

namespace chairwatch::alerts {

namespace {

double seconds_of(Millis m) {
    return static_cast<double>(m.count()) / 1000.0;
}

}  // namespace

Admission Clinic::on_monitor_status(std::string_view chair_id, bool online, std::string_view device,
                                    Instant now, std::vector<ClinicEvent>& out) {
    Chair* chair = chair_for(chair_id, true);
    if (!chair) return Admission::too_many_chairs;
    chair->last_active = now.mono;
    chair->link.on_status(online, now.mono, device);
    if (chair->session) check_link(*chair, now, out);
    due_[chair->slot] = next_due(*chair);
    return chair->out_of_service ? Admission::out_of_service : Admission::accepted;
}

const MonitorLink* Clinic::monitor_link(std::string_view chair_id) const {
    const Chair* chair = find(chair_id);
    return chair ? &chair->link : nullptr;
}

void Clinic::check_link(Chair& chair, Instant now, std::vector<ClinicEvent>& out) {
    if (replaying_) return;  // the log's own lines restore the alarm (restore_link)
    Session& s = *chair.session;
    const Millis after = chair.monitor.profile().monitor_lost;
    std::optional<Priority> want;
    if (!s.feed_pause) {
        want = chair.link.wanted(now.mono, s.started.mono, after, s.phase == Phase::dosing);
        // While offline it stands for the feeds it holds back: raised as soon as one of them
        // would have been, never below the priority any of them would have.
        if (chair.link.offline())
            for (const auto& c : chair.monitor.active_conditions())
                if (c.feed && (!want || c.priority > *want)) want = c.priority;
    }
    if (want != chair.link_alarm) {
        ConditionChange t;
        t.condition = monitor_link_lost;
        t.kind = AlarmKind::technical;
        t.text_hint = monitor_link_text;
        t.inclusive = false;
        t.limit = seconds_of(after);
        t.value = chair.link.offline() ? seconds_of(now.mono - chair.link.since()) : 0;
        t.at = now;
        if (want) {
            t.state = chair.link_alarm ? ConditionState::updated : ConditionState::raised;
            t.priority = *want;
            t.onset = now;
        } else {
            t.state = ConditionState::cleared;
            t.priority = *chair.link_alarm;
            t.cause = s.feed_pause ? ClearCause::feeds_paused : ClearCause::feed_resumed;
        }
        chair.link_alarm = want;
        changes_.push_back(t);
        publish(chair, s, out);
    }
    // Back online for the link delay: the feeds still silent alarm for themselves again.
    if (chair.feeds_held && !chair.link_alarm && !chair.link.offline() &&
        now.mono - chair.link.since() > after) {
        chair.feeds_held = false;
        raise_held_feeds(chair, now);
        publish(chair, s, out);
    }
}

Millis Clinic::link_due(const Chair& chair) const {
    const Millis after = chair.monitor.profile().monitor_lost;
    if (chair.link.offline()) {
        // Raised for a held feed below what the delay brings: the delay is still to come. (The
        // phase, the feeds and statuses change it by other calls.)
        const auto by_delay =
            chair.session->phase == Phase::dosing ? Priority::high : Priority::medium;
        return chair.link_alarm && *chair.link_alarm >= by_delay
                   ? Millis::max()
                   : chair.link.due(chair.session->started.mono, after);
    }
    if (chair.feeds_held && !chair.link_alarm) return chair.link.since() + after + Millis(1);
    return Millis::max();
}

void Clinic::restore_link(Chair& chair, const AlarmTransition& logged) {
    if (logged.active) {
        // Raised once the delay had run (or sooner, for a held feed): the loss is taken to be
        // that much older, so the alarm comes back as it was, never lower.
        chair.link_alarm = logged.priority;
        chair.link.on_status(false, logged.onset.mono - chair.monitor.profile().monitor_lost);
        return;
    }
    chair.link_alarm.reset();
    // Cleared by a feed pause, the monitor was still offline; else it had come back.
    if (logged.cause != ClearCause::feeds_paused) chair.link.on_status(true, logged.at.mono);
}

}  // namespace chairwatch::alerts
