#include "drivers/codec/payload_codec.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "drivers/codec/json_duplicates.hpp"
#include "drivers/codec/payload_scan.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::drivers {

namespace json = boost::json;
using alerts::Millis;
using alerts::Signal;

namespace {

constexpr std::array<std::string_view, reject_reason_count> reason_names{
    "bad_topic",      "bad_chair",  "too_large",   "bad_json",      "wrong_type",
    "not_finite",     "sensor_off", "implausible", "bad_timestamp", "no_values",
    "unknown_signal", "artifact",   "flooding",    "out_of_service"};

// 2000-01-01T00:00:00Z: anything earlier is a device with an unset clock.
constexpr std::int64_t earliest_ts_ms = 946684800000;

std::string fmt(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

bool parse_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size() || s[pos] < '0' || s[pos] > '9') return false;  // from_chars takes '-'
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
    return ec == std::errc{} && p == s.data() + pos + n;
}

}  // namespace

std::optional<RejectReason> judge_value(Signal s, double v);

namespace {

// Checks one value of one signal and adds it, or records why not.
void accept(Decoded& d, Signal s, double v, Millis ts) {
    const auto why = judge_value(s, v);
    if (!why) return d.add(s, v, ts);
    const auto name = std::string(alerts::to_string(s));
    const auto range = alerts::plausible_range(s);
    switch (*why) {
        case RejectReason::not_finite:
            return d.reject(*why, name + " is not finite", s);
        case RejectReason::sensor_off:
            return d.reject(*why, name + " is 0 (sensor off)", s);
        default:
            return d.reject(*why,
                            name + " " + fmt(v) + " outside " + fmt(range.lo) + "-" +
                                fmt(range.hi) + " " + std::string(alerts::unit_of(s)),
                            s);
    }
}

std::optional<double> as_number(const json::value& v) {
    if (v.is_double()) return v.get_double();
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return std::nullopt;
}

std::optional<Millis> read_ts(const json::value& v) {
    std::optional<Millis> ts;
    if (auto n = as_number(v); n && std::isfinite(*n) && *n < 1e11)
        ts = Millis(static_cast<std::int64_t>(std::llround(*n * 1000.0)));
    else if (v.is_string())
        ts = parse_iso8601(std::string_view(v.get_string()));
    if (ts && ts->count() < earliest_ts_ms) return std::nullopt;
    return ts;
}

void decode_object(const json::object& obj, Millis received, Decoded& d) {
    Millis ts = received;
    if (auto it = obj.find("ts"); it != obj.end()) {
        auto parsed = read_ts(it->value());
        if (!parsed)
            return d.reject(RejectReason::bad_timestamp,
                            "ts " + printable(json::serialize(it->value()), 40) +
                                " is neither epoch seconds nor ISO-8601 after 2000");
        ts = *parsed;
    }
    if (auto it = obj.find("seq"); it != obj.end() && it->value().is_int64())
        d.seq = it->value().get_int64();
    for (auto s : alerts::all_signals) {
        auto it = obj.find(alerts::to_string(s));
        if (it == obj.end()) continue;
        auto v = as_number(it->value());
        if (!v) {
            d.reject(RejectReason::wrong_type,
                     std::string(alerts::to_string(s)) + " is " +
                         printable(json::serialize(it->value()), 40) + ", not a number",
                     s);
            continue;
        }
        accept(d, s, *v, ts);
    }
}

// The fast path: decodes an ordinary vitals object without a DOM. False, with `d` untouched,
// if the payload needs the full path (anything invalid or unusual, every rejection of ts).
bool scan_object(std::string_view payload, Millis received, Decoded& d) {
    json::basic_parser<scan::Handler> parser(json::parse_options{});
    boost::system::error_code ec;
    const auto used = parser.write_some(false, payload.data(), payload.size(), ec);
    const auto& h = parser.handler();
    if (ec || used != payload.size() || h.give_up || !h.is_object) return false;
    const auto& f = h.fields;
    Millis ts = received;
    if (f.has(scan::Fields::ts)) {
        const double n = f.number[scan::Fields::ts];
        std::optional<Millis> parsed;
        if (f.ts_is_text)
            parsed = parse_iso8601(std::string_view(f.ts_text.data(), f.ts_size));
        else if (std::isfinite(n) && n < 1e11)
            parsed = Millis(static_cast<std::int64_t>(std::llround(n * 1000.0)));
        if (!parsed || parsed->count() < earliest_ts_ms) return false;
        ts = *parsed;
    }
    if (f.seq_is_int64) d.seq = f.seq_value;
    for (auto s : alerts::all_signals) {
        const auto k = scan::Fields::first_signal + static_cast<int>(alerts::index_of(s));
        if (f.has(k)) accept(d, s, f.number[static_cast<std::size_t>(k)], ts);
    }
    return true;
}

// MAP from the cuff's SBP and DBP when the device did not send it.
void derive_map(Decoded& d) {
    std::optional<double> sbp, dbp;
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto& r = d.readings[i];
        if (r.signal == Signal::map) return;
        if (r.signal == Signal::sbp) sbp = r.value;
        if (r.signal == Signal::dbp) dbp = r.value;
    }
    if (sbp && dbp && d.count > 0)
        d.add(Signal::map, *dbp + (*sbp - *dbp) / 3.0, d.readings[0].device_ts);
}

}  // namespace

