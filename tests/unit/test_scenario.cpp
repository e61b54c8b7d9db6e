#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tools/simulator/scenario.hpp"

using chairwatch::sim::Artifact;
using chairwatch::sim::BloodPressure;
using chairwatch::sim::chair_seed;
using chairwatch::sim::default_kind;
using chairwatch::sim::Scenario;
using chairwatch::sim::ScenarioKind;
using chairwatch::sim::Timeline;

namespace {

constexpr std::uint64_t default_seed = 42;
constexpr int minute = 60;

struct Cuff {
    int t;
    BloodPressure bp;
};

std::vector<Cuff> cuff_readings(const Scenario& s) {
    std::vector<Cuff> out;
    for (int t = 0; t <= s.timeline().end_s(); ++t)
        if (auto v = s.at(t); v && v->bp) out.push_back({t, *v->bp});
    return out;
}

int minutes_after_dose(const Scenario& s, int t) {
    return (t - s.timeline().dose_start_s()) / minute;
}

}  // namespace

TEST_CASE("surge: SBP over 180 on two consecutive cuff readings 30-40 min after dose start") {
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        const Scenario s(chair_seed(default_seed, static_cast<int>(seed)), ScenarioKind::surge);
        const auto cuffs = cuff_readings(s);
        bool confirmed = false;
        for (std::size_t i = 1; i < cuffs.size(); ++i) {
            const int first = minutes_after_dose(s, cuffs[i - 1].t);
            const int second = minutes_after_dose(s, cuffs[i].t);
            confirmed |=
                cuffs[i - 1].bp.sbp > 180 && cuffs[i].bp.sbp > 180 && first >= 30 && second <= 40;
        }
        CHECK_MESSAGE(confirmed, "seed " << seed);
    }
}

TEST_CASE("surge: back below 150/100 well before the end of observation") {
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        const Scenario s(chair_seed(default_seed, static_cast<int>(seed)), ScenarioKind::surge);
        for (const auto& c : cuff_readings(s)) {
            if (c.t < s.timeline().end_s() - 15 * minute) continue;
            CHECK_MESSAGE(c.bp.sbp < 150, "seed " << seed << " t " << c.t);
            CHECK_MESSAGE(c.bp.dbp < 100, "seed " << seed << " t " << c.t);
        }
    }
}

TEST_CASE("surge: pre-dose baseline in the surge range, peak rise of about +45..+55 SBP") {
    const Scenario s(chair_seed(default_seed, 1), ScenarioKind::surge);
    const auto& p = s.profile();
    CHECK(p.baseline_sbp >= 138);
    CHECK(p.baseline_sbp <= 148);
    CHECK(p.baseline_dbp >= 84);
    CHECK(p.baseline_dbp <= 90);
    CHECK(p.peak_sbp - p.baseline_sbp >= 45);
    CHECK(p.peak_sbp - p.baseline_sbp <= 55);
    CHECK(p.peak_dbp - p.baseline_dbp >= 22);
    CHECK(p.peak_dbp - p.baseline_dbp <= 28);
}

TEST_CASE("normal: never reaches SBP 160 or DBP 100, but does rise") {
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        const Scenario s(chair_seed(default_seed, static_cast<int>(seed)), ScenarioKind::normal);
        int highest = 0;
        for (const auto& c : cuff_readings(s)) {
            CHECK_MESSAGE(c.bp.sbp < 155, "seed " << seed << " t " << c.t);
            CHECK_MESSAGE(c.bp.dbp < 96, "seed " << seed << " t " << c.t);
            CHECK(c.bp.sbp >= 100);
            highest = std::max(highest, c.bp.sbp);
        }
        CHECK(highest >= s.profile().baseline_sbp + 2);
    }
}

TEST_CASE("HR stays plausible apart from artifacts; SpO2 stays 95-99") {
    for (auto kind : {ScenarioKind::normal, ScenarioKind::surge}) {
        for (std::uint64_t seed = 0; seed < 40; ++seed) {
            const Scenario s(seed, kind);
            for (int t = 0; t <= s.timeline().end_s(); ++t) {
                const auto v = *s.at(t);
                CHECK((v.spo2 >= 95 && v.spo2 <= 99));
                if (v.artifact != Artifact::none) continue;
                CHECK((v.hr >= 50 && v.hr <= 110));
            }
        }
    }
}

