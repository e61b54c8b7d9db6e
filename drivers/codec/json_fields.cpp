#include "drivers/codec/json_fields.hpp"

#include "drivers/codec/json_duplicates.hpp"
#include "drivers/codec/payload_codec.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::drivers {

namespace json = boost::json;

std::variant<json::object, std::string> parse_object(std::string_view payload,
                                                     std::size_t max_bytes) {
    if (payload.size() > max_bytes) return "payload over " + std::to_string(max_bytes) + " bytes";
    json::error_code ec;
    auto v = json::parse(payload, ec);
    if (ec) return "invalid JSON: " + ec.message();
    if (!v.is_object()) return std::string("payload is not a JSON object");
    if (const auto key = duplicate_key(payload))
        return "duplicate field '" + printable(*key, 40) + "'";
    return std::move(v.as_object());
}

bool text(const json::object& o, const char* key, std::string& out, std::string& error,
          std::size_t max, const char* unit) {
    auto* v = o.if_contains(key);
    if (!v) return true;
    if (!v->is_string() || v->get_string().size() > max) {
        error =
            std::string(key) + " must be a string of at most " + std::to_string(max) + " " + unit;
        return false;
    }
    if (const auto fault = text_fault(v->get_string())) {
        error = std::string(key) + " " + std::string(*fault);
        return false;
    }
    out = std::string(v->get_string());
    return true;
}

}  // namespace chairwatch::drivers
