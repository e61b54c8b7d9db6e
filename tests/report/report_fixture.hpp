// Shared by the report tests: the fixture session (see fixtures/make_session.py) and a profile
// built by hand with the shipped iv-ketamine limits, so the tests do not depend on the YAML.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "alerts/profile.hpp"
#include "drivers/codec/payload_codec.hpp"
#include "report/session_record.hpp"

namespace chairwatch::report::test {

inline const std::string fixture_dir = CHAIRWATCH_REPORT_FIXTURES;

inline const SessionRecord& fixture() {
    static const SessionRecord rec = [] {
        std::string error;
        auto r = read_session_log(fixture_dir + "/session.jsonl", error);
        if (!r) throw std::runtime_error(error);
        return std::move(*r);
    }();
    return rec;
}

// How many times `what` occurs in `text`.
inline std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

inline alerts::Millis at(const char* iso) {
    return *drivers::parse_iso8601(iso);
}

inline alerts::Tier tier(double limit, alerts::Priority p, bool inclusive = true) {
    alerts::Tier t;
    t.limit = limit;
    t.priority = p;
    t.inclusive = inclusive;
    return t;
}

inline alerts::Tier rise(double by, alerts::Priority p, std::optional<alerts::Signal> s = {}) {
    alerts::Tier t;
    t.has_limit = false;
    t.rise_by = by;
    t.priority = p;
    t.signal = s;
    return t;
}

inline alerts::Rule rule(std::string condition, alerts::Signal s, alerts::Direction d,
                         std::vector<alerts::Tier> tiers,
                         std::uint8_t phases = alerts::all_phases) {
    alerts::Rule r;
    r.condition = std::move(condition);
    r.signal = s;
    r.direction = d;
    r.phases = phases;
    r.tiers = std::move(tiers);
    return r;
}

inline std::shared_ptr<const alerts::Profile> profile() {
    using alerts::Direction;
    using alerts::Priority;
    using alerts::Signal;
    auto p = std::make_shared<alerts::Profile>();
    p->name = "iv-ketamine";
    p->route = "iv";
    const auto rising = static_cast<std::uint8_t>(alerts::phase_bit(alerts::Phase::dosing) |
                                                  alerts::phase_bit(alerts::Phase::observation));
    p->rules = {
        rule("sbp_high", Signal::sbp, Direction::high,
             {tier(160, Priority::low), tier(180, Priority::medium), tier(180, Priority::high),
              tier(200, Priority::high)}),
        rule("dbp_high", Signal::dbp, Direction::high,
             {tier(100, Priority::low), tier(110, Priority::medium), tier(120, Priority::high)}),
        rule("bp_rise", Signal::sbp, Direction::high,
             {rise(40, Priority::low), rise(25, Priority::low, Signal::dbp)}, rising),
        rule("hr_high", Signal::hr, Direction::high,
             {tier(110, Priority::low, false), tier(130, Priority::medium),
              tier(150, Priority::high)}),
        rule("sbp_low", Signal::sbp, Direction::low, {tier(90, Priority::medium)}),
        rule("spo2_low", Signal::spo2, Direction::low, {tier(92, Priority::medium, false)}),
        rule("predose_bp_high", Signal::sbp, Direction::high, {tier(140, Priority::medium)},
             alerts::phase_bit(alerts::Phase::baseline)),
    };
    p->rules.back().kind = alerts::AlarmKind::advisory;
    return p;
}

}  // namespace chairwatch::report::test
