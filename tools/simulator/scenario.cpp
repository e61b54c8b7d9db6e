#include "tools/simulator/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace chairwatch::sim {
namespace {

// What a random draw is for; part of the hash key so draws never share a stream.
enum class Draw : std::uint64_t {
    baseline_sbp = 1,
    baseline_dbp,
    baseline_hr,
    spo2_level,
    anxiety_sbp,
    anxiety_dbp,
    rise_sbp,
    rise_dbp,
    rise_hr,
    peak_time,
    decay,
    hr_wander_period,
    hr_wander_phase,
    noise_sbp,
    noise_dbp,
    noise_hr,
    noise_spo2,
    artifact,
    spike_size,
    kind
};

constexpr std::int64_t profile_slot = -1;  // draws made once per chair, not per second
constexpr double hr_spike_per_s = 1.0 / 600.0;
constexpr double hr_zero_per_s = 1.0 / 1800.0;
constexpr double anxiety_fade_s = 15 * 60;

// splitmix64's finaliser: a good 64-bit mix, cheap enough to call per sample.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Uniform in [0, 1) from (seed, time slot, purpose, index): random access, no state.
double uniform(std::uint64_t seed, std::int64_t slot, Draw d, std::uint64_t i = 0) {
    const auto key =
        mix(static_cast<std::uint64_t>(slot) ^ mix(static_cast<std::uint64_t>(d) * 64 + i));
    return static_cast<double>(mix(seed ^ key) >> 11) * 0x1.0p-53;
}

double uniform(std::uint64_t seed, Draw d, double lo, double hi) {
    return lo + (hi - lo) * uniform(seed, profile_slot, d);
}

// Gaussian-ish noise (sum of four uniforms), standard deviation `sd`, clipped at 2 sd.
double noise(std::uint64_t seed, std::int64_t t, Draw d, double sd) {
    double sum = -2.0;
    for (std::uint64_t i = 0; i < 4; ++i)
        sum += uniform(seed, t, d, i);
    return std::clamp(sum * std::numbers::sqrt3 * sd, -2.0 * sd, 2.0 * sd);
}

int round_to_int(double v) {
    return static_cast<int>(std::lround(v));
}

Profile normal_profile(std::uint64_t s, const Timeline& tl) {
    Profile p;
    p.baseline_sbp = uniform(s, Draw::baseline_sbp, 110, 135);
    p.baseline_dbp = uniform(s, Draw::baseline_dbp, 68, 84);
    p.baseline_hr = uniform(s, Draw::baseline_hr, 62, 80);
    p.spo2 = uniform(s, Draw::spo2_level, 96.5, 98.5);
    p.anxiety_sbp = uniform(s, Draw::anxiety_sbp, 0, 4);
    p.anxiety_dbp = uniform(s, Draw::anxiety_dbp, 0, 2);
    p.peak_sbp = std::min(p.baseline_sbp + uniform(s, Draw::rise_sbp, 8, 16), 150.0);
    p.peak_dbp = std::min(p.baseline_dbp + uniform(s, Draw::rise_dbp, 5, 11), 92.0);
    p.peak_hr = p.baseline_hr + uniform(s, Draw::rise_hr, 2, 6);
    p.peak_after_dose_s = tl.dose_s * uniform(s, Draw::peak_time, 0.85, 0.90);
    p.decay_s = 60 * uniform(s, Draw::decay, 40, 50);
    return p;
}

// A surge peaks at 192-203 mmHg so that three cuff readings around the peak exceed 180.
Profile surge_profile(std::uint64_t s, const Timeline& tl) {
    Profile p = normal_profile(s, tl);
    p.baseline_sbp = uniform(s, Draw::baseline_sbp, 138, 148);
    p.baseline_dbp = uniform(s, Draw::baseline_dbp, 84, 90);
    p.baseline_hr = uniform(s, Draw::baseline_hr, 64, 82);
    p.anxiety_sbp = uniform(s, Draw::anxiety_sbp, 5, 10);
    p.anxiety_dbp = uniform(s, Draw::anxiety_dbp, 2, 5);
    p.peak_sbp = std::max(p.baseline_sbp + uniform(s, Draw::rise_sbp, 45, 55), 192.0);
    p.peak_dbp = p.baseline_dbp + uniform(s, Draw::rise_dbp, 22, 28);
    p.peak_hr = p.baseline_hr + uniform(s, Draw::rise_hr, 8, 15);
    return p;
}

}  // namespace

Scenario::Scenario(std::uint64_t seed, ScenarioKind kind, Timeline timeline)
    : seed_(seed),
      kind_(kind),
      timeline_(timeline),
      profile_(kind == ScenarioKind::surge ? surge_profile(seed, timeline)
                                           : normal_profile(seed, timeline)) {}

