#include "drivers/session_log/log_reader.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <limits>

#include "drivers/session_log/log_fields.hpp"
#include "drivers/session_log/schema.hpp"

namespace chairwatch::drivers {

namespace json = boost::json;
namespace key = log_schema::key;

namespace {

std::optional<alerts::EndReason> parse_end_reason(std::string_view name) {
    using alerts::EndReason;
    for (auto r :
         {EndReason::idle, EndReason::shutdown, EndReason::explicit_end, EndReason::superseded})
        if (alerts::to_string(r) == name) return r;
    return std::nullopt;
}

// A start is used once its time, chair and session are known; what else is wrong is said.
std::optional<LogEntry> start(LogFields& f) {
    LogStart s;
    s.ts = f.time(key::ts);
    s.chair = f.text(key::chair);
    s.session_id = f.text(key::session_id);
    if (!f.ok()) return std::nullopt;
    if (const auto v = f.opt_integer(key::version)) {
        if (*v < 1 || *v > std::numeric_limits<int>::max()) {
            f.fail("field 'v' is not a format version");
        } else {
            s.version = static_cast<int>(*v);
            if (s.version > log_schema::version)
                f.fail("format version " + std::to_string(s.version) +
                       " is newer than this reader's (" + std::to_string(log_schema::version) +
                       "); fields it does not know are ignored");
        }
    }
    s.site = f.opt_text(key::site);
    s.implicit = f.flag(key::implicit, false);
    s.profile = f.opt_text(key::profile);
    s.phase = alerts::parse_phase(f.opt_text(key::phase));
    s.route = f.opt_text(key::route);
    s.weight_kg = f.opt_number(key::weight_kg);
    s.dose_mg_per_kg = f.opt_number(key::dose_mg_per_kg);
    s.planned_duration_min = f.opt_number(key::planned_duration_min);
    s.patient_ref = f.opt_text(key::patient_ref);
    s.age_65_plus = f.opt_flag(key::age_65_plus);
    s.age = f.opt_number(key::age);
    s.hypertension = f.opt_flag(key::hypertension);
    s.sedatives = f.opt_flag(key::sedatives);
    s.session_number = f.opt_number(key::session_number);
    s.devices = f.opt_number(key::devices);
    return s;
}

std::optional<LogEntry> reading(LogFields& f) {
    LogReading r;
    const auto name = f.text(key::signal);
    r.value = f.number(key::value);
    r.ts = f.time(key::ts);
    r.rx = f.opt_time(key::rx);
    if (!f.ok()) return std::nullopt;
    const auto signal = alerts::parse_signal(name);
    if (!signal) {
        f.fail("unknown signal '" + name + "'");
        return std::nullopt;
    }
    r.signal = *signal;
    return r;
}

std::optional<LogEntry> phase(LogFields& f) {
    LogPhase p;
    const auto name = f.text(key::phase);
    p.ts = f.time(key::ts);
    if (!f.ok()) return std::nullopt;
    const auto phase = alerts::parse_phase(name);
    if (!phase) {
        f.fail("unknown phase '" + name + "'");
        return std::nullopt;
    }
    p.phase = *phase;
    p.devices = f.opt_number(key::devices);
    if (const auto* b = f.object(key::baseline)) {
        auto& values = p.baseline.emplace();
        for (auto s : alerts::all_signals) {
            const auto* v = b->if_contains(alerts::to_string(s));
            if (v && v->is_number()) values[alerts::index_of(s)] = v->to_number<double>();
        }
    }
    return p;
}

std::optional<LogEntry> alarm(LogFields& f) {
    LogAlarm a;
    a.alert_id = f.text(key::alert_id);
    a.alarm_no = alarm_no_of(a.alert_id);
    a.condition = f.text(key::condition);
    const auto kind = alerts::parse_alarm_kind(f.text(key::kind));
    const auto priority = alerts::parse_priority(f.text(key::priority));
    const auto state = alerts::parse_alarm_state(f.text(key::state));
    a.chair = f.opt_text(key::chair);
    a.session_id = f.opt_text(key::session_id);
    a.signal = alerts::parse_signal(f.opt_text(key::signal));
    const auto value = f.opt_number(key::value);
    a.value = value.value_or(0);
    a.limit = f.opt_number(key::limit).value_or(0);
    a.peak = f.opt_number(key::peak).value_or(a.value);
    a.unit = f.opt_text(key::unit);
    a.ts = f.time(key::ts);
    a.onset = f.opt_time(key::onset).value_or(a.ts);
    const auto cause = f.opt_text(key::cause);
    a.active = f.flag(key::active, state != alerts::AlarmState::cleared);
    a.latched = f.flag(key::latched, false);
    a.acknowledged = f.flag(key::acknowledged, false);
    a.acknowledged_by = f.opt_text(key::acknowledged_by);
    a.acknowledged_at = f.opt_time(key::acknowledged_at);
    a.action_taken = f.opt_text(key::action_taken);
    a.action_note = f.opt_text(key::action_note);
    a.escalation_level = static_cast<int>(f.opt_number(key::escalation_level).value_or(0));
    a.phase = alerts::parse_phase(f.opt_text(key::phase));
    a.text = f.opt_text(key::text);
    a.seq = f.opt_integer(key::seq);
    a.baseline = f.opt_number(key::baseline).value_or(0);
    a.high = f.flag(key::high, true);
    a.inclusive = f.flag(key::inclusive, true);
    a.relative = f.flag(key::relative, false);
    a.rise_rule = f.flag(key::rise_rule, false);
    a.feed = f.flag(key::feed, a.unit == "s");
    a.realarm = f.flag(key::realarm, false);
    a.hint = f.opt_text(key::hint);
    if (!f.ok()) return std::nullopt;
    if (!kind || !priority || !state) {
        const auto k = !kind ? key::kind : !priority ? key::priority : key::state;
        f.fail("unknown kind, priority or state: " + std::string(k) + " '" + f.opt_text(k) + "'");
        return std::nullopt;
    }
    a.kind = *kind;
    a.priority = *priority;
    a.state = *state;
    a.max_priority = alerts::parse_priority(f.opt_text(key::max_priority)).value_or(a.priority);
    if (!cause.empty()) {
        a.cause = alerts::parse_clear_cause(cause);
        if (!a.cause) {
            f.fail("unknown cause '" + cause + "'");
            return std::nullopt;
        }
    }
    return a;
}

std::optional<LogEntry> end(LogFields& f) {
    LogEnd e;
    e.ts = f.time(key::ts);
    const auto reason = f.opt_text(key::reason);
    e.discharge_ready = f.flag(key::discharge_ready, false);
    if (!f.ok()) return std::nullopt;
    if (!reason.empty()) {
        e.reason = parse_end_reason(reason);
        if (!e.reason) {
            f.fail("unknown reason '" + reason + "'");
            return std::nullopt;
        }
    }
    e.chair = f.opt_text(key::chair);
    e.session_id = f.opt_text(key::session_id);
    e.note = f.opt_text(key::note);
    return e;
}

std::optional<LogEntry> receipt(LogFields& f) {
    LogReceipt r;
    r.ts = f.time(key::ts);
    r.alert_id = f.text(key::alert_id);
    r.status = f.text(key::status);
    r.reported_at = f.opt_time(key::reported_at);
    if (!f.ok()) return std::nullopt;
    r.chair = f.opt_text(key::chair);
    r.session_id = f.opt_text(key::session_id);
    r.person = f.opt_text(key::person);
    r.device = f.opt_text(key::device);
    r.control_id = f.opt_text(key::control_id);
    return r;
}

std::optional<LogEntry> service_alarm(LogFields& f) {
    LogServiceAlarm a;
    a.ts = f.time(key::ts);
    a.alert_id = f.text(key::alert_id);
    a.condition = f.text(key::condition);
    a.state = f.text(key::state);
    if (!f.ok()) return std::nullopt;
    a.chair = f.opt_text(key::chair);
    a.session_id = f.opt_text(key::session_id);
    a.priority = f.opt_text(key::priority);
    a.text = f.opt_text(key::text);
    return a;
}

std::optional<LogEntry> observation(LogFields& f) {
    LogObservation o;
    o.ts = f.time(key::ts);
    o.kind = f.text(key::kind);
    o.by = f.text(key::by);
    if (!f.ok()) return std::nullopt;
    o.chair = f.opt_text(key::chair);
    o.session_id = f.opt_text(key::session_id);
    o.value = f.opt_text(key::value);
    o.text = f.opt_text(key::text);
    return o;
}

std::optional<LogEntry> feed_pause(LogFields& f) {
    LogFeedPause p;
    p.ts = f.time(key::ts);
    const auto state = f.text(key::state);
    p.since = f.time(key::since);
    p.until = f.time(key::until);
    p.reason = f.text(key::reason);
    p.by = f.text(key::by);
    if (f.ok() && state != "paused" && state != "ended")
        f.fail("state '" + state + "' is not paused or ended");
    if (!f.ok()) return std::nullopt;
    p.ended = state == "ended";
    p.chair = f.opt_text(key::chair);
    p.session_id = f.opt_text(key::session_id);
    p.cause = alerts::parse_pause_end(f.opt_text(key::cause));
    p.ended_by = f.opt_text(key::ended_by);
    return p;
}

std::optional<LogEntry> limit_change(LogFields& f) {
    LogLimitChange c;
    c.ts = f.time(key::ts);
    c.condition = f.text(key::condition);
    const auto tier = f.opt_integer(key::tier);
    c.from = f.number(key::from);
    c.to = f.number(key::to);
    c.reason = f.text(key::reason);
    c.by = f.text(key::by);
    if (f.ok() && (!tier || *tier < 1 || *tier > 16)) f.fail("field 'tier' is not a tier from 1");
    if (!f.ok()) return std::nullopt;
    c.tier = static_cast<int>(*tier);
    c.chair = f.opt_text(key::chair);
    c.session_id = f.opt_text(key::session_id);
    return c;
}

}  // namespace

LogLine parse_log_line(std::string_view text, int number) {
    LogLine line;
    line.number = number;
    boost::system::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        // The last line of a log cut off by a crash is expected to be incomplete.
        line.problem =
            ec ? "not a JSON object (not JSON: " + ec.message() + ")" : "not a JSON object";
        return line;
    }
    LogFields f(v.get_object());
    const auto type = f.text(key::type);
    namespace type_of = log_schema::line;
    if (type == type_of::reading)
        line.entry = reading(f);
    else if (type == type_of::alarm)
        line.entry = alarm(f);
    else if (type == type_of::phase)
        line.entry = phase(f);
    else if (type == type_of::session_start)
        line.entry = start(f);
    else if (type == type_of::session_end)
        line.entry = end(f);
    else if (type == type_of::receipt)
        line.entry = receipt(f);
    else if (type == type_of::service_alarm)
        line.entry = service_alarm(f);
    else if (type == type_of::observation)
        line.entry = observation(f);
    else if (type == type_of::feed_pause)
        line.entry = feed_pause(f);
    else if (type == type_of::limit_change)
        line.entry = limit_change(f);
    else if (f.ok())
        f.fail("unknown type '" + type + "'");
    line.problem = f.problem();
    return line;
}

