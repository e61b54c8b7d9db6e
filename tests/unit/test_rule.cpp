// What a tier's limit is: absolute, relative to the baseline, or both at once. The threshold the
// rule engine judges, the bounds its shortcuts use and the lines a report draws all come from
// Rule::threshold_of(); these cases pin its meaning through beyond() and inside_by_margin().
#include <doctest/doctest.h>

#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::Direction;
using alerts::Priority;
using alerts::Signal;

namespace {

// SBP high with a clear margin of 10: a rise of `rise_by` over the baseline, and when
// `floor` is set, at least that absolute value as well.
alerts::Rule rise_rule(double rise_by, std::optional<double> floor, bool inclusive = true) {
    auto t = tier(floor.value_or(0), Priority::medium, 0ms, 1, 0ms, inclusive);
    t.rise_by = rise_by;
    t.has_limit = floor.has_value();
    return rule("bp_rise", Signal::sbp, Direction::high, 10, 0ms, {t});
}

}  // namespace

TEST_CASE("an absolute tier is beyond at its limit as the tier says, and clears by the margin") {
    const auto r = rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms,
                        {tier(160, Priority::low, 0ms, 1, 0ms, false)});
    const auto& t = r.tiers[0];
    CHECK_FALSE(r.beyond(t, 160));
    CHECK(r.beyond(t, 160.5));
    CHECK_FALSE(r.inside_by_margin(t, 151));
    CHECK(r.inside_by_margin(t, 150));
}

TEST_CASE("a relative tier without a baseline is never beyond") {
    const auto r = rise_rule(40, 140);
    CHECK_FALSE(r.beyond(r.tiers[0], 300));
    CHECK(r.inside_by_margin(r.tiers[0], 300));
}

TEST_CASE("a relative tier takes the lower of its rise in units and in percent") {
    auto r = rise_rule(40, std::nullopt);
    r.tiers[0].rise_pct = 20;  // 20% of 150 = 30 < 40
    CHECK_FALSE(r.beyond(r.tiers[0], 179, 150.0));
    CHECK(r.beyond(r.tiers[0], 180, 150.0));
    CHECK(r.limit_of(r.tiers[0], 150.0) == 180);
}

TEST_CASE("a relative tier with an absolute limit needs both: the further one counts") {
    const auto r = rise_rule(40, 170);
    const auto& t = r.tiers[0];
    // Baseline 120: the rise alone would alarm at 160; the absolute 170 is further.
    CHECK(r.limit_of(t, 120.0) == 160);
    CHECK_FALSE(r.beyond(t, 169, 120.0));
    CHECK(r.beyond(t, 170, 120.0));
    CHECK_FALSE(r.inside_by_margin(t, 161, 120.0));  // back under 170 by the margin of 10 ...
    CHECK(r.inside_by_margin(t, 160, 120.0));
    // Baseline 140: the rise (180) is further than the absolute 170.
    CHECK_FALSE(r.beyond(t, 179, 140.0));
    CHECK(r.beyond(t, 180, 140.0));
    CHECK_FALSE(r.inside_by_margin(t, 171, 140.0));
    CHECK(r.inside_by_margin(t, 170, 140.0));
}

TEST_CASE("an exclusive relative tier: its absolute limit still counts at the value itself") {
    const auto r = rise_rule(40, 170, false);
    const auto& t = r.tiers[0];
    CHECK(r.beyond(t, 170, 120.0));        // the absolute limit is further: >= 170
    CHECK_FALSE(r.beyond(t, 180, 140.0));  // the rise is further: > 180
    CHECK(r.beyond(t, 180.5, 140.0));
    CHECK_FALSE(r.beyond(t, 170, 130.0));  // both at 170: exclusive
}

TEST_CASE("low rules mirror high ones") {
    auto t = tier(85, Priority::high);
    t.rise_by = 30;  // a fall of 30 below the baseline, and at most 85
    const auto r = rule("sbp_fall", Signal::sbp, Direction::low, 5, 0ms, {t});
    CHECK_FALSE(r.beyond(r.tiers[0], 86, 110.0));  // the fall (80) is further: <= 80
    CHECK(r.beyond(r.tiers[0], 80, 110.0));
    CHECK(r.beyond(r.tiers[0], 85, 120.0));  // the absolute 85 is further
    CHECK(r.inside_by_margin(r.tiers[0], 90, 120.0));
    CHECK_FALSE(r.inside_by_margin(r.tiers[0], 89, 120.0));
}
