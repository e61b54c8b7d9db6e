#include "board/group_model.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "drivers/codec/json_writer.hpp"
#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::board {

namespace {

namespace json = boost::json;

// The alert fields a group board shows (docs/mqtt-interface.md, "Alerts out"); the rest of a
// listed alarm stays on the site's own board.
constexpr std::array<std::string_view, 15> shown_fields{
    "alert_id", "session_id", "condition", "kind",   "priority", "state",        "signal", "value",
    "unit",     "onset",      "ts",        "active", "latched",  "acknowledged", "text"};

// Of <prefix>/<chair>/state (daemon/chair_state.hpp), beside its "values".
constexpr std::array<std::string_view, 7> state_fields{"session_id", "open",     "phase", "started",
                                                       "dose_start", "dose_end", "ts"};
constexpr std::array<std::string_view, 7> signals{"hr", "sbp", "dbp", "map", "spo2", "rr", "etco2"};

int rank(std::string_view priority) {
    if (priority == "high") return 3;
    if (priority == "medium") return 2;
    if (priority == "low") return 1;
    return 0;
}

std::string_view text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

bool plain(const json::value& v) {
    return v.is_string() || v.is_number() || v.is_bool() || v.is_null();
}

std::int64_t seconds_between(alerts::Millis from, alerts::Millis to) {
    return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

}  // namespace

GroupModel::GroupModel(std::vector<GroupSite> sites, GroupLimits limits) : limits_(limits) {
    for (auto& s : sites) {
        if (s.status_topic.empty()) s.status_topic = s.prefix + "/chairwatchd/status";
        sites_.push_back(Site{std::move(s), {}, {}, {}});
    }
}

std::vector<std::string> GroupModel::filters() const {
    std::vector<std::string> out;
    for (const auto& s : sites_) {
        out.push_back(s.cfg.prefix + "/+/alarms");
        out.push_back(s.cfg.prefix + "/+/state");
        out.push_back(s.cfg.status_topic);
        out.push_back(s.cfg.prefix + "/_group/+/+/status");
    }
    return out;
}

GroupModel::Site* GroupModel::site_of(std::string_view topic, std::string_view& rest) {
    for (auto& s : sites_) {
        const std::string_view p = s.cfg.prefix;
        if (topic.size() > p.size() && topic.starts_with(p) && topic[p.size()] == '/') {
            rest = topic.substr(p.size() + 1);
            return &s;
        }
    }
    return nullptr;
}

void GroupModel::on_message(std::string_view topic, std::string_view payload, alerts::Millis wall) {
    if (payload.size() > limits_.max_payload_bytes) {
        ++rejected_;
        return;
    }
    for (auto& s : sites_)
        if (topic == s.cfg.status_topic) {
            if (!on_status(s.status, payload, wall)) ++rejected_;
            return;
        }
    std::string_view rest;
    Site* site = site_of(topic, rest);
    if (!site) {
        ++ignored_;
        return;
    }
    const auto slash = rest.find('/');
    const auto first = rest.substr(0, slash);
    if (first == "_group") {
        // _group/<name>/<instance>/status
        const auto parts = rest.substr(slash + 1);
        const auto a = parts.find('/');
        const auto b = a == std::string_view::npos ? a : parts.find('/', a + 1);
        if (b == std::string_view::npos || parts.substr(b + 1) != "status") {
            ++ignored_;
            return;
        }
        const auto instance = parts.substr(a + 1, b - a - 1);
        auto& st = site->instances[std::string(instance)];
        if (!on_status(st, payload, wall)) ++rejected_;
        return;
    }
    const auto leaf = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if ((leaf != "alarms" && leaf != "state") || !drivers::valid_chair_id(first)) {
        ++ignored_;
        return;
    }
    const bool ok = leaf == "alarms" ? on_alarms(*site, first, payload, wall)
                                     : on_state(*site, first, payload, wall);
    if (!ok) ++rejected_;
}

bool GroupModel::on_status(Status& s, std::string_view payload, alerts::Millis wall) {
    json::error_code ec;
    const auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) return false;
    const auto& o = v.as_object();
    const auto state = text_of(o, "state");
    if (state != "online" && state != "offline") return false;
    Status next;
    next.state = state;
    next.instance = text_of(o, "instance");
    next.role = text_of(o, "role");
    next.reason = text_of(o, "reason");
    next.ts = text_of(o, "ts");
    if (const auto* t = o.if_contains("term"); t && t->is_int64()) next.term = t->as_int64();
    next.received = wall;
    s = std::move(next);
    return true;
}

GroupModel::Chair* GroupModel::chair_of(Site& site, std::string_view chair) {
    auto it = site.chairs.find(chair);
    if (it != site.chairs.end()) return &it->second;
    if (site.chairs.size() >= limits_.max_chairs_per_site) return nullptr;
    return &site.chairs.emplace(std::string(chair), Chair{}).first->second;
}

