#include <doctest/doctest.h>

#include <string>

#include "drivers/codec/payload_codec.hpp"

using namespace chairwatch;
using alerts::Millis;
using alerts::Signal;
using drivers::RejectReason;

namespace {

constexpr Millis rx{1'764'000'000'000};

drivers::Decoded decode(std::string_view leaf, std::string_view payload) {
    return drivers::decode_vitals(leaf, payload, rx, 4096);
}

RejectReason only_reason(const drivers::Decoded& d) {
    REQUIRE(d.rejected == 1);
    return d.rejections[0].reason;
}

}  // namespace

TEST_CASE("topics: <prefix>/<chair>/vitals/<...> and nothing else") {
    auto t = drivers::parse_vitals_topic("clinic/chair-03/vitals/bp", "clinic");
    REQUIRE(t);
    CHECK(t->chair == "chair-03");
    CHECK(t->leaf == "bp");
    auto deep =
        drivers::parse_vitals_topic("site/a/clinic/chair-1/vitals/nibp/sbp", "site/a/clinic");
    REQUIRE(deep);
    CHECK(deep->chair == "chair-1");
    CHECK(deep->leaf == "sbp");
    CHECK_FALSE(drivers::parse_vitals_topic("clinic/chair-03/alerts", "clinic"));
    CHECK_FALSE(drivers::parse_vitals_topic("other/chair-03/vitals/hr", "clinic"));
    CHECK_FALSE(drivers::parse_vitals_topic("clinicx/chair-03/vitals/hr", "clinic"));
    CHECK_FALSE(drivers::parse_vitals_topic("clinic/chair-03/vitalsx/hr", "clinic"));
    CHECK(drivers::valid_chair_id("chair-03"));
    CHECK_FALSE(drivers::valid_chair_id(".."));
    CHECK_FALSE(drivers::valid_chair_id("a b"));
    CHECK_FALSE(drivers::valid_chair_id(""));
}

TEST_CASE("a JSON BP reading with ts gives SBP, DBP and a derived MAP at the device time") {
    auto d = decode("bp", R"({"ts":1764000000.5,"sbp":152,"dbp":94})");
    CHECK(d.rejected == 0);
    REQUIRE(d.count == 3);
    CHECK(d.readings[0].signal == Signal::sbp);
    CHECK(d.readings[0].value == 152);
    CHECK(d.readings[0].device_ts == Millis(1'764'000'000'500));
    CHECK(d.readings[1].signal == Signal::dbp);
    CHECK(d.readings[2].signal == Signal::map);
    CHECK(d.readings[2].value == doctest::Approx(94 + 58.0 / 3));
}

TEST_CASE("a sent MAP is kept, not derived; no ts means the receive time") {
    auto d = decode("bp", R"({"sbp":150,"dbp":90,"map":105})");
    REQUIRE(d.count == 3);
    CHECK(d.readings[2].value == 105);
    CHECK(d.readings[0].device_ts == rx);
}

TEST_CASE("ISO-8601 timestamps, with Z or an offset") {
    auto d = decode("hr", R"({"ts":"2025-11-24T16:00:00.250Z","hr":88})");
    REQUIRE(d.count == 1);
    CHECK(d.readings[0].device_ts == Millis(1'764'000'000'250));
    CHECK(drivers::parse_iso8601("2025-11-24T17:00:00+01:00") == Millis(1'764'000'000'000));
    CHECK_FALSE(drivers::parse_iso8601("2025-11-24T17:00:00"));
    CHECK_FALSE(drivers::parse_iso8601("2025-02-30T17:00:00Z"));
    CHECK_FALSE(drivers::parse_iso8601("yesterday"));
}

TEST_CASE("a plain number on a topic that names the signal") {
    auto d = decode("hr", " 88\n");
    REQUIRE(d.count == 1);
    CHECK(d.readings[0].signal == Signal::hr);
    CHECK(d.readings[0].value == 88);
    CHECK(only_reason(decode("bp", "150")) == RejectReason::unknown_signal);
}

TEST_CASE("each kind of bad payload is rejected with its own reason") {
    CHECK(only_reason(decode("hr", "{\"hr\":")) == RejectReason::bad_json);
    CHECK(only_reason(decode("hr", "eighty")) == RejectReason::bad_json);
    CHECK(only_reason(decode("hr", "[88]")) == RejectReason::bad_json);
    CHECK(only_reason(decode("hr", R"({"hr":"88"})")) == RejectReason::wrong_type);
    CHECK(only_reason(decode("hr", R"({"hr":null})")) == RejectReason::wrong_type);
    CHECK(only_reason(decode("hr", "nan")) == RejectReason::not_finite);
    CHECK(only_reason(decode("hr", R"({"hr":NaN})")) == RejectReason::bad_json);
    CHECK(only_reason(decode("hr", R"({"hr":0})")) == RejectReason::sensor_off);
    CHECK(only_reason(decode("hr", R"({"hr":400})")) == RejectReason::implausible);
    CHECK(only_reason(decode("bp", R"({"sbp":14})")) == RejectReason::implausible);
    CHECK(only_reason(decode("spo2", R"({"spo2":101})")) == RejectReason::implausible);
    CHECK(only_reason(decode("hr", R"({"ts":"soon","hr":80})")) == RejectReason::bad_timestamp);
    CHECK(only_reason(decode("hr", R"({"ts":12,"hr":80})")) == RejectReason::bad_timestamp);
    CHECK(only_reason(decode("hr", R"({"temp":37})")) == RejectReason::no_values);
    CHECK(only_reason(drivers::decode_vitals("hr", std::string(5000, ' '), rx, 4096)) ==
          RejectReason::too_large);
}

