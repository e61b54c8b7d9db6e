// Fuzz target: one MQTT message on a vitals topic, as chairwatchd receives it. Input: the topic,
// a newline, then the payload (no newline: the whole input is the payload on clinic/c1/vitals/bp).
// Checks what the daemon relies on: topics split into parts of the topic, every accepted reading
// judged plausible, a consistent cuff measurement, a bounded number of readings and rejections,
// rejection details safe to log, and the same result as the plain DOM decoding
// (vitals_reference.hpp), which refuses a field given twice.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "drivers/codec/payload_codec.hpp"
#include "drivers/codec/text_rules.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/vitals_reference.hpp"

namespace {

using namespace chairwatch;
using alerts::Signal;

constexpr std::string_view prefix = "clinic";
constexpr alerts::Millis received{1764000000000};
constexpr std::int64_t earliest_ts_ms = 946684800000;  // 2000-01-01
constexpr std::size_t max_bytes = 4096;

void check_topic(std::string_view topic) {
    const auto ct = drivers::parse_chair_topic(topic, prefix);
    const auto vt = drivers::parse_vitals_topic(topic, prefix);
    if (ct) {
        const auto rebuilt =
            std::string(prefix) + "/" + std::string(ct->chair) + "/" + std::string(ct->rest);
        FUZZ_CHECK(rebuilt == topic);
    }
    if (vt) {
        FUZZ_CHECK(ct && ct->chair == vt->chair);
        FUZZ_CHECK(ct->rest.substr(0, 6) == "vitals");
        FUZZ_CHECK(vt->leaf.find('/') == std::string_view::npos);
    }
    if (ct && drivers::valid_chair_id(ct->chair)) {
        FUZZ_CHECK(!ct->chair.empty() && ct->chair.size() <= 64 && ct->chair[0] != '.');
        FUZZ_CHECK(ct->chair.find('/') == std::string_view::npos);
    }
}

double value_of(const drivers::Decoded& d, Signal s, bool& found) {
    for (std::size_t i = 0; i < d.count; ++i)
        if (d.readings[i].signal == s) {
            found = true;
            return d.readings[i].value;
        }
    found = false;
    return 0;
}

void check_cuff(const drivers::Decoded& d) {
    bool has_sbp = false, has_dbp = false, has_map = false;
    const double sbp = value_of(d, Signal::sbp, has_sbp);
    const double dbp = value_of(d, Signal::dbp, has_dbp);
    const double map = value_of(d, Signal::map, has_map);
    if (has_sbp && has_dbp) {
        FUZZ_CHECK(sbp > dbp);
        FUZZ_CHECK(sbp - dbp >= 10 && sbp - dbp <= 150);
        if (has_map) FUZZ_CHECK(map > dbp && map < sbp);
    }
}

void check_decoded(const drivers::Decoded& d, std::string_view payload, bool plain) {
    FUZZ_CHECK(d.count <= d.readings.size());
    FUZZ_CHECK(d.rejected <= d.rejections.size());
    FUZZ_CHECK(d.count + d.rejected > 0);  // every message is either used or explained
    if (payload.size() > max_bytes) FUZZ_CHECK(d.count == 0 && d.rejected == 1);
    unsigned seen = 0;
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto& r = d.readings[i];
        FUZZ_CHECK(static_cast<std::size_t>(r.signal) < alerts::signal_count);
        FUZZ_CHECK(!drivers::judge_value(r.signal, r.value));
        FUZZ_CHECK(r.device_ts == received || r.device_ts.count() >= earliest_ts_ms);
        const unsigned bit = 1U << static_cast<unsigned>(r.signal);
        FUZZ_CHECK((seen & bit) == 0);  // one reading per signal and message
        seen |= bit;
    }
    for (std::size_t i = 0; i < d.rejected; ++i) {
        const auto& r = d.rejections[i];
        FUZZ_CHECK(static_cast<std::size_t>(r.reason) < drivers::reject_reason_count);
        FUZZ_CHECK(!drivers::to_string(r.reason).empty());
        FUZZ_CHECK(!r.detail.empty());
        FUZZ_CHECK(!drivers::text_fault(r.detail));  // it goes into a log line as it is
    }
    if (!plain) check_cuff(d);
}

// decode_vitals (with its fast path) and the plain DOM decoding agree on every JSON object.
void check_against_reference(const drivers::Decoded& d, std::string_view payload) {
    const auto ref = fuzz::reference_decode(payload, received);
    if (!ref) return;
    FUZZ_CHECK(d.count == ref->count && d.rejected == ref->rejected && d.seq == ref->seq);
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto &a = d.readings[i], &b = ref->readings[i];
        FUZZ_CHECK(a.signal == b.signal && a.value == b.value && a.device_ts == b.device_ts);
    }
    for (std::size_t i = 0; i < d.rejected; ++i) {
        const auto &a = d.rejections[i], &b = ref->rejections[i];
        FUZZ_CHECK(a.reason == b.reason && a.signal == b.signal);
    }
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// An accepted timestamp has digits where its fields are.
void check_iso8601(std::string_view s) {
    const auto t = drivers::parse_iso8601(s);
    if (!t) return;
    for (std::size_t pos : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
        FUZZ_CHECK(is_digit(s[pos]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto nl = input.find('\n');
    const std::string_view topic =
        nl == std::string_view::npos ? "clinic/c1/vitals/bp" : input.substr(0, nl);
    const std::string_view payload = nl == std::string_view::npos ? input : input.substr(nl + 1);

    check_topic(topic);
    check_iso8601(payload);
    // The daemon decodes vitals only on a valid chair's vitals topic; the fuzzer decodes every
    // payload (with the topic's leaf when there is one) so no payload path is left out.
    const auto vt = drivers::parse_vitals_topic(topic, prefix);
    const std::string_view leaf = vt ? vt->leaf : topic.substr(topic.rfind('/') + 1);
    const auto first = payload.find_first_not_of(" \t\r\n");
    const bool plain = payload.size() <= max_bytes && first != std::string_view::npos &&
                       payload[first] != '{' && payload[first] != '[' && payload[first] != '"';
    const auto d = drivers::decode_vitals(leaf, payload, received, max_bytes);
    check_decoded(d, payload, plain);
    if (!plain && payload.size() <= max_bytes) check_against_reference(d, payload);
    if (plain) FUZZ_CHECK(d.count + d.rejected == 1);
    return 0;
}
