// A monitoring profile as plain values: the physiological rules and the feed timeouts the engine
// applies to one chair. Built by config/ from YAML, or by hand in tests.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/checkpoints.hpp"
#include "alerts/cuff_schedule.hpp"
#include "alerts/types.hpp"

namespace chairwatch::alerts {

enum class Direction : std::uint8_t { high, low };

// One threshold of a rule. A rule alarms at the priority of its highest active tier.
// A relative tier's limit is the patient's baseline plus `rise_by` (or `rise_pct` of it, the
// lower of the two when both are set); an absolute `limit` may be required as well.
// A second absolute limit on another cuff signal of the same measurement: the tier is beyond when
// either value is (REF §8 tier 3: "SBP >= 180 or DBP >= 110 on two consecutive readings" counts
// the cuff measurement, not each signal on its own).
struct OrLimit {
    Signal signal{Signal::dbp};
    double limit{0};
    bool inclusive{true};
};

struct Tier {
    std::optional<Signal> signal;     // when it differs from the rule's (e.g. DBP in a BP rule)
    std::optional<OrLimit> or_limit;  // cuff tiers: beyond when this signal is beyond it too
    // A joined tier: beyond only while this other signal is beyond its limit as well (in the
    // rule's direction), e.g. SpO2 below 92 while RR is at or below 11. It ends when either
    // signal is back inside by its margin. Nothing is beyond it while the other has no value.
    std::optional<OrLimit> and_limit;
    double limit{0};
    bool has_limit{true};
    bool inclusive{true};            // true: the limit value itself is beyond (>= or <=)
    std::optional<double> rise_by;   // relative: mmHg or bpm over baseline
    std::optional<double> rise_pct;  // relative: percent over baseline
    Priority priority{Priority::medium};
    Millis delay{0};     // the value must stay beyond this long (alarm condition delay)
    int consecutive{1};  // cuff signals: this many readings in a row beyond the limit ...
    Millis within{0};    // ... each no more than this after the previous one (0: no bound)
};

// The value a reading must reach to be beyond a tier, and whether reaching it exactly counts.
struct Threshold {
    double value{0};
    bool inclusive{true};
};

struct Rule {
    std::string condition;  // "sbp_high"; one alarm per condition, never stacked
    Signal signal{Signal::hr};
    Direction direction{Direction::high};
    AlarmKind kind{AlarmKind::physiological};
    std::uint8_t phases{all_phases};  // phase_bit()s in which the rule applies
    double clear_margin{0};  // hysteresis: clears once back inside the limit by this much ...
    // ... or by this much for a signal that has its own margin (REF §8: SBP 10, DBP and MAP 5)
    std::array<std::optional<double>, signal_count> signal_margin{};
    Millis clear_hold{0};  // ... for this long (0: on the next reading)
    std::vector<Tier> tiers;

    Signal signal_of(const Tier& t) const { return t.signal.value_or(signal); }
    bool relative(const Tier& t) const { return t.rise_by || t.rise_pct; }
    // The tier's own limit, as its alarm shows it: absolute, or from the baseline for a relative
    // tier.
    double limit_of(const Tier& t, std::optional<double> baseline) const;
    // The limit in force: limit_of(), or for a relative tier that requires an absolute limit as
    // well, the further of the two (a value must pass both). None for a relative tier without a
    // baseline: nothing is beyond it.
    std::optional<Threshold> threshold_of(const Tier& t, std::optional<double> baseline) const;
    bool beyond(const Tier& t, double v, std::optional<double> baseline = {}) const;
    bool inside_by_margin(const Tier& t, double v, std::optional<double> baseline = {}) const;
    double margin_for(Signal s) const { return signal_margin[index_of(s)].value_or(clear_margin); }
    // The tier's or_limit: whether `v` (of its signal) is beyond it, or back inside by margin.
    bool or_beyond(const Tier& t, double v) const {
        return t.or_limit && past({t.or_limit->limit, t.or_limit->inclusive}, v);
    }
    bool or_inside_by_margin(const Tier& t, double v) const {
        return side_inside_by_margin(t.or_limit, v);
    }
    // The same for the tier's and_limit.
    bool and_beyond(const Tier& t, double v) const {
        return t.and_limit && past({t.and_limit->limit, t.and_limit->inclusive}, v);
    }
    bool and_inside_by_margin(const Tier& t, double v) const {
        return side_inside_by_margin(t.and_limit, v);
    }

