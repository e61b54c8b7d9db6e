#include "alerts/alarm_book.hpp"

#include <algorithm>

namespace chairwatch::alerts {

namespace {

AlarmState state_of(ConditionState s) {
    switch (s) {
        case ConditionState::raised:
            return AlarmState::raised;
        case ConditionState::updated:
            return AlarmState::updated;
        case ConditionState::cleared:
            break;
    }
    return AlarmState::cleared;
}

// A raised alarm: the change's condition, and a lifecycle that starts now.
AlarmTransition raised_alarm(std::uint32_t alarm_no, const ConditionChange& change,
                             Priority max_priority) {
    AlarmTransition a;
    a.alarm_no = alarm_no;
    a.kind = change.kind;
    a.state = AlarmState::raised;
    a.onset = change.onset;
    a.text_hint = change.text_hint;
    take_condition(a, change);
    a.max_priority = max_priority;
    return a;
}

}  // namespace

std::string_view to_string(AckResult r) {
    switch (r) {
        case AckResult::ok:
            return "ok";
        case AckResult::unknown:
            return "unknown alert_id";
        case AckResult::already_cleared:
            return "alarm already cleared";
        case AckResult::already_acknowledged:
            return "alarm already acknowledged";
        case AckResult::malformed:
            return "malformed alert_id (expected <chair>:<session_id>:a<n>)";
        case AckResult::other_chair:
            return "alert_id belongs to another chair";
        case AckResult::not_open_session:
            return "alert_id is not of the chair's open session (the session ended or never ran)";
        case AckResult::other_site:
            return "alert_id belongs to another site";
    }
    return "unknown";
}

AlarmBook::Entry* AlarmBook::find_condition(std::string_view condition) {
    for (auto& e : entries_)
        if (e.alarm.condition == condition) return &e;
    return nullptr;
}

AlarmBook::Entry* AlarmBook::find_no(std::uint32_t alarm_no) {
    for (auto& e : entries_)
        if (e.alarm.alarm_no == alarm_no) return &e;
    return nullptr;
}

bool AlarmBook::adopt_onset(std::uint32_t alarm_no, Millis onset_wall) {
    auto* e = find_no(alarm_no);
    if (!e) return false;
    e->alarm.onset.wall = onset_wall;
    return true;
}

bool AlarmBook::has(std::uint32_t alarm_no) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.alarm.alarm_no == alarm_no; });
}

void AlarmBook::schedule_escalation(Entry& e, Millis from, const Profile& profile) const {
    const auto& policy = profile.escalation[static_cast<std::size_t>(e.alarm.priority)];
    const bool escalates = e.alarm.kind != AlarmKind::advisory && policy.after.count() > 0;
    e.next_escalation = escalates ? from + policy.after : Millis(-1);
}

void AlarmBook::schedule_repeat(Entry& e, Millis from, const Profile& profile) {
    const auto& policy = profile.escalation[static_cast<std::size_t>(e.alarm.priority)];
    e.next_escalation = policy.repeat.count() > 0 ? from + policy.repeat : Millis(-1);
}

void AlarmBook::schedule_ack_expiry(Entry& e, Millis from, const Profile& profile) {
    e.next_escalation = Millis(-1);
    // Notices (advisories, technical notes) stay acknowledged; alarms re-alarm if the condition
    // outlasts the acknowledgement.
    e.ack_until = profile.ack_lasts.count() > 0 && !is_notice(e.alarm) ? from + profile.ack_lasts
                                                                       : Millis(-1);
}

// An alarm is acknowledged by someone, at some time, or by no one.
void AlarmBook::forget_ack(AlarmTransition& a) {
    a.acknowledged = false;
    a.acknowledged_by.clear();
    a.acknowledged_at = {};
    a.ack_action.reset();
}

void AlarmBook::remove(std::uint32_t alarm_no) {
    std::erase_if(entries_, [&](const Entry& e) { return e.alarm.alarm_no == alarm_no; });
}

void AlarmBook::apply(const ConditionChange& change, const Profile& profile,
                      std::vector<AlarmTransition>& out) {
    Entry* e = find_condition(change.condition);
    if (change.state == ConditionState::raised) {
        auto max = change.priority;
        std::uint32_t no = 0;
        if (e) {  // a latched alarm whose condition is back: the same alarm, active again
            no = e->alarm.alarm_no;
            max = std::max(e->alarm.max_priority, max);
        } else {
            entries_.push_back({});
            e = &entries_.back();
            no = next_no_++;
        }
        e->alarm = raised_alarm(no, change, max);
        schedule_escalation(*e, change.at.mono, profile);
        out.push_back(e->alarm);
        return;
    }
    if (!e) return;
    // The engine's view of the condition, with the book's view of the alarm's life kept.
    AlarmTransition& a = e->alarm;
    const auto before = a.priority;
    take_condition(a, change);
    a.state = state_of(change.state);
    a.active = true;
    a.latched = false;
    a.realarm = false;
    a.max_priority = std::max(a.max_priority, change.priority);
    if (change.state == ConditionState::updated) {
        if (change.priority > before) {  // a higher priority breaks through an acknowledgement
            forget_ack(a);
            e->ack_until = Millis(-1);
        }
        if (change.priority != before && !a.acknowledged)
            schedule_escalation(*e, change.at.mono, profile);
        out.push_back(a);
        return;
    }
    // Cleared: a physiological alarm of a latching priority waits for its acknowledgement.
    const bool latch = a.kind == AlarmKind::physiological && profile.latches(a.max_priority) &&
                       !a.acknowledged && change.cause == ClearCause::back_in_range;
    a.active = false;
    a.latched = latch;
    out.push_back(a);
    if (!latch) remove(a.alarm_no);
}

