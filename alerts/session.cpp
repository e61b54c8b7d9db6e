#include "alerts/session.hpp"

#include <algorithm>
#include <charconv>

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

std::string_view to_string(PauseEnd e) {
    switch (e) {
        case PauseEnd::expired:
            return "expired";
        case PauseEnd::resumed:
            return "resumed";
        case PauseEnd::high_alarm:
            return "high_alarm";
    }
    return "unknown";
}

std::optional<PauseEnd> parse_pause_end(std::string_view name) {
    for (auto e : {PauseEnd::expired, PauseEnd::resumed, PauseEnd::high_alarm})
        if (to_string(e) == name) return e;
    return std::nullopt;
}

bool same_start(const SessionInfo& a, const SessionInfo& b) {
    return a.session_id == b.session_id && a.profile == b.profile && a.route == b.route &&
           a.weight_kg == b.weight_kg && a.dose_mg_per_kg == b.dose_mg_per_kg &&
           a.devices == b.devices && a.planned_duration_min == b.planned_duration_min &&
           a.patient_ref == b.patient_ref && a.age_65_plus == b.age_65_plus && a.age == b.age &&
           a.hypertension == b.hypertension && a.session_number == b.session_number &&
           a.sedatives == b.sedatives;
}

std::vector<std::string> session_flags(const SessionInfo& info) {
    std::vector<std::string> flags;
    if (info.age_65_plus.value_or(false) || info.age.value_or(0) >= 65)
        flags.emplace_back("age_65_plus");
    if (info.hypertension.value_or(false)) flags.emplace_back("hypertension");
    if (info.session_number && *info.session_number <= 3) flags.emplace_back("first_sessions");
    if (info.sedatives.value_or(false)) flags.emplace_back("sedatives");
    return flags;
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
            it->ack_action = t.ack_action;
        }
        if (t.state == AlarmState::cleared && !it->end) {
            it->end = t.at;
            it->cause = t.cause;
        }
        return;
    }
}

std::string Session::alert_id(std::uint32_t alarm_no) const {
    std::string out;
    out.reserve(site.size() + chair.size() + id.size() + 15);
    if (!site.empty()) out.append(site).append(":");
    out.append(chair).append(":").append(id).append(":a").append(std::to_string(alarm_no));
    return out;
}

std::optional<AlertId> parse_alert_id(std::string_view id) {
    std::string_view parts[4];
    std::size_t count = 0;
    for (std::size_t from = 0;;) {
        const auto colon = id.find(':', from);
        if (count == 4) return std::nullopt;
        parts[count++] = id.substr(from, colon == std::string_view::npos ? colon : colon - from);
        if (colon == std::string_view::npos) break;
        from = colon + 1;
    }
    if (count < 3) return std::nullopt;
    for (std::size_t i = 0; i < count; ++i)
        if (parts[i].empty()) return std::nullopt;
    AlertId a;
    const std::size_t first = count - 3;
    if (first == 1) a.site = parts[0];
    a.chair = parts[first];
    a.session_id = parts[first + 1];
    const auto number = parts[first + 2];
    if (number.size() < 2 || number[0] != 'a' || number[1] == '0') return std::nullopt;
    const auto digits = number.substr(1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), a.alarm_no);
    if (ec != std::errc{} || p != digits.data() + digits.size()) return std::nullopt;
    return a;
}

std::string make_session_id(std::string_view chair, Instant start, std::string_view site) {
    std::string id(site);
    if (!site.empty()) id += '-';
    id += chair;
    id += '-';
    id += format_compact(start.wall);
    return id;
}

}  // namespace chairwatch::alerts
