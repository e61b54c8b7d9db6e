#include "drivers/session_log/log_fields.hpp"

#include <cmath>
#include <limits>

#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::drivers {

namespace {

std::string missing(std::string_view key) {
    return "missing field '" + std::string(key) + "'";
}

}  // namespace

std::string LogFields::text(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (v && v->is_string()) return std::string(v->get_string());
    fail(v ? "field '" + std::string(key) + "' is not a string" : missing(key));
    return {};
}

std::string LogFields::opt_text(std::string_view key) const {
    const auto* v = o_.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<double> LogFields::opt_number(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    boost::system::error_code ec;
    const double d = v->to_number<double>(ec);
    if (ec || !std::isfinite(d)) {
        fail("field '" + std::string(key) + "' is not a number");
        return std::nullopt;
    }
    return d;
}

double LogFields::number(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (!v) fail(missing(key));
    if (v && v->is_null()) fail("field '" + std::string(key) + "' is null, not a number");
    return opt_number(key).value_or(0.0);
}

std::optional<std::int64_t> LogFields::opt_integer(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= std::numeric_limits<std::int64_t>::max())
        return static_cast<std::int64_t>(v->get_uint64());
    fail("field '" + std::string(key) + "' is not a whole number");
    return std::nullopt;
}

std::optional<alerts::Millis> LogFields::opt_time(std::string_view key) {
    const auto* v = o_.if_contains(key);
    if (!v) return std::nullopt;
    std::optional<alerts::Millis> t;
    if (v->is_string()) t = parse_iso8601(v->get_string());
    if (!t) fail("field '" + std::string(key) + "' is not an ISO 8601 time with a zone");
    return t;
}

alerts::Millis LogFields::time(std::string_view key) {
    if (!o_.if_contains(key)) fail(missing(key));
    return opt_time(key).value_or(alerts::Millis(0));
}

bool LogFields::flag(std::string_view key, bool fallback) {
    const auto* v = o_.if_contains(key);
    if (!v) return fallback;
    if (v->is_bool()) return v->get_bool();
    fail("field '" + std::string(key) + "' is not true or false");
    return fallback;
}

std::optional<bool> LogFields::opt_flag(std::string_view key) {
    if (!o_.if_contains(key)) return std::nullopt;
    return flag(key, false);
}

const boost::json::object* LogFields::object(std::string_view key) const {
    const auto* v = o_.if_contains(key);
    return v ? v->if_object() : nullptr;
}

}  // namespace chairwatch::drivers