TEST_CASE("a bad field never takes its valid neighbours down with it") {
    auto d = decode("bp", R"({"sbp":150,"dbp":90,"hr":300.5,"spo2":"x"})");
    REQUIRE(d.count == 3);  // sbp, dbp and the MAP derived from them
    CHECK(d.readings[0].signal == Signal::sbp);
    CHECK(d.readings[2].signal == Signal::map);
    REQUIRE(d.rejected == 2);
    CHECK(d.rejections[0].reason == RejectReason::implausible);
    CHECK(d.rejections[0].detail.find("hr 300.5") != std::string::npos);
    CHECK(d.rejections[1].reason == RejectReason::wrong_type);
}

TEST_CASE(
    "a cuff measurement whose values cannot belong together is rejected whole as an artifact") {
    auto swapped = decode("bp", R"({"sbp":80,"dbp":95,"hr":70})");
    CHECK(swapped.count == 1);  // the HR stays
    REQUIRE(swapped.rejected == 1);
    CHECK(swapped.rejections[0].reason == RejectReason::artifact);
    CHECK(swapped.rejections[0].detail.find("SBP 80 is not above DBP 95") != std::string::npos);
    CHECK(only_reason(decode("bp", R"({"sbp":200,"dbp":45})")) ==
          RejectReason::artifact);  // pp 155
    CHECK(only_reason(decode("bp", R"({"sbp":120,"dbp":115})")) == RejectReason::artifact);  // pp 5
    CHECK(only_reason(decode("bp", R"({"sbp":120,"dbp":80,"map":130})")) == RejectReason::artifact);
    // One implausible value spoils its measurement: the 14 mmHg SBP of a real recording.
    auto bad = decode("bp", R"({"sbp":14,"dbp":58,"map":43.33})");
    CHECK(bad.count == 0);
    REQUIRE(bad.rejected == 2);
    CHECK(bad.rejections[0].reason == RejectReason::implausible);
    CHECK(bad.rejections[1].reason == RejectReason::artifact);
    CHECK(decode("bp", R"({"sbp":150,"dbp":90,"map":110})").rejected == 0);
}

TEST_CASE("unknown fields are ignored and a publisher's seq is kept") {
    auto d = decode("hr", R"({"chair":"c1","seq":42,"hr":88,"unit":"bpm"})");
    CHECK(d.rejected == 0);
    REQUIRE(d.count == 1);
    CHECK(d.seq == 42);
}

TEST_CASE("a field given twice is bad JSON, whichever way the decoder reads it") {
    const char* twice[] = {
        R"({"hr":80,"hr":150})",                         // a vital
        R"({"ts":1764000000,"hr":80,"ts":1764000300})",  // the time
        R"({"hr":80,"note":"a","note":"b"})",            // a field nobody reads
        R"({"hr":80,"x":{"a":1,"b":{"c":1,"c":2}}})",    // deeper down
        R"({"hr":80,"x":[{"a":1,"a":1}]})",
        R"({"hr":"80","hr":80})",  // the first one wrong
    };
    for (const char* payload : twice) {
        INFO(payload);
        const auto d = decode("hr", payload);
        CHECK(d.count == 0);
        REQUIRE(d.rejected == 1);
        CHECK(d.rejections[0].reason == RejectReason::bad_json);
    }
    CHECK(decode("hr", R"({"hr":80,"hr":150})").rejections[0].detail == "duplicate field 'hr'");
    // Equal names in different objects are not a repeat.
    const auto d = decode("hr", R"({"hr":80,"a":{"id":1},"b":{"id":1},"c":[{"id":1},{"id":2}]})");
    CHECK(d.rejected == 0);
    CHECK(d.count == 1);
}

TEST_CASE("outside text quoted in a rejection is escaped") {
    const auto leaf = decode("h\x1b[2Jr", "88");
    REQUIRE(leaf.rejected == 1);
    CHECK(leaf.rejections[0].detail.find("'h\\x1b[2Jr'") != std::string::npos);
    const auto key = decode("hr", "{\"hr\":80,\"\xe2\x80\xae\":1,\"\xe2\x80\xae\":2}");
    REQUIRE(key.rejected == 1);
    CHECK(key.rejections[0].detail == "duplicate field '\\xe2\\x80\\xae'");
    const auto value = decode("hr", R"({"hr":"8\u202e0"})");
    REQUIRE(value.rejected == 1);
    CHECK(value.rejections[0].detail.find("\\xe2\\x80\\xae") != std::string::npos);
}
