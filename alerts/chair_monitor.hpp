// The rule engine for one chair: readings and the current time in, condition changes out.
// Pure: no clock, no I/O. The caller passes `now` and gets back what changed.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "alerts/condition_change.hpp"
#include "alerts/packed_arrays.hpp"
#include "alerts/profile.hpp"
#include "alerts/short_time.hpp"
#include "alerts/stream_window.hpp"

namespace chairwatch::alerts {

class ChairMonitor {
  public:
    // The engine skips work whose result it can tell in advance: rules a stream sample leaves
    // quiet, ticks before anything is due. `off` judges every rule on every reading and tick:
    // the same transitions, slower; tests hold the two to each other.
    enum class Shortcuts : std::uint8_t { on, off };

    explicit ChairMonitor(std::shared_ptr<const Profile> profile,
                          Shortcuts shortcuts = Shortcuts::on);

    // Judges one accepted reading at `now`; appends any condition changes to `out`.
    void on_reading(const Reading& r, Instant now, std::vector<ConditionChange>& out);
    // Judges the readings of one measurement together (a cuff's SBP, DBP and MAP), so a rule
    // sees them as one moment rather than one after another.
    void on_readings(std::span<const Reading> readings, Instant now,
                     std::vector<ConditionChange>& out);
    // Advances time with no new reading: condition delays, clear holds, silent feeds.
    void on_tick(Instant now, std::vector<ConditionChange>& out);
    // Clears every active condition (session over) and forgets all state.
    void reset(Instant now, ClearCause cause, std::vector<ConditionChange>& out);
    // Applies a new profile. Conditions that still exist carry over (never raised in priority
    // by the change itself); removed ones end as `reconfigured`.
    void set_profile(std::shared_ptr<const Profile> profile, Instant now,
                     std::vector<ConditionChange>& out);
    // A session starts: the feeds the profile expects count as silent from `now` until their
    // first reading (a feed that is not expected is watched only once it has delivered).
    void watch_expected_feeds(Instant now);
    // The dose started at `now`: feeds with a cuff schedule count their cycles from here.
    void set_dose_start(Instant now) {
        dose_start_ = now.mono;
        asleep_ = false;
    }
    // Moves to a session phase; conditions of rules that do not apply in it end.
    void set_phase(Phase phase, Instant now, std::vector<ConditionChange>& out);
    // The patient's baseline per signal, for relative rules (none: they stay silent).
    void set_baseline(const std::array<std::optional<double>, signal_count>& baseline) {
        for (std::size_t i = 0; i < signal_count; ++i)
            baseline_[i] = baseline[i].value_or(none);
        compute_bounds();
        wake_all();
    }
    Phase phase() const { return phase_; }
    // Until `now`, a tick would change nothing: no rule is due, no feed alarm is active, and no
    // feed has been silent long enough for a tier. on_tick() then returns at once.
    bool sleeping(Millis now) const { return shortcuts_ && asleep_ && now <= wake_at_; }
    // The first instant at which sleeping() is false (Millis::max(): never, until a reading or
    // a change of baseline, phase or profile).
    Millis wakes_at() const {
        if (!shortcuts_ || !asleep_) return Millis::min();
        return wake_at_ == Millis::max() ? wake_at_ : wake_at_ + Millis(1);
    }
    // The value rules judge now: the stream median, or the last cuff reading.
    std::optional<double> current_value(Signal s, Millis now) const;

    // The last change of every active condition, in profile order.
    std::vector<ConditionChange> active_conditions() const;
    const Profile& profile() const { return *profile_; }

  private:
    // Streams are kept for the streamed signals only (HR, SpO2, RR, EtCO2); cuff signals keep
    // their last.
    static constexpr std::array<Signal, 4> streamed{Signal::hr, Signal::spo2, Signal::rr,
                                                    Signal::etco2};
    static constexpr std::size_t stream_slot(Signal s) {
        return s == Signal::hr ? 0 : index_of(s) - index_of(Signal::map);
    }
    static constexpr Millis never{std::numeric_limits<Millis::rep>::min()};
    // Per-signal values are kept as plain doubles, NaN for none (readings are never NaN): half
    // the size of optionals, in memory kept for every chair.
    static constexpr double none = std::numeric_limits<double>::quiet_NaN();
    static std::optional<double> known(double v) {
        return std::isnan(v) ? std::nullopt : std::optional<double>(v);
    }
    std::optional<double> base_of(Signal s) const { return known(baseline_[index_of(s)]); }

