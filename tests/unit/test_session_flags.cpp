// What a session start says about the patient changes the rules: baseline after seated rest
// (REF §8), the pre-dose advisory at 65 or older (REF §2, §8), and profile modifiers for age,
// known hypertension and the first three sessions (REF §9).
#include <doctest/doctest.h>

#include "alerts/modifiers.hpp"
#include "drivers/codec/control_codec.hpp"
#include "drivers/recording/start_spec.hpp"
#include "ward.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ControlAction;
using alerts::Priority;
using alerts::Signal;

namespace {

alerts::SessionInfo patient(std::optional<double> age = {}, bool hypertension = false,
                            std::optional<double> session_number = {}) {
    alerts::SessionInfo info;
    info.profile = "iv-ketamine";
    info.age = age;
    if (hypertension) info.hypertension = true;
    info.session_number = session_number;
    return info;
}

}  // namespace

TEST_CASE("baseline: readings in the first 5 min after start (seated rest) do not count") {
    ShippedWard w;
    REQUIRE(w.start(0s, "iv-ketamine") == alerts::ControlResult::ok);
    w.bp(60s, 170, 100);  // still settling: excluded
    w.bp(240s, 168, 98);  // excluded
    w.hr(0s, 299s, 100);  // excluded
    w.bp(300s, 124, 78);
    w.hr(300s, 480s, 70);
    w.bp(600s, 120, 76);
    REQUIRE(w.control(610s, ControlAction::dose_start) == alerts::ControlResult::ok);
    const auto& b = w.session().baseline.value;
    REQUIRE(b[alerts::index_of(Signal::sbp)]);
    CHECK(*b[alerts::index_of(Signal::sbp)] == 122);  // median of 124 and 120 only
    CHECK(*b[alerts::index_of(Signal::dbp)] == 77);
    REQUIRE(b[alerts::index_of(Signal::hr)]);
    CHECK(*b[alerts::index_of(Signal::hr)] == doctest::Approx(70).epsilon(0.02));
}

TEST_CASE("baseline: two readings after the rest but less than 5 min apart form none") {
    ShippedWard w;
    REQUIRE(w.start(0s, "iv-ketamine") == alerts::ControlResult::ok);
    w.bp(0s, 124, 78);  // at the start: excluded, so 300 s to 540 s is the span
    w.bp(300s, 124, 78);
    w.bp(540s, 120, 76);
    w.control(600s, ControlAction::dose_start);
    CHECK_FALSE(w.session().baseline_formed);
    CHECK(w.alarms("no_baseline").size() == 1);
}

TEST_CASE("seated rest is configurable; 0 counts every baseline reading") {
    auto text = std::string(
        "broker: {uri: tcp://127.0.0.1:1883}\nprofiles:\n  p:\n    baseline: {seated_rest_s: 0}\n"
        "    rules: {r: {signal: sbp, tiers: [{above: 200, priority: high}]}}\n");
    auto loaded = config::load_config_text(text, "t.yaml");
    REQUIRE(loaded.errors.empty());
    CHECK(loaded.config->profiles.at("p")->baseline.seated_rest == 0ms);
    auto bad = config::load_config_text(
        "broker: {uri: tcp://127.0.0.1:1883}\nprofiles:\n  p:\n    baseline: {seated_rest_s: -1}\n"
        "    rules: {r: {signal: sbp, tiers: [{above: 200, priority: high}]}}\n",
        "t.yaml");
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0].format().rfind("t.yaml:4:", 0) == 0);
}

TEST_CASE("pre-dose advisory: SBP > 140 under 65, > 150 at 65 or older (age or age_65_plus)") {
    ShippedWard young;
    young.start(0s, patient(40));
    young.bp(360s, 145, 85);
    REQUIRE(young.alarms("predose_bp_high").size() == 1);
    CHECK(young.alarms("predose_bp_high")[0].priority == Priority::medium);
    CHECK(young.alarms("predose_bp_high")[0].kind == alerts::AlarmKind::advisory);
    CHECK(young.session().modifiers.empty());

    ShippedWard old;
    old.start(0s, patient(70));
    old.bp(360s, 145, 85);
    CHECK(old.alarms("predose_bp_high").empty());
    old.bp(660s, 151, 85);
    REQUIRE(old.alarms("predose_bp_high").size() == 1);
    CHECK(old.alarms("predose_bp_high")[0].limit == 150);
    CHECK(old.session().modifiers == std::vector<std::string>{"age_65_plus"});

    ShippedWard flagged;
    auto info = patient();
    info.age_65_plus = true;
    flagged.start(0s, info);
    flagged.bp(360s, 150, 85);  // "> 150": exactly 150 is not above
    CHECK(flagged.alarms("predose_bp_high").empty());
    flagged.bp(660s, 140, 91);  // DBP > 90 stays the limit at any age
    CHECK(flagged.alarms("predose_bp_high").size() == 1);

    ShippedWard sixty_four;
    sixty_four.start(0s, patient(64));
    sixty_four.bp(360s, 145, 85);
    CHECK(sixty_four.alarms("predose_bp_high").size() == 1);
}

