// The rule engine for one chair: readings and the current time in, alarm transitions out.
// Pure: no clock, no I/O. The caller passes `now` and gets back what changed.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "alerts/alarm.hpp"
#include "alerts/profile.hpp"
#include "alerts/stream_window.hpp"

namespace chairwatch::alerts {

class ChairMonitor {
  public:
    explicit ChairMonitor(std::shared_ptr<const Profile> profile);

    // Judges one accepted reading at `now`; appends any transitions to `out`.
    void on_reading(const Reading& r, Instant now, std::vector<AlarmTransition>& out);
    // Judges the readings of one measurement together (a cuff's SBP, DBP and MAP), so a rule
    // sees them as one moment rather than one after another.
    void on_readings(std::span<const Reading> readings, Instant now,
                     std::vector<AlarmTransition>& out);
    // Advances time with no new reading: condition delays, clear holds, silent feeds.
    void on_tick(Instant now, std::vector<AlarmTransition>& out);
    // Clears every active alarm (session over) and forgets all state.
    void reset(Instant now, ClearCause cause, std::vector<AlarmTransition>& out);
    // Applies a new profile. Alarms of conditions that still exist carry over (never escalated
    // by the change itself); those of removed conditions end as `reconfigured`.
    void set_profile(std::shared_ptr<const Profile> profile, Instant now,
                     std::vector<AlarmTransition>& out);
    // Moves to a session phase; alarms of rules that do not apply in it end.
    void set_phase(Phase phase, Instant now, std::vector<AlarmTransition>& out);
    // The patient's baseline per signal, for relative rules (none: they stay silent).
    void set_baseline(const std::array<std::optional<double>, signal_count>& baseline) {
        baseline_ = baseline;
    }
    Phase phase() const { return phase_; }
    // The value rules judge now: the stream median, or the last cuff reading.
    std::optional<double> current_value(Signal s, Millis now) const;

    // The current state of every active alarm, in profile order.
    std::vector<AlarmTransition> active_alarms() const;
    const Profile& profile() const { return *profile_; }
    std::uint32_t next_alarm_no() const { return next_alarm_no_; }
    void set_next_alarm_no(std::uint32_t n) { next_alarm_no_ = n; }

  private:
    struct TierState {
        std::optional<Millis> beyond_since;
        std::optional<Millis> inside_since;
        std::optional<Millis> last_count_at;
        int count{0};
        bool active{false};
    };
    struct RuleState {
        std::vector<TierState> tiers;
        std::optional<AlarmTransition> alarm;
    };
    struct FeedState {
        std::optional<Millis> last_seen;
        std::optional<AlarmTransition> alarm;
    };

    void take(const Reading& r, Instant now, std::vector<AlarmTransition>& out);
    // Judges a rule at `now`; `fresh` has the mask_of() bits of signals that just arrived.
    void evaluate(std::size_t rule_index, Instant now, std::uint8_t fresh,
                  std::vector<AlarmTransition>& out);
    void update_tier(const Rule& rule, const Tier& tier, TierState& ts, double value, Millis now,
                     bool new_reading) const;
    bool applies(const Rule& rule) const { return rule.phases & phase_bit(phase_); }
    void evaluate_feed(std::size_t feed_index, Instant now, std::vector<AlarmTransition>& out);
    void init_state();
    void close(std::optional<AlarmTransition>& alarm, Instant now, ClearCause cause,
               std::vector<AlarmTransition>& out);

    std::shared_ptr<const Profile> profile_;
    std::vector<RuleState> rules_;
    std::vector<FeedState> feeds_;
    std::array<StreamWindow, signal_count> streams_{};
    std::array<std::optional<double>, signal_count> last_value_{};
    std::array<std::optional<double>, signal_count> baseline_{};
    Phase phase_{Phase::monitoring};
    std::uint32_t next_alarm_no_{1};
};

}  // namespace chairwatch::alerts