bool LogReader::next(LogLine& line) {
    while (std::getline(in_, text_)) {
        ++number_;
        if (text_.find_first_not_of(" \t\r") == std::string::npos) continue;
        line = parse_log_line(text_, number_);
        return true;
    }
    return false;
}

alerts::SessionInfo session_info(const LogStart& s) {
    alerts::SessionInfo i;
    i.session_id = s.session_id;
    i.profile = s.profile;
    i.route = s.route;
    i.weight_kg = s.weight_kg;
    i.dose_mg_per_kg = s.dose_mg_per_kg;
    i.planned_duration_min = s.planned_duration_min;
    i.patient_ref = s.patient_ref;
    i.age_65_plus = s.age_65_plus;
    i.age = s.age;
    i.hypertension = s.hypertension;
    i.sedatives = s.sedatives;
    i.session_number = s.session_number;
    i.devices = s.devices;
    return i;
}

std::uint32_t alarm_no_of(std::string_view id) {
    if (const auto parsed = alerts::parse_alert_id(id)) return parsed->alarm_no;
    const auto at = id.rfind("-a");
    if (at == std::string_view::npos) return 0;
    std::uint32_t no = 0;
    const auto digits = id.substr(at + 2);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), no);
    return ec == std::errc{} && p == digits.data() + digits.size() ? no : 0;
}

}  // namespace chairwatch::drivers