    // One tier's timers. The value is never beyond and back inside at once, so one instant
    // serves both: beyond since `since`, or (an active tier) back inside since `since`. There is
    // one for every tier of every chair, so it is kept to 8 bytes: the instant is a tier_time().
    struct TierState {
        static constexpr std::int32_t no_time = std::numeric_limits<std::int32_t>::min();
        static constexpr std::int16_t max_count = std::numeric_limits<std::int16_t>::max();
        std::int32_t since{no_time};
        std::int16_t count{0};  // readings in a row beyond the limit, up to max_count
        bool inside{false};
        bool active{false};

        bool beyond_pending() const { return since != no_time && !inside; }
        bool idle() const { return since == no_time && !active; }
    };
    struct RuleState {
        static constexpr std::int32_t due_now = std::numeric_limits<std::int32_t>::min();
        static constexpr std::int32_t due_never = std::numeric_limits<std::int32_t>::max();
        // Ticks skip the rule while the tier time is at or before `due`: before it, nothing a
        // tick judges changes (no delay or clear hold runs out, no stream sample leaves its
        // window). A reading, the baseline, the phase or the profile changing judges it anyway.
        // `due_never` is quiet: no alarm, nothing pending, and no value a tick could judge is
        // beyond a tier (a cuff value stays until the next reading; a stream's median stays
        // within its samples). A rule that does not apply in the current phase is quiet too.
        std::int32_t due{due_now};
        std::uint16_t first_tier{0};  // into tiers()
        std::uint8_t uses{0};         // mask_of() bits of the signals its tiers judge
        bool idle : 1 {false};        // no tier pending or active (as of its last evaluation)
        // Every tier judges the rule's own signal, and a value short of `bound` (high rules:
        // below it; low rules: above it) is beyond none of them, with the current baseline.
        bool bounded : 1 {false};
        double bound{0};
        std::unique_ptr<ConditionChange> alarm;  // its last change, only while active

        bool quiet() const { return due == due_never; }
    };
    struct FeedState {
        Millis quiet_for{Millis::zero()};  // the shortest silence any of its tiers alarms after
        Millis last_seen{never};
        std::unique_ptr<ConditionChange> alarm;
    };
    // The values rules judge at one instant, each worked out once (a stream median is not cheap).
    struct Values {
        std::array<std::optional<double>, signal_count> value{};
        std::uint8_t known{0};
        std::array<std::pair<double, double>, streamed.size()> range{};  // by stream_slot()
        std::uint8_t ranged{0};
    };

