#include "drivers/codec/monitor_codec.hpp"

#include "drivers/codec/json_fields.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::drivers {

std::variant<MonitorStatus, std::string> decode_monitor_status(std::string_view payload,
                                                               std::size_t max_bytes) {
    auto parsed = parse_object(payload, max_bytes);
    if (auto* e = std::get_if<std::string>(&parsed)) return std::move(*e);
    const auto& o = std::get<boost::json::object>(parsed);
    for (const auto& kv : o)
        if (kv.key() != "online" && kv.key() != "device" && kv.key() != "ts")
            return "unknown field '" + printable(kv.key(), 40) + "'";
    const auto* online = o.if_contains("online");
    if (!online) return std::string("online is missing");
    if (!online->is_bool()) return std::string("online must be true or false");
    MonitorStatus s;
    s.online = online->get_bool();
    std::string error;
    if (!text(o, "device", s.device, error, 64, "bytes")) return error;
    if (const auto* ts = o.if_contains("ts"); ts && !ts->is_number() && !ts->is_string())
        return std::string("ts must be epoch seconds or an ISO-8601 string");
    return s;
}

}  // namespace chairwatch::drivers