// 0 before the dose, rising smoothly to 1 at the peak, falling smoothly back to 0.
double Scenario::effect(double since_dose_s) const {
    constexpr double half_pi = std::numbers::pi / 2;
    const double peak = profile_.peak_after_dose_s;
    if (since_dose_s <= 0) return 0;
    if (since_dose_s <= peak) return std::pow(std::sin(half_pi * since_dose_s / peak), 2);
    const double after = since_dose_s - peak;
    if (after >= profile_.decay_s) return 0;
    return std::pow(std::cos(half_pi * after / profile_.decay_s), 2);
}

Trend Scenario::trend(int t) const {
    const Profile& p = profile_;
    const double since_dose = t - timeline_.dose_start_s();
    const double fade = std::clamp(since_dose / anxiety_fade_s, 0.0, 1.0);
    const double rest_sbp = p.baseline_sbp - p.anxiety_sbp;
    const double rest_dbp = p.baseline_dbp - p.anxiety_dbp;
    const double e = effect(since_dose);
    return Trend{
        .sbp = rest_sbp + p.anxiety_sbp * (1 - fade) + (p.peak_sbp - rest_sbp) * e,
        .dbp = rest_dbp + p.anxiety_dbp * (1 - fade) + (p.peak_dbp - rest_dbp) * e,
        .hr = p.baseline_hr + (p.peak_hr - p.baseline_hr) * e,
    };
}

Phase Scenario::phase(int t) const {
    if (t < timeline_.dose_start_s()) return Phase::baseline;
    if (t < timeline_.dose_end_s()) return Phase::dosing;
    return Phase::observation;
}

// REFERENCE §9, IV: 5 min in baseline, 10 min dosing, 5 min from 20 to 50 min after dose
// start, 15 min in observation, and a final reading at the end.
bool Scenario::is_cuff_time(int t) const {
    if (t < 0 || t > timeline_.end_s()) return false;
    if (t == timeline_.end_s()) return true;
    if (t < timeline_.dose_start_s()) return t % 300 == 0;
    const int since_dose = t - timeline_.dose_start_s();
    if (since_dose >= 20 * 60 && since_dose <= 50 * 60 && since_dose % 300 == 0) return true;
    if (since_dose < timeline_.dose_s) return since_dose % 600 == 0;
    return (since_dose - timeline_.dose_s) % 900 == 0;
}

BloodPressure Scenario::cuff_reading(int t) const {
    const Trend tr = trend(t);
    const int sbp = round_to_int(tr.sbp + noise(seed_, t, Draw::noise_sbp, 2.0));
    const int dbp = round_to_int(tr.dbp + noise(seed_, t, Draw::noise_dbp, 1.5));
    return BloodPressure{.sbp = sbp, .dbp = dbp, .map = round_to_int(dbp + (sbp - dbp) / 3.0)};
}

// HR trend plus a slow seeded wander and per-second noise; rarely a spike or a 0.
int Scenario::heart_rate(int t, Artifact& artifact) const {
    const double period = 60 * uniform(seed_, Draw::hr_wander_period, 3, 6);
    const double phase0 = 2 * std::numbers::pi * uniform(seed_, Draw::hr_wander_phase, 0, 1);
    const double wander = 2.0 * std::sin(phase0 + 2 * std::numbers::pi * t / period);
    const int hr = round_to_int(trend(t).hr + wander + noise(seed_, t, Draw::noise_hr, 1.5));
    const double roll = uniform(seed_, t, Draw::artifact);
    if (roll < hr_zero_per_s) {
        artifact = Artifact::hr_zero;
        return 0;
    }
    if (roll < hr_zero_per_s + hr_spike_per_s) {
        artifact = Artifact::hr_spike;
        return hr + round_to_int(50 + 30 * uniform(seed_, t, Draw::spike_size));
    }
    artifact = Artifact::none;
    return hr;
}

std::optional<Vitals> Scenario::at(int t) const {
    if (t < 0 || t > timeline_.end_s()) return std::nullopt;
    Vitals v;
    v.hr = heart_rate(t, v.artifact);
    const double spo2 = profile_.spo2 + noise(seed_, t, Draw::noise_spo2, 0.6);
    v.spo2 = std::clamp(round_to_int(spo2), 95, 99);
    if (is_cuff_time(t)) v.bp = cuff_reading(t);
    return v;
}

std::uint64_t chair_seed(std::uint64_t seed, int chair) {
    return mix(seed ^ mix(static_cast<std::uint64_t>(chair)));
}

ScenarioKind default_kind(std::uint64_t seed, int chair) {
    if (chair == 1) return ScenarioKind::surge;
    if (chair == 2) return ScenarioKind::normal;
    const bool surge = uniform(chair_seed(seed, chair), profile_slot, Draw::kind) < 0.25;
    return surge ? ScenarioKind::surge : ScenarioKind::normal;
}

}  // namespace chairwatch::sim