void AlarmBook::on_tick(Instant now, const Profile& profile, std::vector<AlarmTransition>& out) {
    for (auto& e : entries_) {
        AlarmTransition& a = e.alarm;
        if (a.acknowledged && a.active && e.ack_until.count() >= 0 && now.mono >= e.ack_until) {
            forget_ack(a);  // the acknowledgement ran out while the condition persists
            a.realarm = true;
            a.state = AlarmState::raised;
            a.at = now;
            e.ack_until = Millis(-1);
            schedule_escalation(e, now.mono, profile);
            out.push_back(a);
            continue;
        }
        if (a.acknowledged || e.next_escalation.count() < 0 || now.mono < e.next_escalation)
            continue;
        ++a.escalation_level;
        a.state = AlarmState::escalated;
        a.realarm = false;
        a.at = now;
        // The repeat keeps its cadence from when this escalation was due, so an escalation
        // made late (ticks, a restart's downtime) does not push the next one back; one that is
        // overdue again after that starts from now rather than firing in a burst.
        schedule_repeat(e, e.next_escalation, profile);
        if (e.next_escalation.count() >= 0 && e.next_escalation <= now.mono)
            schedule_repeat(e, now.mono, profile);
        out.push_back(a);
    }
}

Millis AlarmBook::next_due() const {
    Millis due = Millis::max();
    for (const auto& e : entries_) {
        const AlarmTransition& a = e.alarm;
        if (a.acknowledged && a.active && e.ack_until.count() >= 0)
            due = std::min(due, e.ack_until);
        else if (!a.acknowledged && e.next_escalation.count() >= 0)
            due = std::min(due, e.next_escalation);
    }
    return due;
}

AckResult AlarmBook::acknowledge(std::uint32_t alarm_no, std::string_view by, Instant now,
                                 const Profile& profile, std::vector<AlarmTransition>& out,
                                 std::shared_ptr<const AckAction> action) {
    Entry* e = find_no(alarm_no);
    // Numbers are handed out in order and an alarm leaves the book only when it ends: any
    // number below the next one that is not listed belongs to an alarm that is over.
    if (!e)
        return alarm_no != 0 && alarm_no < next_no_ ? AckResult::already_cleared
                                                    : AckResult::unknown;
    AlarmTransition& a = e->alarm;
    if (a.acknowledged) return AckResult::already_acknowledged;
    a.acknowledged = true;
    a.acknowledged_by = std::string(by);
    a.acknowledged_at = now;
    a.ack_action = std::move(action);
    a.state = AlarmState::acknowledged;
    a.realarm = false;
    a.at = now;
    schedule_ack_expiry(*e, now.mono, profile);
    const bool done = !a.active;  // a latched alarm: acknowledged, it is done
    a.latched = false;
    out.push_back(a);
    if (done) remove(alarm_no);
    return AckResult::ok;
}

void AlarmBook::close_all(Instant now, ClearCause cause, std::vector<AlarmTransition>& out) {
    for (auto& e : entries_) {
        AlarmTransition& a = e.alarm;
        a.state = AlarmState::cleared;
        a.active = false;
        a.latched = false;
        a.cause = cause;
        a.at = now;
        out.push_back(a);
    }
    entries_.clear();
}

void AlarmBook::restore(const AlarmTransition& logged, const Profile& profile) {
    next_no_ = std::max(next_no_, logged.alarm_no + 1);
    Entry* e = find_no(logged.alarm_no);
    if (!logged.active && !logged.latched) {  // cleared, or a latched alarm acknowledged
        if (e) remove(logged.alarm_no);
        return;
    }
    if (!e) {
        entries_.push_back({});
        e = &entries_.back();
    }
    const auto before = e->alarm.alarm_no ? e->alarm.priority : logged.priority;
    e->alarm = logged;
    const auto from = logged.at.mono;
    switch (logged.state) {
        case AlarmState::raised:
            e->ack_until = Millis(-1);
            schedule_escalation(*e, from, profile);
            break;
        case AlarmState::updated:
            if (logged.priority > before) e->ack_until = Millis(-1);
            if (logged.priority != before && !logged.acknowledged)
                schedule_escalation(*e, from, profile);
            break;
        case AlarmState::escalated:
            schedule_repeat(*e, from, profile);
            break;
        case AlarmState::acknowledged:
            schedule_ack_expiry(*e, logged.acknowledged_at.mono, profile);
            break;
        case AlarmState::cleared:  // latched: its escalation goes on
            break;
    }
}

std::vector<AlarmTransition> AlarmBook::listed() const {
    std::vector<AlarmTransition> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_)
        out.push_back(e.alarm);
    return out;
}

}  // namespace chairwatch::alerts
