// One chair's IV ketamine session as a deterministic model. Pure: no clock, no I/O, no threads.
//
// Contract: `Scenario(seed, kind, timeline).at(t)` gives the vitals to publish at simulated
// second `t` since the chair's session start, or nothing outside [0, timeline.end_s()].
// The same seed, kind, timeline and `t` always give the same vitals, in any call order.
// Blood pressure is present only at cuff (NIBP) times; HR and SpO2 every second. HR may carry
// a rare seeded artifact (a one-sample spike, or 0 for "sensor off"); BP never does.
#pragma once

#include <cstdint>
#include <optional>

namespace chairwatch::sim {

enum class ScenarioKind : std::uint8_t { normal, surge };
enum class Phase : std::uint8_t { baseline, dosing, observation };
enum class Artifact : std::uint8_t { none, hr_spike, hr_zero };

// Session phases in simulated seconds: baseline, then dosing, then observation, then the end.
struct Timeline {
    // 5 min seated rest, then cuff readings at 5 and 10 min: the shipped profiles' baseline
    // (REFERENCE §8: >= 2 readings >= 5 min apart after 5 min of seated rest).
    int baseline_s = 15 * 60;
    int dose_s = 40 * 60;
    int observation_s = 60 * 60;

    int dose_start_s() const { return baseline_s; }
    int dose_end_s() const { return baseline_s + dose_s; }
    int end_s() const { return baseline_s + dose_s + observation_s; }
};

struct BloodPressure {
    int sbp = 0;
    int dbp = 0;
    int map = 0;
};

struct Vitals {
    std::optional<BloodPressure> bp;  // only at cuff times
    int hr = 0;                       // 0 when the sensor is off (an artifact)
    int spo2 = 0;
    Artifact artifact = Artifact::none;
};

// Per-chair physiology, drawn from the seed. mmHg, bpm, seconds after dose start.
struct Profile {
    double baseline_sbp = 0, baseline_dbp = 0, baseline_hr = 0, spo2 = 0;
    double anxiety_sbp = 0, anxiety_dbp = 0;  // pre-dose excess, gone 15 min into dosing
    double peak_sbp = 0, peak_dbp = 0, peak_hr = 0;
    double peak_after_dose_s = 0;  // time of the BP and HR peak
    double decay_s = 0;            // from the peak back to the resting level
};

// Noise-free level of each vital at one moment.
struct Trend {
    double sbp = 0, dbp = 0, hr = 0;
};

class Scenario {
  public:
    Scenario(std::uint64_t seed, ScenarioKind kind, Timeline timeline = {});

    std::optional<Vitals> at(int t) const;
    bool is_cuff_time(int t) const;
    Phase phase(int t) const;
    Trend trend(int t) const;

    ScenarioKind kind() const { return kind_; }
    const Timeline& timeline() const { return timeline_; }
    const Profile& profile() const { return profile_; }

  private:
    double effect(double since_dose_s) const;
    BloodPressure cuff_reading(int t) const;
    int heart_rate(int t, Artifact& artifact) const;

    std::uint64_t seed_;
    ScenarioKind kind_;
    Timeline timeline_;
    Profile profile_;
};

// A chair's own seed, from the run's seed and the chair's number (1-based).
std::uint64_t chair_seed(std::uint64_t seed, int chair);

// chair 1 surges, chair 2 is normal, later chairs surge 1 time in 4 (seeded).
ScenarioKind default_kind(std::uint64_t seed, int chair);

}  // namespace chairwatch::sim
