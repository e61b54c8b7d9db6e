#include "drivers/codec/control_codec.hpp"

#include <boost/json.hpp>
#include <cmath>

#include "drivers/codec/json_fields.hpp"
#include "drivers/codec/json_writer.hpp"
#include "drivers/codec/payload_codec.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::drivers {

namespace json = boost::json;

namespace {

bool free_text(const json::object& o, const char* key, std::string& out, std::string& error) {
    return text(o, key, out, error, max_observation_text, "bytes");
}

bool number(const json::object& o, const char* key, std::optional<double>& out, double lo,
            double hi, std::string& error) {
    auto* v = o.if_contains(key);
    if (!v) return true;
    double d = v->is_double()  ? v->get_double()
               : v->is_int64() ? static_cast<double>(v->get_int64())
                               : std::nan("");
    if (!std::isfinite(d) || d < lo || d > hi) {
        error = std::string(key) + " must be a number from " +
                std::to_string(static_cast<int>(lo)) + " to " +
                std::to_string(static_cast<int>(hi));
        return false;
    }
    out = d;
    return true;
}

bool flag(const json::object& o, const char* key, std::optional<bool>& out, std::string& error) {
    auto* v = o.if_contains(key);
    if (!v) return true;
    if (!v->is_bool()) {
        error = std::string(key) + " must be true or false";
        return false;
    }
    out = v->get_bool();
    return true;
}

// The fields that select the profile's modifiers (alerts::session_flags).
bool read_flags(const json::object& o, alerts::SessionInfo& i, std::string& error) {
    return flag(o, "age_65_plus", i.age_65_plus, error) && number(o, "age", i.age, 0, 130, error) &&
           flag(o, "hypertension", i.hypertension, error) &&
           number(o, "session_number", i.session_number, 1, 10000, error) &&
           flag(o, "sedatives", i.sedatives, error);
}

// kind, value, text and by of {"action":"observation"}; "" if they make an observation.
std::string observation(const json::object& o, alerts::Observation& ob) {
    std::string error;
    if (!text(o, "kind", ob.kind, error) || !text(o, "value", ob.value, error) ||
        !text(o, "by", ob.by, error))
        return error;
    if (!free_text(o, "text", ob.text, error)) return error;
    if (ob.by.empty()) return "by is missing (who observed)";
    const bool scaled = ob.kind == "sedation" || ob.kind == "dissociation";
    if (scaled) {
        if (ob.value != "none" && ob.value != "present" && ob.value != "resolved")
            return ob.kind + " needs value none, present or resolved, not '" +
                   printable(ob.value, 32) + "'";
        return {};
    }
    if (ob.kind != "adverse_event" && ob.kind != "note")
        return "kind must be sedation, dissociation, adverse_event or note, not '" +
               printable(ob.kind, 32) + "'";
    if (!ob.value.empty()) return ob.kind + " takes no value (its text says what happened)";
    if (ob.text.empty()) return ob.kind + " needs a text";
    return {};
}

// minutes, reason and by of {"action":"pause_feeds"}; by of {"action":"resume_feeds"}.
std::string feed_pause(const json::object& o, FeedPauseRequest& p) {
    std::string error;
    std::optional<double> minutes;
    if (!text(o, "reason", p.reason, error) || !text(o, "by", p.by, error) ||
        !number(o, "minutes", minutes, 0, 1440, error))
        return error;
    if (p.by.empty()) return "by is missing (who pauses or resumes)";
    if (p.resume) return {};
    if (!minutes || *minutes <= 0) return "minutes is missing (how long to pause, more than 0)";
    if (p.reason.empty()) return "reason is missing (why the feed alarms are paused)";
    p.minutes = *minutes;
    return {};
}

// reason and by of {"action":"out_of_service"}; by of {"action":"in_service"}.
std::string chair_service(const json::object& o, ServiceRequest& r) {
    std::string error;
    if (!text(o, "reason", r.reason, error) || !text(o, "by", r.by, error)) return error;
    if (r.by.empty()) return "by is missing (who takes the chair out of or back into service)";
    if (!r.in_service && r.reason.empty())
        return "reason is missing (why the chair is out of service)";
    return {};
}

// rule, tier, value, reason and by of {"action":"limit_change"}: all required. The reason is
// free text (the session log and the report have it, the service log never does).
std::string limit_change(const json::object& o, alerts::LimitRequest& l) {
    std::string error;
    std::optional<double> tier, value;
    if (!text(o, "rule", l.condition, error) || !text(o, "by", l.by, error) ||
        !free_text(o, "reason", l.reason, error) || !number(o, "tier", tier, 1, 16, error) ||
        !number(o, "value", value, 0, 1000, error))
        return error;
    if (l.by.empty()) return "by is missing (who changes the limit)";
    if (l.condition.empty()) return "rule is missing (the condition whose limit changes)";
    if (!tier) return "tier is missing (a whole number from 1)";
    if (*tier != std::floor(*tier)) return "tier must be a whole number from 1 to 16";
    if (!value) return "value is missing (the new limit)";
    if (l.reason.empty()) return "reason is missing (why the limit changes for this patient)";
    l.tier = static_cast<int>(*tier);
    l.value = *value;
    return {};
}

}  // namespace

