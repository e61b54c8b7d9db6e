#include "daemon/service_alarms.hpp"

#include "drivers/codec/json_writer.hpp"

namespace chairwatch::daemon {

std::optional<ServiceAlert> ServiceAlarms::raise(const std::string& condition, alerts::Priority p,
                                                 const std::string& text, alerts::Millis wall) {
    auto it = raised_.find(condition);
    if (it != raised_.end()) {
        if (it->second.priority == p) return std::nullopt;
        it->second.priority = p;
        return encode(condition, it->second, "updated", true, text, wall);
    }
    Raised r{++last_no_, p, wall};
    raised_.emplace(condition, r);
    return encode(condition, r, "raised", true, text, wall);
}

std::optional<ServiceAlert> ServiceAlarms::clear(const std::string& condition,
                                                 const std::string& text, alerts::Millis wall) {
    auto it = raised_.find(condition);
    if (it == raised_.end()) return std::nullopt;
    const Raised r = it->second;
    raised_.erase(it);
    return encode(condition, r, "cleared", false, text, wall);
}

ServiceAlert ServiceAlarms::encode(const std::string& condition, const Raised& r, const char* state,
                                   bool active, const std::string& text,
                                   alerts::Millis wall) const {
    // In the form of every alert id, unique across restarts: the start of this run, a number.
    ServiceAlert a{id_prefix_ + "chairwatchd:run-" + run_ + ":a" + std::to_string(r.no),
                   "run-" + run_,
                   static_cast<std::uint32_t>(r.no),
                   condition,
                   state,
                   r.priority,
                   text,
                   r.onset,
                   wall,
                   {}};
    drivers::JsonWriter w(a.json);
    w.begin_object();
    w.key("alert_id").value(a.alert_id);
    w.key("chair").value("chairwatchd");
    w.key("condition").value(condition);
    w.key("kind").value("technical");
    w.key("priority").value(alerts::to_string(r.priority));
    w.key("state").value(state);
    w.key("onset").time(r.onset);
    w.key("ts").time(wall);
    w.key("active").value(active);
    w.key("text").value(text);
    w.end_object();
    return a;
}

}  // namespace chairwatch::daemon