std::optional<RejectReason> judge_value(Signal s, double v) {
    if (!std::isfinite(v)) return RejectReason::not_finite;
    if (v == 0) return RejectReason::sensor_off;
    if (!alerts::plausible_range(s).contains(v)) return RejectReason::implausible;
    return std::nullopt;
}

bool reject_cuff_artifact(Decoded& d) {
    std::optional<double> sbp, dbp, map;
    bool cuff_rejected = false;
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto& r = d.readings[i];
        if (r.signal == Signal::sbp) sbp = r.value;
        if (r.signal == Signal::dbp) dbp = r.value;
        if (r.signal == Signal::map) map = r.value;
    }
    for (std::size_t i = 0; i < d.rejected; ++i)
        if (d.rejections[i].signal && alerts::is_cuff(*d.rejections[i].signal))
            cuff_rejected = true;
    if (!sbp && !dbp && !map) return false;
    std::string why;
    if (cuff_rejected)
        why = "another value of the same cuff measurement was rejected";
    else if (sbp && dbp && *sbp <= *dbp)
        why = "SBP " + fmt(*sbp) + " is not above DBP " + fmt(*dbp);
    else if (sbp && dbp && (*sbp - *dbp < 10 || *sbp - *dbp > 150))
        why = "pulse pressure " + fmt(*sbp - *dbp) + " mmHg is outside 10-150";
    else if (sbp && dbp && map && (*map <= *dbp || *map >= *sbp))
        why = "MAP " + fmt(*map) + " is not between DBP and SBP";
    if (why.empty()) return false;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < d.count; ++i) {
        if (alerts::is_cuff(d.readings[i].signal)) continue;
        d.readings[kept++] = d.readings[i];
    }
    d.count = kept;
    d.reject(RejectReason::artifact, "cuff measurement rejected: " + why);
    return true;
}

std::string_view to_string(RejectReason r) {
    return reason_names[static_cast<std::size_t>(r)];
}