std::variant<ControlMessage, std::string> decode_control(std::string_view payload,
                                                         std::size_t max_bytes) {
    auto parsed = parse_object(payload, max_bytes);
    if (auto* e = std::get_if<std::string>(&parsed)) return *e;
    const auto& o = std::get<json::object>(parsed);
    ControlMessage m;
    std::string action, error;
    if (!text(o, "action", action, error)) return error;
    if (action == "start")
        m.action = alerts::ControlAction::start;
    else if (action == "dose_start")
        m.action = alerts::ControlAction::dose_start;
    else if (action == "dose_end")
        m.action = alerts::ControlAction::dose_end;
    else if (action == "end")
        m.action = alerts::ControlAction::end;
    else if (action == "observation")
        m.observation.emplace();
    else if (action == "pause_feeds" || action == "resume_feeds")
        m.pause.emplace().resume = action == "resume_feeds";
    else if (action == "out_of_service" || action == "in_service")
        m.service.emplace().in_service = action == "in_service";
    else if (action == "limit_change")
        m.limit.emplace();
    else
        return "action must be start, dose_start, dose_end, end, observation, pause_feeds, "
               "resume_feeds, out_of_service, in_service or limit_change, not '" +
               printable(action, 32) + "'";
    if (m.observation) {
        if (auto e = observation(o, *m.observation); !e.empty()) return e;
    }
    if (m.pause) {
        if (auto e = feed_pause(o, *m.pause); !e.empty()) return e;
    }
    if (m.service) {
        if (auto e = chair_service(o, *m.service); !e.empty()) return e;
    }
    if (m.limit) {
        if (auto e = limit_change(o, *m.limit); !e.empty()) return e;
    }
    auto& i = m.info;
    if (!text(o, "session_id", i.session_id, error) || !text(o, "profile", i.profile, error) ||
        !text(o, "route", i.route, error) || !text(o, "patient_ref", i.patient_ref, error) ||
        !number(o, "weight_kg", i.weight_kg, 1, 400, error) ||
        !number(o, "dose_mg_per_kg", i.dose_mg_per_kg, 0, 10, error) ||
        !number(o, "planned_duration_min", i.planned_duration_min, 0, 1440, error) ||
        !number(o, "devices", i.devices, 1, 3, error) || !read_flags(o, i, error))
        return error;
    if (i.devices && *i.devices != std::floor(*i.devices))
        return std::string("devices must be a whole number from 1 to 3");
    if (!i.session_id.empty() && !valid_chair_id(i.session_id))
        return "session_id must be 1-64 of A-Z a-z 0-9 - _ . (it names the log file)";
    if (auto* ts = o.if_contains("ts");
        ts && !ts->is_number() && !(ts->is_string() && parse_iso8601(ts->get_string())))
        return std::string("ts must be epoch seconds or ISO-8601 with a zone");
    return m;
}

std::variant<AckMessage, std::string> decode_ack(std::string_view payload, std::size_t max_bytes) {
    auto parsed = parse_object(payload, max_bytes);
    if (auto* e = std::get_if<std::string>(&parsed)) return *e;
    const auto& o = std::get<json::object>(parsed);
    AckMessage m;
    std::string error;
    if (!text(o, "alert_id", m.alert_id, error) || !text(o, "by", m.by, error) ||
        !text(o, "action_taken", m.action.taken, error) ||
        !free_text(o, "action_note", m.action.note, error))
        return error;
    if (m.alert_id.empty()) return std::string("alert_id is missing");
    if (m.by.empty()) return std::string("by is missing (who acknowledges)");
    return m;
}

std::string encode_result(bool ok, std::string_view key, std::string_view id,
                          std::string_view error, std::string_view ts_iso,
                          std::string_view session_id) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("ok").value(ok);
    w.key(key).value(id);
    if (!ok) w.key("error").value(error);
    if (!session_id.empty()) w.key("session_id").value(session_id);
    w.key("ts").value(ts_iso);
    w.end_object();
    return out;
}

}  // namespace chairwatch::drivers
