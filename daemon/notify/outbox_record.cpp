#include "daemon/notify/outbox_record.hpp"

#include <boost/json.hpp>

#include "drivers/codec/json_writer.hpp"

namespace chairwatch::daemon::notify {

namespace json = boost::json;
using alerts::Millis;

namespace {

void write_instant(drivers::JsonWriter& w, std::string_view key, alerts::Instant t) {
    w.key(key).begin_array().value(static_cast<std::int64_t>(t.mono.count()));
    w.value(static_cast<std::int64_t>(t.wall.count())).end_array();
}

void write_transition(drivers::JsonWriter& w, const alerts::AlarmTransition& t) {
    w.begin_object();
    w.key("no").value(static_cast<std::int64_t>(t.alarm_no));
    w.key("condition").value(t.condition);
    w.key("kind").value(alerts::to_string(t.kind));
    w.key("state").value(alerts::to_string(t.state));
    w.key("priority").value(alerts::to_string(t.priority));
    w.key("max_priority").value(alerts::to_string(t.max_priority));
    w.key("signal").value(alerts::to_string(t.signal));
    w.key("cause").value(alerts::to_string(t.cause));
    w.key("value").number(t.value, 3);
    w.key("limit").number(t.limit, 3);
    w.key("baseline").number(t.baseline, 3);
    w.key("peak").number(t.peak, 3);
    w.key("flags").value(static_cast<std::int64_t>(
        (t.inclusive ? 1 : 0) | (t.high ? 2 : 0) | (t.relative ? 4 : 0) | (t.rise_rule ? 8 : 0) |
        (t.feed ? 16 : 0) | (t.active ? 32 : 0) | (t.latched ? 64 : 0) |
        (t.acknowledged ? 128 : 0) | (t.realarm ? 256 : 0)));
    w.key("escalation_level").value(t.escalation_level);
    w.key("acknowledged_by").value(t.acknowledged_by);
    write_instant(w, "acknowledged_at", t.acknowledged_at);
    write_instant(w, "onset", t.onset);
    write_instant(w, "at", t.at);
    w.end_object();
}

alerts::Instant instant(const json::value& v) {
    const auto& a = v.as_array();
    return {Millis(a.at(0).to_number<std::int64_t>()), Millis(a.at(1).to_number<std::int64_t>())};
}

std::string str(const json::object& o, std::string_view key) {
    return std::string(o.at(key).as_string());
}

template <typename T, typename Parse>
T parsed(const json::object& o, std::string_view key, Parse parse) {
    if (auto v = parse(o.at(key).as_string())) return *v;
    throw std::invalid_argument("bad " + std::string(key));
}

alerts::AlarmTransition read_transition(const json::object& o) {
    alerts::AlarmTransition t;
    t.alarm_no = static_cast<std::uint32_t>(o.at("no").to_number<std::int64_t>());
    t.condition = str(o, "condition");
    t.kind = parsed<alerts::AlarmKind>(o, "kind", alerts::parse_alarm_kind);
    t.state = parsed<alerts::AlarmState>(o, "state", alerts::parse_alarm_state);
    t.priority = parsed<alerts::Priority>(o, "priority", alerts::parse_priority);
    t.max_priority = parsed<alerts::Priority>(o, "max_priority", alerts::parse_priority);
    t.signal = parsed<alerts::Signal>(o, "signal", alerts::parse_signal);
    t.cause = parsed<alerts::ClearCause>(o, "cause", alerts::parse_clear_cause);
    t.value = o.at("value").to_number<double>();
    t.limit = o.at("limit").to_number<double>();
    t.baseline = o.at("baseline").to_number<double>();
    t.peak = o.at("peak").to_number<double>();
    const auto f = o.at("flags").to_number<std::int64_t>();
    t.inclusive = f & 1;
    t.high = f & 2;
    t.relative = f & 4;
    t.rise_rule = f & 8;
    t.feed = f & 16;
    t.active = f & 32;
    t.latched = f & 64;
    t.acknowledged = f & 128;
    t.realarm = f & 256;
    t.escalation_level = static_cast<int>(o.at("escalation_level").to_number<std::int64_t>());
    t.acknowledged_by = str(o, "acknowledged_by");
    t.acknowledged_at = instant(o.at("acknowledged_at"));
    t.onset = instant(o.at("onset"));
    t.at = instant(o.at("at"));
    return t;
}

}  // namespace

std::string encode_record(const OutboxRecord& r) {
    std::string out;
    drivers::JsonWriter w(out);
    const auto& n = r.notification;
    w.begin_object();
    w.key("seq").value(static_cast<std::int64_t>(r.seq));
    w.key("receiver").value(r.receiver);
    w.key("fallback").value(r.fallback);
    w.key("fell_back").value(r.fell_back);
    w.key("queued").value(static_cast<std::int64_t>(r.queued.count()));
    w.key("key").value(n.key);
    w.key("chair").value(n.chair);
    w.key("session_id").value(n.session_id);
    if (!n.site.empty()) w.key("site").value(n.site);
    w.key("patient_ref").value(n.patient_ref);
    w.key("test").value(n.test);
    w.key("texts").begin_array();
    for (const auto& t : n.texts)
        w.value(t);
    w.end_array();
    w.key("transitions").begin_array();
    for (const auto& t : n.transitions)
        write_transition(w, t);
    w.end_array();
    w.end_object();
    return out;
}

std::optional<OutboxRecord> decode_record(std::string_view text) {
    try {
        const auto v = json::parse(text);
        const auto& o = v.as_object();
        OutboxRecord r;
        r.seq = static_cast<std::uint64_t>(o.at("seq").to_number<std::int64_t>());
        r.receiver = str(o, "receiver");
        r.fallback = str(o, "fallback");
        r.fell_back = o.at("fell_back").as_bool();
        r.queued = Millis(o.at("queued").to_number<std::int64_t>());
        auto& n = r.notification;
        n.key = str(o, "key");
        n.chair = str(o, "chair");
        n.session_id = str(o, "session_id");
        if (o.contains("site")) n.site = str(o, "site");
        n.patient_ref = str(o, "patient_ref");
        n.test = o.at("test").as_bool();
        for (const auto& t : o.at("texts").as_array())
            n.texts.emplace_back(t.as_string());
        for (const auto& t : o.at("transitions").as_array())
            n.transitions.push_back(read_transition(t.as_object()));
        if (n.texts.size() != n.transitions.size() || n.transitions.empty() || r.receiver.empty())
            return std::nullopt;
        return r;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace chairwatch::daemon::notify
