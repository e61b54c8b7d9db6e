#include "daemon/ha/group_messages.hpp"

#include <boost/json.hpp>

#include "drivers/codec/json_writer.hpp"
#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::daemon::ha {

namespace json = boost::json;

namespace {

std::optional<json::object> object_of(std::string_view payload) {
    boost::system::error_code ec;
    auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}

std::string string_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string encode_claim(const Claim& c, alerts::Millis wall) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("instance").value(c.instance);
    w.key("run").value(c.run);
    w.key("term").value(static_cast<std::int64_t>(c.term));
    w.key("ts").time(wall);
    w.end_object();
    return out;
}

std::optional<Claim> decode_claim(std::string_view payload) {
    const auto o = object_of(payload);
    if (!o) return std::nullopt;
    const auto* term = o->if_contains("term");
    if (!term || !term->is_int64() || term->as_int64() < 0) return std::nullopt;
    return Claim{string_at(*o, "instance"), string_at(*o, "run"),
                 static_cast<std::uint64_t>(term->as_int64())};
}

std::string encode_status(const Claim& me, bool online, std::string_view role, std::uint64_t term,
                          alerts::Millis wall, std::string_view reason) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("state").value(online ? "online" : "offline");
    w.key("instance").value(me.instance);
    w.key("run").value(me.run);
    if (!role.empty()) w.key("role").value(role);
    if (term > 0) w.key("term").value(static_cast<std::int64_t>(term));
    if (wall.count() > 0) w.key("ts").time(wall);
    if (!reason.empty()) w.key("reason").value(reason);
    w.end_object();
    return out;
}

std::optional<InstanceStatus> decode_status(std::string_view payload) {
    const auto o = object_of(payload);
    if (!o) return std::nullopt;
    const auto state = string_at(*o, "state");
    if (state != "online" && state != "offline") return std::nullopt;
    return InstanceStatus{string_at(*o, "instance"), state == "online", string_at(*o, "run")};
}

std::optional<std::string> status_instance(const GroupTopics& t, std::string_view topic) {
    constexpr std::string_view leaf = "/status";
    if (topic.size() <= t.base.size() + 1 + leaf.size() || !topic.starts_with(t.base) ||
        topic[t.base.size()] != '/' || !topic.ends_with(leaf))
        return std::nullopt;
    const auto name =
        topic.substr(t.base.size() + 1, topic.size() - t.base.size() - 1 - leaf.size());
    if (name.find('/') != std::string_view::npos) return std::nullopt;
    return std::string(name);
}

std::optional<std::string> action_chair(const GroupTopics& t, std::string_view topic) {
    constexpr std::string_view head = "/actions/", leaf = "/session";
    if (topic.size() <= t.base.size() + head.size() + leaf.size() || !topic.starts_with(t.base) ||
        topic.substr(t.base.size(), head.size()) != head || !topic.ends_with(leaf))
        return std::nullopt;
    const auto from = t.base.size() + head.size();
    const auto chair = topic.substr(from, topic.size() - from - leaf.size());
    if (chair.find('/') != std::string_view::npos) return std::nullopt;
    return std::string(chair);
}

std::string encode_action(std::string_view payload, std::string_view session_id) {
    auto o = object_of(payload);
    if (!o || session_id.empty() || string_at(*o, "action") != "start") return std::string(payload);
    (*o)["session_id"] = session_id;
    return json::serialize(*o);
}

std::optional<AlertKey> decode_alert_key(std::string_view payload) {
    const auto o = object_of(payload);
    if (!o) return std::nullopt;
    AlertKey k{string_at(*o, "alert_id"),
               string_at(*o, "state"),
               drivers::parse_iso8601(string_at(*o, "onset")),
               drivers::parse_iso8601(string_at(*o, "ts")),
               string_at(*o, "acknowledged_by"),
               string_at(*o, "action_taken"),
               string_at(*o, "action_note")};
    if (k.alert_id.empty() || k.state.empty()) return std::nullopt;
    return k;
}

}  // namespace chairwatch::daemon::ha
