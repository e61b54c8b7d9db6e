// REFERENCE §8 over the cuff measurement: tier 3 counts "SBP >= 180 or DBP >= 110" as one
// condition, and each signal clears by its own margin (SBP 10, DBP 5), inside bp_rise too.
#include <doctest/doctest.h>

#include "alerts/chair_monitor.hpp"
#include "config/config.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ConditionChange;
using alerts::ConditionState;
using alerts::Phase;
using alerts::Priority;
using alerts::Signal;

namespace {

std::shared_ptr<const alerts::Profile> shipped(const std::string& name = "iv-ketamine") {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    return loaded.config->profiles.at(name);
}

// One engine on a profile, fed whole cuff measurements at explicit times.
struct Cuff {
    explicit Cuff(std::shared_ptr<const alerts::Profile> p) : monitor(std::move(p)) {}
    std::vector<ConditionChange> bp(Millis t, double sbp, double dbp) {
        const alerts::Reading r[] = {
            {Signal::sbp, sbp, t}, {Signal::dbp, dbp, t}, {Signal::map, (sbp + 2 * dbp) / 3, t}};
        std::vector<ConditionChange> out;
        monitor.on_readings(r, at(t), out);
        return out;
    }
    alerts::ChairMonitor monitor;
};

const ConditionChange* find(const std::vector<ConditionChange>& v, const std::string& cond) {
    for (const auto& c : v)
        if (c.condition == cond) return &c;
    return nullptr;
}

Priority priority_of(const alerts::ChairMonitor& m, const std::string& cond) {
    for (const auto& c : m.active_conditions())
        if (c.condition == cond) return c.priority;
    FAIL("no active " << cond);
    return Priority::low;
}

bool active(const alerts::ChairMonitor& m, const std::string& cond) {
    for (const auto& c : m.active_conditions())
        if (c.condition == cond) return true;
    return false;
}

}  // namespace

TEST_CASE("tier 3: 185/95 then 170/112 five minutes apart is one HIGH condition") {
    Cuff c(shipped());
    c.bp(0s, 185, 95);
    CHECK(priority_of(c.monitor, "sbp_high") == Priority::medium);
    const auto out = c.bp(300s, 170, 112);
    const auto* high = find(out, "sbp_high");
    REQUIRE(high != nullptr);
    CHECK(high->priority == Priority::high);
    CHECK(high->state == ConditionState::updated);
    CHECK(high->signal == Signal::dbp);  // the value that confirmed it, as the nurse reads it
    CHECK(high->value == 112);
    CHECK(high->limit == 110);
    // DBP's own tier 2 is the recheck prompt; no second HIGH for the same measurement.
    CHECK(priority_of(c.monitor, "dbp_high") == Priority::medium);
}

TEST_CASE("tier 3: two DBP-only readings >= 110 confirm; readings > 10 min apart do not") {
    Cuff close(shipped());
    close.bp(0s, 150, 111);
    close.bp(600s, 150, 112);  // exactly 10 min: still "<= 10 min apart"
    CHECK(priority_of(close.monitor, "sbp_high") == Priority::high);

    Cuff apart(shipped());
    apart.bp(0s, 150, 111);
    apart.bp(601s, 150, 112);
    CHECK_FALSE(active(apart.monitor, "sbp_high"));
    CHECK(priority_of(apart.monitor, "dbp_high") == Priority::medium);
}

TEST_CASE("tier 3: a normal measurement in between restarts the count") {
    Cuff c(shipped());
    c.bp(0s, 185, 95);
    c.bp(300s, 150, 90);
    c.bp(600s, 170, 112);
    CHECK(priority_of(c.monitor, "sbp_high") == Priority::low);  // SBP 170: tier 1; tier 3 at 1
}

TEST_CASE("clearing per signal: DBP clears 5 mmHg back inside, SBP needs 10") {
    Cuff c(shipped());
    c.bp(0s, 130, 101);  // DBP tier 1 (>= 100): LOW
    REQUIRE(active(c.monitor, "dbp_high"));
    c.bp(300s, 130, 96);  // 4 inside: not yet
    CHECK(active(c.monitor, "dbp_high"));
    const auto out = c.bp(600s, 130, 95);  // 5 inside: clears
    REQUIRE(find(out, "dbp_high") != nullptr);
    CHECK(find(out, "dbp_high")->state == ConditionState::cleared);

    c.bp(900s, 161, 80);  // SBP tier 1 (>= 160)
    c.bp(1200s, 151, 80);
    CHECK(active(c.monitor, "sbp_high"));
    c.bp(1500s, 150, 80);
    CHECK_FALSE(active(c.monitor, "sbp_high"));
}