    void take(const Reading& r, Instant now, std::vector<ConditionChange>& out);
    // No value a tick could judge before the next reading is beyond a tier of the rule.
    bool calm(const RuleState& rs, const Rule& rule, Values& values) const;
    // The most extreme sample a (non-empty) stream keeps in the rule's direction: its median
    // is no further. The stream of `signal`, or of the rule's own signal.
    double extreme(const Rule& rule, Values& values, std::optional<Signal> signal = {}) const;
    // The common case, an idle rule on values beyond none of its tiers, judged cheaply; false
    // if the rule needs the full evaluation.
    bool still_idle(std::size_t rule_index, Millis now, std::uint8_t fresh, Values& values);
    const std::optional<double>& value_of(Values& v, Signal s, Millis now) const;
    // Judges a rule at `now`; `fresh` has the mask_of() bits of signals that just arrived.
    void evaluate(std::size_t rule_index, Instant now, std::uint8_t fresh, Values& values,
                  std::vector<ConditionChange>& out);
    // `now` as a tier instant: a short_time instant after tier_base_, which moves (and the tier
    // instants with it) when `now` is ~12 days away from it.
    std::int32_t tier_time(Millis now);
    static Millis elapsed(std::int32_t now, std::int32_t since) {
        return Millis(std::int64_t{now} - std::int64_t{since});
    }
    // `other`: the value of the tier's or_limit signal, if it has one and a value; `with`: the
    // same for its and_limit.
    void update_tier(const Rule& rule, const Tier& tier, TierState& ts, double value,
                     std::optional<double> other, std::optional<double> with, Millis now,
                     std::int32_t tier_now, bool new_reading);
    // The last tier instant at which a tick would still change nothing for the rule: before
    // its tiers' delays or clear holds run out, or a sample of a stream it judges leaves the
    // window (after a full evaluation).
    std::int32_t due_after(const Rule& rule, const RuleState& rs, Millis now) const;
    // The same for the streams alone (an idle rule with a sample beyond a tier).
    std::int32_t stream_due(const RuleState& rs, Millis now) const;
    // The counts() slot of a tier with a `within` bound, by its index in tiers().
    Millis& count_at(std::size_t tier_index);
    bool applies(const Rule& rule) const { return rule.phases & phase_bit(phase_); }
    void evaluate_feed(std::size_t feed_index, Instant now, std::vector<ConditionChange>& out);
    // The one tier of a feed with a schedule, from the dose start on (phases 0: none applies,
    // the feed's own tiers do).
    FeedTier scheduled_tier(const FeedRule& feed, const FeedState& fs) const;
    void init_state();
    void compute_bounds();
    bool short_of_bound(const RuleState& rs, const Rule& rule, double value) const {
        return rule.direction == Direction::high ? value < rs.bound : value > rs.bound;
    }
    void wake_all();
    // Works out sleeping() after the rules and feeds were judged.
    void settle();
    // Works out calm_band_ for a stream, after its rules judged a sample of it.
    void compute_band(Signal s);
    void close(std::unique_ptr<ConditionChange>& alarm, Instant now, ClearCause cause,
               std::vector<ConditionChange>& out);
    TierState* tiers_of(std::size_t rule_index) { return &tiers()[rules()[rule_index].first_tier]; }

    // One block: per rule, every rule's tiers one after the other, per tier with a `within`
    // bound (few have one: cuff confirmations) when it last counted a reading, per feed.
    using State = PackedArrays<RuleState, TierState, Millis, FeedState>;
    std::span<RuleState> rules() { return state_.get<0>(); }
    std::span<const RuleState> rules() const { return state_.get<0>(); }
    std::span<TierState> tiers() { return state_.get<1>(); }
    std::span<const TierState> tiers() const { return state_.get<1>(); }
    std::span<Millis> counts() { return state_.get<2>(); }
    std::span<FeedState> feeds() { return state_.get<3>(); }
    std::span<const FeedState> feeds() const { return state_.get<3>(); }

    std::shared_ptr<const Profile> profile_;
    State state_;
    std::array<StreamWindow, streamed.size()> streams_{};
    // Per stream, an open interval (lo, hi) that holds every sample the stream keeps, inside
    // which every rule judging the stream is quiet and bounded: a new sample inside it changes
    // no rule, and judging them is skipped. NaN: not known (any change to rules, baseline,
    // phase or profile forgets it until the stream's rules are next judged). Floats, rounded
    // inwards, keep it small.
    struct Band {
        float lo{std::numeric_limits<float>::quiet_NaN()};
        float hi{std::numeric_limits<float>::quiet_NaN()};
        static Band inside(double lo, double hi);
        bool holds(double v) const {
            return v > static_cast<double>(lo) && v < static_cast<double>(hi);
        }
    };
    std::array<Band, streamed.size()> calm_band_{};
    std::array<double, signal_count> last_value_{none, none, none, none, none, none, none};
    std::array<double, signal_count> baseline_{none, none, none, none, none, none, none};
    Millis cuff_at_{never};     // when the latest cuff reading arrived
    Millis dose_start_{never};  // for feeds with a schedule
    Millis tier_base_{0};       // what tier instants count from
    Millis wake_at_{0};         // the first time a rule is due or a feed tier could apply (asleep_)
    bool asleep_{false};        // no feed alarm, as of the last judgement (then wake_at_ holds)
    bool shortcuts_{true};
    Phase phase_{Phase::monitoring};
};

}  // namespace chairwatch::alerts
