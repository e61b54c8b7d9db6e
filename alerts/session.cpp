#include "alerts/session.hpp"

#include <algorithm>

#include "alerts/time_format.hpp"

namespace chairwatch::alerts {

std::string_view to_string(EndReason r) {
    switch (r) {
        case EndReason::idle:
            return "idle";
        case EndReason::shutdown:
            return "shutdown";
        case EndReason::explicit_end:
            return "end";
        case EndReason::superseded:
            return "superseded";
    }
    return "unknown";
}

const SessionInfo& Session::info() const {
    static const SessionInfo none;
    return start_info ? *start_info : none;
}

void Session::record(const AlarmTransition& t) {
    const bool open_record = std::any_of(alarms.rbegin(), alarms.rend(), [&](const AlarmRecord& r) {
        return r.alarm_no == t.alarm_no && !r.end;
    });
    if (t.state == AlarmState::raised && !open_record) {
        AlarmRecord rec;
        rec.alarm_no = t.alarm_no;
        rec.condition = std::string(t.condition);
        rec.kind = t.kind;
        rec.feed = t.feed;
        rec.signal = t.signal;
        rec.max_priority = t.priority;
        rec.limit = t.limit;
        rec.high = t.high;
        rec.peak = t.peak;
        rec.onset = t.onset;
        alarms.push_back(std::move(rec));
        return;
    }
    for (auto it = alarms.rbegin(); it != alarms.rend(); ++it) {
        if (it->alarm_no != t.alarm_no) continue;
        if (t.priority > it->max_priority) {
            it->max_priority = t.priority;
            it->limit = t.limit;
        }
        it->peak = t.peak;
        if (t.state == AlarmState::escalated) ++it->escalations;
        if (t.state == AlarmState::acknowledged && !it->acknowledged_at) {
            it->acknowledged_by = t.acknowledged_by;
            it->acknowledged_at = t.acknowledged_at;
        }
        if (t.state == AlarmState::cleared && !it->end) {
            it->end = t.at;
            it->cause = t.cause;
        }
        return;
    }
}

std::string Session::alert_id(std::uint32_t alarm_no) const {
    return id + "-a" + std::to_string(alarm_no);
}

std::string make_session_id(std::string_view chair, Instant start) {
    std::string id(chair);
    id += '-';
    id += format_compact(start.wall);
    return id;
}

}  // namespace chairwatch::alerts