TEST_CASE("same seed gives identical output, different seeds differ") {
    const Scenario a(7, ScenarioKind::surge), b(7, ScenarioKind::surge), c(8, ScenarioKind::surge);
    int differences = 0;
    for (int t = 0; t <= a.timeline().end_s(); ++t) {
        const auto va = *a.at(t), vb = *b.at(t), vc = *c.at(t);
        CHECK(va.hr == vb.hr);
        CHECK(va.spo2 == vb.spo2);
        CHECK(va.bp.has_value() == vb.bp.has_value());
        if (va.bp && vb.bp) CHECK((va.bp->sbp == vb.bp->sbp && va.bp->dbp == vb.bp->dbp));
        differences += va.hr != vc.hr ? 1 : 0;
    }
    CHECK(differences > 1000);
    CHECK(a.profile().baseline_sbp != c.profile().baseline_sbp);
}

TEST_CASE("the order of queries does not matter") {
    const Scenario s(99, ScenarioKind::normal);
    const auto later = *s.at(3000);
    (void)s.at(12);
    CHECK(s.at(3000)->hr == later.hr);
    CHECK(s.at(3000)->bp->sbp == later.bp->sbp);
}

TEST_CASE("cuff readings only at the IV schedule times") {
    const Scenario s(default_seed, ScenarioKind::normal);
    std::vector<int> times;
    for (const auto& c : cuff_readings(s))
        times.push_back(c.t / minute);
    // baseline 0, 5, 10; dosing from 15 every 10 (every 5 from 20 to 50 after dose start); 15 in
    // observation
    const std::vector<int> expected{0, 5, 10, 15, 25, 35, 40, 45, 50, 55, 60, 65, 70, 85, 100, 115};
    CHECK(times == expected);
    for (int t = 0; t <= s.timeline().end_s(); ++t)
        CHECK(s.at(t)->bp.has_value() == s.is_cuff_time(t));
}

TEST_CASE("custom timeline: final reading at the end, nothing outside the session") {
    const Timeline tl{
        .baseline_s = 5 * minute, .dose_s = 40 * minute, .observation_s = 50 * minute};
    const Scenario s(3, ScenarioKind::normal, tl);
    CHECK(s.is_cuff_time(tl.end_s()));
    CHECK(s.at(tl.end_s())->bp.has_value());
    CHECK_FALSE(s.at(-1).has_value());
    CHECK_FALSE(s.at(tl.end_s() + 1).has_value());
}

TEST_CASE("MAP is DBP + (SBP - DBP) / 3, rounded") {
    const Scenario s(5, ScenarioKind::surge);
    for (const auto& c : cuff_readings(s)) {
        const double map = c.bp.dbp + (c.bp.sbp - c.bp.dbp) / 3.0;
        CHECK(c.bp.map == static_cast<int>(std::lround(map)));
    }
}

TEST_CASE("HR artifacts are rare, seeded, and of the right size") {
    int spikes = 0, zeros = 0, seconds = 0;
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        const Scenario s(seed, ScenarioKind::normal);
        for (int t = 0; t <= s.timeline().end_s(); ++t, ++seconds) {
            const auto v = *s.at(t);
            if (v.artifact == Artifact::hr_zero) {
                CHECK(v.hr == 0);
                ++zeros;
            }
            if (v.artifact == Artifact::hr_spike) {
                CHECK(v.hr >= 100);
                ++spikes;
            }
        }
    }
    const double per_10_min = spikes * 600.0 / seconds;
    const double zeros_per_30_min = zeros * 1800.0 / seconds;
    CHECK(per_10_min > 0.7);
    CHECK(per_10_min < 1.3);
    CHECK(zeros_per_30_min > 0.6);
    CHECK(zeros_per_30_min < 1.4);
}

TEST_CASE("chair kinds: chair 1 surges, chair 2 is normal, about 1 in 4 of the rest surge") {
    CHECK(default_kind(default_seed, 1) == ScenarioKind::surge);
    CHECK(default_kind(default_seed, 2) == ScenarioKind::normal);
    int surges = 0;
    for (int chair = 3; chair < 2003; ++chair)
        surges += default_kind(default_seed, chair) == ScenarioKind::surge ? 1 : 0;
    CHECK(surges > 400);
    CHECK(surges < 600);
    CHECK(chair_seed(default_seed, 1) != chair_seed(default_seed, 2));
}