bool GroupModel::on_state(Site& site, std::string_view chair, std::string_view payload,
                          alerts::Millis wall) {
    json::error_code ec;
    const auto v = json::parse(payload, ec);
    if (ec || !v.is_object()) return false;
    Chair* c = chair_of(site, chair);
    if (!c) return false;
    json::object kept;
    for (const auto key : state_fields)
        if (const auto* f = v.as_object().if_contains(key); f && plain(*f)) kept[key] = *f;
    json::object values;
    if (const auto* vs = v.as_object().if_contains("values"); vs && vs->is_object())
        for (const auto signal : signals)
            if (const auto* s = vs->as_object().if_contains(signal); s && s->is_object()) {
                json::object one;
                for (const auto key : {"value", "ts"})
                    if (const auto* f = s->as_object().if_contains(key); f && plain(*f))
                        one[key] = *f;
                values[signal] = std::move(one);
            }
    kept["values"] = std::move(values);
    c->state = json::serialize(kept);
    c->state_received = wall;
    return true;
}

bool GroupModel::on_alarms(Site& site, std::string_view chair, std::string_view payload,
                           alerts::Millis wall) {
    json::error_code ec;
    const auto v = json::parse(payload, ec);
    if (ec || !v.is_array()) return false;
    Chair* c = chair_of(site, chair);
    if (!c) return false;
    json::array shown;
    std::string highest;
    for (const auto& a : v.as_array()) {
        if (!a.is_object() || shown.size() >= limits_.max_alarms_per_chair) continue;
        json::object kept;
        for (const auto key : shown_fields)
            if (const auto* f = a.as_object().if_contains(key); f && plain(*f)) kept[key] = *f;
        const auto p = text_of(kept, "priority");
        if (rank(p) > rank(highest) || (highest.empty() && !p.empty())) highest = p;
        shown.push_back(std::move(kept));
    }
    c->alarms = json::serialize(shown);
    c->highest = std::move(highest);
    c->count = shown.size();
    c->received = wall;
    return true;
}

void GroupModel::set_connected(bool connected, alerts::Millis wall) {
    if (connected == connected_) return;
    connected_ = connected;
    connection_changed_ = wall;
}

std::string GroupModel::site_json(const Site& s, alerts::Millis wall) const {
    std::string out;
    drivers::JsonWriter w(out);
    const auto& st = s.status;
    std::string stale_reason;
    if (!connected_)
        stale_reason = "the group board is not connected to the broker";
    else if (st.state.empty())
        stale_reason = "no status from this site's chairwatchd";
    else if (st.state == "offline")
        stale_reason = "this site's chairwatchd is offline";
    else if (const auto i = s.instances.find(st.instance);
             !st.instance.empty() && i != s.instances.end() && i->second.state == "offline")
        stale_reason = "its active instance " + st.instance + " is offline and no other took over";
    w.begin_object();
    w.key("name").value(s.cfg.name);
    w.key("prefix").value(s.cfg.prefix);
    const bool active_gone = stale_reason.starts_with("its active");
    w.key("state").value(st.state.empty() ? std::string_view("unknown")
                         : active_gone    ? std::string_view("offline")
                                          : std::string_view(st.state));
    w.key("stale").value(!stale_reason.empty());
    if (!stale_reason.empty()) w.key("stale_reason").value(stale_reason);
    if (!st.instance.empty()) w.key("active_instance").value(st.instance);
    if (!st.reason.empty()) w.key("reason").value(st.reason);
    if (!st.ts.empty()) w.key("status_ts").value(st.ts);
    if (!st.state.empty()) w.key("status_age_s").value(seconds_between(st.received, wall));
    w.key("instances").begin_array();
    for (const auto& [name, i] : s.instances) {
        w.begin_object();
        w.key("instance").value(name);
        w.key("state").value(i.state);
        if (!i.role.empty()) w.key("role").value(i.role);
        if (i.term >= 0) w.key("term").value(i.term);
        w.end_object();
    }
    w.end_array();
    w.key("chairs").begin_array();
    for (const auto& [name, c] : s.chairs) {
        w.begin_object();
        w.key("chair").value(name);
        w.key("count").value(static_cast<std::uint64_t>(c.count));
        if (!c.highest.empty()) w.key("highest").value(c.highest);
        if (c.received) w.key("age_s").value(seconds_between(*c.received, wall));
        w.key("alarms").raw(c.alarms);  // already JSON, written by Boost.JSON
        if (!c.state.empty()) {
            w.key("state").raw(c.state);
            w.key("state_age_s").value(seconds_between(c.state_received, wall));
        }
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return out;
}

std::string GroupModel::json(alerts::Millis wall) const {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("connected").value(connected_);
    w.key("ts").time(wall);
    w.key("sites").begin_array();
    for (const auto& s : sites_)
        w.raw(site_json(s, wall));
    w.end_array();
    w.end_object();
    return out;
}

}  // namespace chairwatch::board
