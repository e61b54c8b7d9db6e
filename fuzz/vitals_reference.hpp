// The documented decoding of a JSON vitals payload (docs/mqtt-interface.md), written plainly over
// Boost.JSON's DOM, as decode_vitals did before it had a fast path (and before it refused a
// field given twice, which is checked here by counting keys). fuzz_vitals checks that
// decode_vitals gives exactly these readings and rejection reasons for every payload.
#pragma once

#include <boost/json.hpp>
#include <cmath>
#include <optional>
#include <string_view>

#include "drivers/codec/payload_codec.hpp"
#include "fuzz/json_keys.hpp"

namespace chairwatch::fuzz {

inline std::optional<double> reference_number(const boost::json::value& v) {
    if (v.is_double()) return v.get_double();
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return std::nullopt;
}

inline std::optional<alerts::Millis> reference_ts(const boost::json::value& v) {
    std::optional<alerts::Millis> ts;
    if (auto n = reference_number(v); n && std::isfinite(*n) && *n < 1e11)
        ts = alerts::Millis(static_cast<std::int64_t>(std::llround(*n * 1000.0)));
    else if (v.is_string())
        ts = drivers::parse_iso8601(std::string_view(v.get_string()));
    if (ts && ts->count() < 946684800000) return std::nullopt;  // before 2000
    return ts;
}

// Readings and rejection reasons (details are not compared); nothing if not a JSON object.
inline std::optional<drivers::Decoded> reference_decode(std::string_view payload,
                                                        alerts::Millis received) {
    using drivers::RejectReason;
    boost::json::error_code ec;
    const auto v = boost::json::parse(payload, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& obj = v.get_object();
    drivers::Decoded d;
    if (repeats_a_key(payload, v)) {  // a field given twice is not resolved either way
        d.reject(RejectReason::bad_json, "-");
        return d;
    }
    alerts::Millis ts = received;
    if (const auto* t = obj.if_contains("ts")) {
        const auto parsed = reference_ts(*t);
        if (!parsed) {
            d.reject(RejectReason::bad_timestamp, "-");
            return d;
        }
        ts = *parsed;
    }
    if (const auto* s = obj.if_contains("seq"); s && s->is_int64()) d.seq = s->get_int64();
    for (auto s : alerts::all_signals) {
        const auto* f = obj.if_contains(alerts::to_string(s));
        if (!f) continue;
        const auto n = reference_number(*f);
        if (!n)
            d.reject(RejectReason::wrong_type, "-", s);
        else if (const auto why = drivers::judge_value(s, *n))
            d.reject(*why, "-", s);
        else
            d.add(s, *n, ts);
    }
    if (!drivers::reject_cuff_artifact(d)) {
        std::optional<double> sbp, dbp;
        bool has_map = false;
        for (std::size_t i = 0; i < d.count; ++i) {
            const auto& r = d.readings[i];
            has_map = has_map || r.signal == alerts::Signal::map;
            if (r.signal == alerts::Signal::sbp) sbp = r.value;
            if (r.signal == alerts::Signal::dbp) dbp = r.value;
        }
        if (!has_map && sbp && dbp)
            d.add(alerts::Signal::map, *dbp + (*sbp - *dbp) / 3.0, d.readings[0].device_ts);
    }
    if (d.count == 0 && d.rejected == 0) d.reject(RejectReason::no_values, "-");
    return d;
}

}  // namespace chairwatch::fuzz