TEST_CASE("modifiers: known hypertension or the first sessions make a 40 mmHg rise MEDIUM") {
    const auto rise_at_152 = [](const alerts::SessionInfo& info) {
        ShippedWard w;
        w.start(0s, info);
        w.hr(300s, 430s, 70);
        w.bp(300s, 112, 70);
        w.bp(600s, 110, 70);
        w.control(610s, ControlAction::dose_start);
        w.bp(1200s, 152, 80);  // SBP 42 over a baseline of 111, below 160
        const auto rise = w.alarms("bp_rise");
        REQUIRE(rise.size() == 1);
        return rise[0].priority;
    };
    CHECK(rise_at_152(patient()) == Priority::low);
    CHECK(rise_at_152(patient(50, true)) == Priority::medium);
    CHECK(rise_at_152(patient({}, false, 3)) == Priority::medium);
    CHECK(rise_at_152(patient({}, false, 4)) == Priority::low);
    CHECK(rise_at_152(patient(80)) == Priority::medium);
}

TEST_CASE("modifiers apply in the profile's order and only for the flags set") {
    auto cfg = ShippedWard::profiles();
    const auto base = cfg.find("iv-ketamine");
    const auto none = alerts::with_modifiers(base, {});
    CHECK(none.profile == base);
    CHECK(none.applied.empty());
    const auto both = alerts::with_modifiers(base, {"first_sessions", "hypertension"});
    CHECK(both.applied == std::vector<std::string>{"hypertension", "first_sessions"});
    CHECK(both.profile->rules.size() == base->rules.size());  // replaced, not added
    CHECK(both.profile->name == base->name);
}

TEST_CASE("session flags: from age_65_plus or age, hypertension, session_number 1-3") {
    alerts::SessionInfo i;
    CHECK(alerts::session_flags(i).empty());
    i.age = 65;
    i.hypertension = true;
    i.session_number = 1;
    CHECK(alerts::session_flags(i) ==
          std::vector<std::string>{"age_65_plus", "hypertension", "first_sessions"});
    i.age = 30;
    i.age_65_plus = false;
    i.hypertension = false;
    i.session_number = 4;
    CHECK(alerts::session_flags(i).empty());
}

TEST_CASE("config: modifiers are validated like the rest, with file:line:col") {
    const std::string head =
        "broker: {uri: tcp://127.0.0.1:1883}\nprofiles:\n  p:\n    rules: {r: {signal: sbp, tiers: "
        "[{above: 200, priority: high}]}}\n"
        "    modifiers:\n";
    auto flag = config::load_config_text(head + "      age_70: {rules: {r: ~}}\n", "t.yaml");
    REQUIRE_FALSE(flag.errors.empty());
    CHECK(flag.errors[0].format().rfind("t.yaml:6:7:", 0) == 0);
    CHECK(flag.errors[0].message.find("not one of age_65_plus") != std::string::npos);

    auto unknown = config::load_config_text(
        head +
            "      hypertension:\n        rules:\n"
            "          q: {signal: sbp, tiers: [{above: 180, priority: high}]}\n",
        "t.yaml");
    REQUIRE(unknown.errors.size() == 1);
    CHECK(unknown.errors[0].message.find("overrides rule 'q'") != std::string::npos);

    auto bad_rule = config::load_config_text(
        head +
            "      hypertension:\n        rules:\n"
            "          r: {signal: sbp, tiers: [{above: 999, priority: high}]}\n",
        "t.yaml");
    REQUIRE(bad_rule.errors.size() == 1);
    CHECK(bad_rule.errors[0].format().rfind("t.yaml:8:", 0) == 0);
}

TEST_CASE("start message: age_65_plus, age, hypertension, session_number") {
    const auto d = drivers::decode_control(
        R"({"action":"start","age":71,"age_65_plus":true,"hypertension":false,"session_number":2})",
        4096);
    const auto* m = std::get_if<drivers::ControlMessage>(&d);
    REQUIRE(m);
    CHECK(m->info.age == 71);
    CHECK(m->info.age_65_plus == true);
    CHECK(m->info.hypertension == false);
    CHECK(m->info.session_number == 2);
    const auto err = [](const char* json) {
        const auto r = drivers::decode_control(json, 4096);
        const auto* e = std::get_if<std::string>(&r);
        return e ? *e : std::string();
    };
    CHECK(err(R"({"action":"start","age_65_plus":"yes"})") == "age_65_plus must be true or false");
    CHECK(err(R"({"action":"start","age":200})") == "age must be a number from 0 to 130");
    CHECK(err(R"({"action":"start","session_number":0})") ==
          "session_number must be a number from 1 to 10000");
}

TEST_CASE("replay CSV start event: the profile, then the patient's flags") {
    alerts::SessionInfo info;
    std::string error;
    REQUIRE(
        drivers::parse_start_spec("iv-ketamine;age=70;hypertension;session_number=2", info, error));
    CHECK(info.profile == "iv-ketamine");
    CHECK(info.age == 70);
    CHECK(info.hypertension == true);
    CHECK(info.session_number == 2);
    CHECK(drivers::format_start_spec(info) == "iv-ketamine;age=70;hypertension;session_number=2");
    alerts::SessionInfo flag_only;
    REQUIRE(drivers::parse_start_spec(";age_65_plus", flag_only, error));
    CHECK(flag_only.profile.empty());
    CHECK(flag_only.age_65_plus == true);
    CHECK_FALSE(drivers::parse_start_spec("iv-ketamine;age=abc", info, error));
    CHECK(error == "age must be a number from 0 to 130");
    CHECK_FALSE(drivers::parse_start_spec("iv-ketamine;smoker", info, error));
    CHECK(error.find("unknown start flag 'smoker'") == 0);
}
