// `limit_bounds:` of a profile: every mistake at its file:line:col, with its key.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"

using namespace chairwatch;

namespace {

const std::string base = R"(broker:
  uri: tcp://127.0.0.1:1883
default_profile: p
profiles:
  p:
    rules:
      sbp_high:
        signal: sbp
        tiers:
          - {at_or_above: 160, priority: low}
          - {at_or_above: 180, priority: high}
      bp_rise:
        signal: sbp
        tiers:
          - {rise_by: 40, priority: low}
    limit_bounds:
)";

std::vector<std::string> errors(const std::string& text) {
    auto r = config::load_config_text(text, "t.yaml");
    std::vector<std::string> out;
    for (const auto& e : r.errors)
        out.push_back(e.format());
    return out;
}

std::string only_error(const std::string& text) {
    const auto e = errors(text);
    for (const auto& x : e)
        INFO(x);
    REQUIRE(e.size() == 1);
    return e[0];
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("limit_bounds: a valid list is kept, and a derived profile inherits it") {
    const auto text = base + "      - {rule: sbp_high, tier: 2, min: 170, max: 200}\n" +
                      "  q:\n    inherits: p\n";
    auto r = config::load_config_text(text, "t.yaml");
    REQUIRE(r.config);
    for (const char* name : {"p", "q"}) {
        const auto& bounds = r.config->profiles.at(name)->limit_bounds;
        REQUIRE(bounds.size() == 1);
        CHECK(bounds[0].condition == "sbp_high");
        CHECK(bounds[0].tier == 2);
        CHECK(bounds[0].min == 170);
        CHECK(bounds[0].max == 200);
    }
}

TEST_CASE("limit_bounds: each mistake at its place, with its key") {
    SUBCASE("no such rule") {
        const auto e = only_error(base + "      - {rule: hr_high, tier: 1, min: 100, max: 130}\n");
        CHECK(contains(
            e, "t.yaml:17:9: profiles.p.limit_bounds[0].rule: the profile has no rule 'hr_high'"));
    }
    SUBCASE("no such tier") {
        const auto e = only_error(base + "      - {rule: sbp_high, tier: 3, min: 170, max: 200}\n");
        CHECK(contains(
            e, "t.yaml:17:9: profiles.p.limit_bounds[0].tier: rule 'sbp_high' has 2 tiers"));
    }
    SUBCASE("a relative tier") {
        const auto e = only_error(base + "      - {rule: bp_rise, tier: 1, min: 30, max: 50}\n");
        CHECK(contains(e,
                       "t.yaml:17:9: profiles.p.limit_bounds[0].tier: tier 1 of 'bp_rise' is "
                       "relative to the baseline"));
    }
    SUBCASE("bounds that do not hold the configured limit") {
        const auto e = only_error(base + "      - {rule: sbp_high, tier: 2, min: 185, max: 200}\n");
        CHECK(contains(e,
                       "t.yaml:17:9: profiles.p.limit_bounds[0]: min 185 and max 200 must be "
                       "in order and hold the tier's limit 180"));
    }
    SUBCASE("min above max") {
        const auto e = only_error(base + "      - {rule: sbp_high, tier: 2, min: 200, max: 170}\n");
        CHECK(contains(e, "profiles.p.limit_bounds[0]: min 200 and max 170"));
    }
    SUBCASE("a key missing, an unknown key") {
        CHECK(contains(only_error(base + "      - {rule: sbp_high, tier: 2, min: 170}\n"),
                       "t.yaml:17:9: profiles.p.limit_bounds[0].max: missing"));
        CHECK(contains(
            only_error(base + "      - {rule: sbp_high, tier: 2, min: 170, max: 200, by: x}\n"),
            "unknown key 'profiles.p.limit_bounds[0].by'"));
    }
    SUBCASE("the same limit twice") {
        const auto e = only_error(base + "      - {rule: sbp_high, tier: 2, min: 170, max: 200}\n" +
                                  "      - {rule: sbp_high, tier: 2, min: 175, max: 190}\n");
        CHECK(contains(e,
                       "t.yaml:18:9: profiles.p.limit_bounds[1]: tier 2 of 'sbp_high' has "
                       "bounds already"));
    }
    SUBCASE("not a list") {
        const auto e = only_error(base.substr(0, base.size() - 1) + " {rule: sbp_high}\n");
        CHECK(contains(e, "profiles.p.limit_bounds: expected a list of {rule, tier, min, max}"));
    }
    SUBCASE("an inherited bound the derived profile's rules no longer fit") {
        const auto e = only_error(base + "      - {rule: sbp_high, tier: 2, min: 170, max: 200}\n" +
                                  "  q:\n    inherits: p\n    rules:\n      sbp_high: ~\n");
        CHECK(contains(e,
                       "profiles.q.limit_bounds (inherited).rule: the profile has no rule "
                       "'sbp_high'"));
    }
}