  private:
    bool side_inside_by_margin(const std::optional<OrLimit>& side, double v) const;
    bool past(const Threshold& th, double v) const {
        return direction == Direction::high ? (th.inclusive ? v >= th.value : v > th.value)
                                            : (th.inclusive ? v <= th.value : v < th.value);
    }
};

// Inline: judged for every tier of every rule on each reading.
inline double Rule::limit_of(const Tier& t, std::optional<double> baseline) const {
    if (!relative(t)) return t.limit;
    const double sign = direction == Direction::high ? 1.0 : -1.0;
    const double base = baseline.value_or(0);
    double delta = t.rise_by.value_or(1e9);
    if (t.rise_pct) delta = std::min(delta, base * *t.rise_pct / 100.0);
    return base + sign * delta;
}

inline std::optional<Threshold> Rule::threshold_of(const Tier& t,
                                                   std::optional<double> baseline) const {
    if (relative(t) && !baseline) return std::nullopt;
    const double own = limit_of(t, baseline);
    if (!relative(t) || !t.has_limit) return Threshold{own, t.inclusive};
    // The absolute limit of a relative tier counts at the value itself.
    const bool absolute_further = direction == Direction::high ? t.limit > own : t.limit < own;
    return absolute_further ? Threshold{t.limit, true} : Threshold{own, t.inclusive};
}

inline bool Rule::beyond(const Tier& t, double v, std::optional<double> baseline) const {
    const auto th = threshold_of(t, baseline);
    return th && past(*th, v);
}

struct FeedTier {
    Millis after{0};  // silent for longer than this
    Priority priority{Priority::low};
    std::uint8_t phases{all_phases};  // the phases in which this tier applies
};

// A technical alarm when a feed goes silent: one that has delivered in this session, or, if the
// profile expects it, one that has not delivered since the session started.
struct FeedRule {
    std::string condition;        // "hr_feed_lost"
    std::uint8_t signal_mask{0};  // readings of any of these signals feed it
    std::vector<FeedTier> tiers;  // ascending by `after`
    bool expected{false};         // watched from the session's start, not its first reading
    // Cuff feeds: from the dose start on, overdue by this schedule instead of `tiers`.
    std::optional<CuffSchedule> schedule;

    bool fed_by(Signal s) const { return (signal_mask >> index_of(s)) & 1U; }
    Signal primary_signal() const;
};

constexpr std::uint8_t mask_of(Signal s) {
    return static_cast<std::uint8_t>(1U << index_of(s));
}

// How the patient's own baseline is formed from the readings of the baseline phase.
struct BaselinePolicy {
    Millis seated_rest{300000};    // readings this soon after the start do not count (REF §8)
    int min_cuff_readings{2};      // at least this many NIBP readings ...
    Millis min_cuff_span{300000};  // ... the first and last this far apart
    int use_last{3};               // median of the last N cuff readings
    Millis min_hr_span{120000};    // and HR over at least this long
};

// When a patient may go home: observation long enough and every vital back in range.
struct DischargePolicy {
    Millis min_observation{std::chrono::minutes(60)};
    double sbp_below{160};
    double dbp_below{100};
    double hr_below{110};
    double within_pct_of_baseline{20};  // SBP and DBP within this % of baseline (if formed)
};

// Unacknowledged alarms of a priority escalate after `after`, then re-notify every `repeat`.
struct EscalationPolicy {
    Millis after{0};   // 0: never escalates
    Millis repeat{0};  // 0: escalates once
};

// A stricter variant of a profile for sessions whose start message sets `flag` (REF §9): its
// rules and feeds replace the profile's of the same condition (or are added); the rest stays.
struct Modifier {
    std::string flag;  // "age_65_plus", "hypertension", "first_sessions", "sedatives"
    std::vector<Rule> rules;
    std::vector<FeedRule> feeds;  // e.g. SpO2 and RR expected from the session's start
};

// A limit a nurse may change for one session (Clinic::change_limit), within [min, max]: the
// absolute limit of tier `tier` (1-based, in the profile's order) of rule `condition`.
struct LimitBound {
    std::string condition;
    int tier{1};
    double min{0};
    double max{0};
};

struct Profile {
    // What the engine keeps per chair is sized for these (config/ refuses more).
    static constexpr std::size_t max_rules = 64;
    static constexpr std::size_t max_tiers = 16;  // per rule

    std::string name{"default"};
    std::string route;  // "iv", "im", "intranasal", or empty
    std::vector<Rule> rules;
    std::vector<FeedRule> feeds;
    Millis stream_window{5000};  // streamed signals are judged on the median over this window
    Millis stream_hold{10000};   // with no sample in the window, the latest counts this long
    // A cuff reading older than this is never current: not judged, shown or used for discharge
    // (REF §3 and §8: 15 min).
    Millis cuff_current_for{std::chrono::minutes(15)};
    // The monitor reporting itself offline longer than this is monitor_link_lost (REF §8: 15 s).
    Millis monitor_lost{std::chrono::seconds(15)};
    BaselinePolicy baseline;
    DischargePolicy discharge;
    std::vector<Modifier> modifiers;       // applied in this order, each when its flag is set
    std::vector<Checkpoint> checkpoints;   // BP checks at set times after the dose
    std::vector<LimitBound> limit_bounds;  // the limits a nurse may change for one session
    std::array<EscalationPolicy, 3> escalation{};  // by priority: low, medium, high
    std::uint8_t latching{1U << 2};  // priority bits whose physiological alarms latch (high)
    Millis ack_lasts{std::chrono::minutes(2)};  // an ack silences an ongoing alarm this long

    bool latches(Priority p) const { return (latching >> static_cast<unsigned>(p)) & 1U; }
};

}  // namespace chairwatch::alerts