TEST_CASE("clearing per signal inside tier 3: a DBP-confirmed HIGH clears once DBP is 5 inside") {
    // (The engine's condition; latching is the alarm book's, after it.)
    Cuff c(shipped());
    c.bp(0s, 150, 112);
    c.bp(300s, 150, 112);
    REQUIRE(priority_of(c.monitor, "sbp_high") == Priority::high);
    c.bp(600s, 150, 106);
    CHECK(active(c.monitor, "sbp_high"));
    c.bp(900s, 150, 105);
    CHECK_FALSE(active(c.monitor, "sbp_high"));
}

TEST_CASE("clearing per signal inside bp_rise: the DBP tier clears by 5, the SBP tier by 10") {
    Cuff c(shipped());
    std::vector<ConditionChange> out;
    c.monitor.set_phase(Phase::dosing, at(0s), out);
    std::array<std::optional<double>, alerts::signal_count> base{};
    base[alerts::index_of(Signal::sbp)] = 120;
    base[alerts::index_of(Signal::dbp)] = 70;
    c.monitor.set_baseline(base);
    c.bp(0s, 130, 96);  // DBP >= 70 + 25
    REQUIRE(active(c.monitor, "bp_rise"));
    c.bp(300s, 130, 91);  // 95 - 91 = 4: not yet
    CHECK(active(c.monitor, "bp_rise"));
    c.bp(600s, 130, 90);
    CHECK_FALSE(active(c.monitor, "bp_rise"));

    c.bp(900s, 161, 80);  // SBP >= 120 + 40 and >= 160: MEDIUM
    REQUIRE(active(c.monitor, "bp_rise"));
    c.bp(1200s, 151, 80);
    CHECK(active(c.monitor, "bp_rise"));
    c.bp(1500s, 150, 80);
    CHECK_FALSE(active(c.monitor, "bp_rise"));
}

TEST_CASE("config: 'or' joins a cuff signal of the same measurement, with file:line:col") {
    const std::string head =
        "broker: {uri: tcp://127.0.0.1:1883}\nprofiles:\n  p:\n    rules:\n"
        "      r:\n        signal: sbp\n";
    auto ok = config::load_config_text(
        head +
            "        clear_margin: {sbp: 10, dbp: 5}\n        tiers:\n"
            "          - {at_or_above: 180, or: {signal: dbp, at_or_above: 110}, priority: high}\n",
        "t.yaml");
    REQUIRE(ok.errors.empty());
    const auto& rule = ok.config->profiles.at("p")->rules[0];
    REQUIRE(rule.tiers[0].or_limit);
    CHECK(rule.tiers[0].or_limit->signal == Signal::dbp);
    CHECK(rule.tiers[0].or_limit->limit == 110);
    CHECK(rule.margin_for(Signal::sbp) == 10);
    CHECK(rule.margin_for(Signal::dbp) == 5);

    auto hr = config::load_config_text(
        head +
            "        tiers:\n          - {at_or_above: 180, or: {signal: hr, above: 120}, "
            "priority: high}\n",
        "t.yaml");
    REQUIRE(hr.errors.size() == 1);
    CHECK(hr.errors[0].format().find("t.yaml:8:") == 0);
    CHECK(hr.errors[0].message.find("'or' joins another cuff signal") != std::string::npos);

    auto dir = config::load_config_text(
        head +
            "        tiers:\n          - {at_or_above: 180, or: {signal: dbp, below: 50}, "
            "priority: high}\n",
        "t.yaml");
    REQUIRE_FALSE(dir.errors.empty());
    CHECK(dir.errors[0].message.find("same direction") != std::string::npos);

    auto margin =
        config::load_config_text(head +
                                     "        clear_margin: {sbp: 10, xyz: 5}\n        tiers:\n"
                                     "          - {at_or_above: 180, priority: high}\n",
                                 "t.yaml");
    REQUIRE(margin.errors.size() == 1);
    CHECK(margin.errors[0].format().find("t.yaml:7:") == 0);
}