bool valid_chair_id(std::string_view chair) {
    if (chair.empty() || chair.size() > 64 || chair[0] == '.') return false;
    for (char c : chair)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

std::optional<ChairTopic> parse_chair_topic(std::string_view topic, std::string_view prefix) {
    if (topic.size() <= prefix.size() + 1 || topic.substr(0, prefix.size()) != prefix ||
        topic[prefix.size()] != '/')
        return std::nullopt;
    auto rest = topic.substr(prefix.size() + 1);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    return ChairTopic{rest.substr(0, slash), rest.substr(slash + 1)};
}

std::optional<VitalsTopic> parse_vitals_topic(std::string_view topic, std::string_view prefix) {
    const auto ct = parse_chair_topic(topic, prefix);
    if (!ct || ct->rest.substr(0, 6) != "vitals" || (ct->rest.size() > 6 && ct->rest[6] != '/'))
        return std::nullopt;
    return VitalsTopic{ct->chair, topic.substr(topic.rfind('/') + 1)};
}

Decoded decode_vitals(std::string_view leaf, std::string_view payload, Millis received,
                      std::size_t max_bytes) {
    Decoded d;
    if (payload.size() > max_bytes) {
        d.reject(RejectReason::too_large, std::to_string(payload.size()) + " bytes, over the " +
                                              std::to_string(max_bytes) + "-byte cap");
        return d;
    }
    auto first = payload.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && payload[first] != '{' && payload[first] != '[' &&
        payload[first] != '"') {
        // A plain number on a topic that names its signal.
        auto body = payload.substr(first, payload.find_last_not_of(" \t\r\n") - first + 1);
        double v = 0;
        auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
        if (ec != std::errc{} || p != body.data() + body.size()) {
            d.reject(RejectReason::bad_json, "payload is neither JSON nor a plain number");
            return d;
        }
        auto s = alerts::parse_signal(leaf);
        if (!s) {
            d.reject(RejectReason::unknown_signal, "a plain number needs a topic ending in " +
                                                       std::string(alerts::signal_names_text) +
                                                       ", not '" + printable(leaf, 32) + "'");
            return d;
        }
        accept(d, *s, v, received);
        return d;
    }
    if (!scan_object(payload, received, d)) {
        unsigned char buffer[16384];
        json::monotonic_resource mr(buffer, sizeof buffer);
        boost::system::error_code ec;
        json::value v = json::parse(payload, ec, &mr);
        if (ec) {
            d.reject(RejectReason::bad_json, "invalid JSON: " + ec.message());
            return d;
        }
        if (!v.is_object()) {
            d.reject(RejectReason::bad_json, "JSON payload is not an object");
            return d;
        }
        if (const auto key = duplicate_key(payload)) {
            d.reject(RejectReason::bad_json, "duplicate field '" + printable(*key, 40) + "'");
            return d;
        }
        decode_object(v.get_object(), received, d);
    }
    if (!reject_cuff_artifact(d)) derive_map(d);
    if (d.count == 0 && d.rejected == 0)
        d.reject(RejectReason::no_values,
                 "no " + std::string(alerts::signal_names_text) + " field");
    return d;
}

std::optional<Millis> parse_iso8601(std::string_view s) {
    int y, mo, da, h, mi, se;
    if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    if (!parse_digits(s, 0, 4, y) || !parse_digits(s, 5, 2, mo) || !parse_digits(s, 8, 2, da) ||
        !parse_digits(s, 11, 2, h) || !parse_digits(s, 14, 2, mi) || !parse_digits(s, 17, 2, se))
        return std::nullopt;
    std::size_t pos = 19;
    std::int64_t ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        std::int64_t scale = 100;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, scale /= 10)
            ms += (s[pos] - '0') * scale;
    }
    int offset_min = 0;
    if (pos < s.size() && s[pos] == 'Z') {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (pos + 6 != s.size() || s[pos + 3] != ':' || !parse_digits(s, pos + 1, 2, oh) ||
            !parse_digits(s, pos + 4, 2, om))
            return std::nullopt;
        offset_min = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
        pos += 6;
    } else {
        return std::nullopt;  // a time without a zone is ambiguous
    }
    if (pos != s.size() || mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 60)
        return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(da)}};
    if (!ymd.ok()) return std::nullopt;
    const auto t =
        sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi - offset_min} + seconds{se};
    return duration_cast<Millis>(t) + Millis(ms);
}

}  // namespace chairwatch::drivers
