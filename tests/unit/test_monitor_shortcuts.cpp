// The engine's shortcuts (a stream sample inside every rule's calm band, ticks skipped until a
// rule is due, idle rules judged on their range, ticks visiting only chairs with something due)
// must change nothing: two monitors (or clinics), one with them and one judging every rule
// every time, get the same random sessions and must return the same transitions, call by call.
#include <doctest/doctest.h>

#include <random>
#include <sstream>

#include "alerts/chair_monitor.hpp"
#include "alerts/clinic.hpp"
#include "config/config.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AlarmTransition;
using alerts::ChairMonitor;
using alerts::ConditionChange;
using alerts::Direction;
using alerts::Priority;
using alerts::Signal;

namespace {

// The fields a condition change and an alarm transition share.
template <typename Change>
std::string describe_fields(const Change& t) {
    std::ostringstream s;
    s << t.condition << ' ' << static_cast<int>(t.state) << ' ' << static_cast<int>(t.cause) << ' '
      << static_cast<int>(t.priority) << ' ' << static_cast<int>(t.signal) << ' '
      << static_cast<int>(t.kind) << ' ' << t.high << t.feed << t.relative << t.rise_rule
      << t.inclusive << ' ' << t.value << ' ' << t.limit << ' ' << t.baseline << ' ' << t.peak
      << ' ' << t.onset.mono.count() << ' ' << t.at.mono.count();
    return s.str();
}

std::string describe(const ConditionChange& t) {
    return describe_fields(t);
}

std::string describe(const AlarmTransition& t) {
    return std::to_string(t.alarm_no) + ' ' + describe_fields(t);
}

// A profile with what the shipped ones lack: a rule whose tiers judge two signals, consecutive
// streamed readings, an SpO2 low rule with no clear hold, and a feed for each kind of signal.
std::shared_ptr<alerts::Profile> mixed_profile() {
    auto dbp_tier = tier(110, Priority::high, 0ms);
    dbp_tier.signal = Signal::dbp;
    auto hr_in_bp = tier(140, Priority::medium, 20s);
    hr_in_bp.signal = Signal::hr;
    auto rise = tier(0, Priority::medium, 45s);
    rise.has_limit = false;
    rise.rise_by = 25;
    auto spo2_low = rule("spo2_low", Signal::spo2, Direction::low, 2, 0ms,
                         {tier(92, Priority::medium, 10s), tier(88, Priority::high, 3s)});
    auto p =
        profile({rule("bp_high", Signal::sbp, Direction::high, 10, 0ms,
                      {tier(170, Priority::medium), dbp_tier, hr_in_bp}),
                 rule("hr_high", Signal::hr, Direction::high, 5, 30s,
                      {tier(110, Priority::low, 60s, 1, 0ms, false), tier(150, Priority::high, 15s),
                       tier(130, Priority::medium, 0ms, 4), tier(125, Priority::low, 3s, 2)}),
                 rule("hr_rise", Signal::hr, Direction::high, 5, 20s, {rise}),
                 rule("hr_low", Signal::hr, Direction::low, 5, 30s,
                      {tier(45, Priority::medium, 30s), tier(40, Priority::high, 10s)}),
                 spo2_low});
    p->rules[2].phases =
        alerts::phase_bit(alerts::Phase::dosing) | alerts::phase_bit(alerts::Phase::observation);
    alerts::FeedRule hr_feed;
    hr_feed.condition = "hr_feed_lost";
    hr_feed.signal_mask = alerts::mask_of(Signal::hr);
    hr_feed.tiers = {{10s, Priority::low}, {30s, Priority::medium}};
    alerts::FeedRule bp_feed;
    bp_feed.condition = "bp_overdue";
    bp_feed.signal_mask = alerts::mask_of(Signal::sbp) | alerts::mask_of(Signal::map);
    bp_feed.tiers = {{720s, Priority::medium}};
    p->feeds = {hr_feed, bp_feed};
    return p;
}

// Feeds both monitors the same calls and compares what each returned.
struct Pair {
    Pair(std::shared_ptr<const alerts::Profile> p)
        : fast(p, ChairMonitor::Shortcuts::on), full(p, ChairMonitor::Shortcuts::off) {}

    template <typename Call>
    void both(Call&& call, const char* what, Millis t) {
        std::vector<ConditionChange> a, b;
        call(fast, a);
        call(full, b);
        std::string fa, fb;
        for (const auto& x : a)
            fa += describe(x) + '\n';
        for (const auto& x : b)
            fb += describe(x) + '\n';
        if (fa != fb) {
            INFO(what, " at ", t.count(), " ms");
            CHECK(fa == fb);
            ++mismatches;
        }
        transitions += a.size();
    }

    ChairMonitor fast;
    ChairMonitor full;
    int mismatches{0};
    std::size_t transitions{0};
};

// Three hours of one chair: HR about once a second with gaps, SpO2 on and off, a cuff every few
// minutes, episodes of tachycardia, bradycardia, hypertension and desaturation; ticks at random
// instants and exactly on window and delay edges; phases, baselines and profile changes.
std::size_t run_session(std::uint32_t seed, std::vector<std::shared_ptr<const alerts::Profile>> ps,
                        int& mismatches) {
    std::mt19937 rng(seed);
    const auto chance = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
    const auto between = [&](double lo, double hi) {
        return std::uniform_real_distribution<>(lo, hi)(rng);
    };
    const auto ms_between = [&](long lo, long hi) {
        return Millis(std::uniform_int_distribution<long>(lo, hi)(rng));
    };
    Pair pair(ps[0]);
    // Durations after which something may fall due: windows, holds, delays, clear holds.
    std::vector<Millis> spans;  // (a few repeat: that weights them)
    for (const auto& p : ps) {
        spans.insert(spans.end(), {p->stream_window, p->stream_hold, p->stream_hold + 1ms});
        for (const auto& r : p->rules) {
            spans.push_back(r.clear_hold);
            for (const auto& x : r.tiers)
                spans.push_back(x.delay);
        }
        for (const auto& f : p->feeds)
            for (const auto& x : f.tiers)
                spans.push_back(x.after);
    }
    std::vector<Millis> recent;  // instants of recent calls, which such spans count from
    Millis t{0};
    Millis next_cuff{ms_between(0, 60'000)};
    double hr = 75, hr_target = 75, spo2 = 97, spo2_target = 97;
    bool spo2_on = chance(0.5);
    const Millis end = 3h;
    while (t < end) {
        // The next HR sample: about a second later, sometimes after a gap.
        Millis step = ms_between(600, 1400);
        if (chance(0.05)) step = ms_between(1'500, 6'000);
        if (chance(0.01)) step = ms_between(6'000, 45'000);
        const Millis next = t + step;
        // Ticks before it: random instants, and the edges where something could fall due.
        std::vector<Millis> ticks;
        for (int i = 0, n = static_cast<int>(between(0, 3)); i < n; ++i)
            ticks.push_back(t + ms_between(0, step.count()));
        if (chance(0.3)) ticks.push_back(t);  // on the reading's own instant
        for (int i = 0; i < 4 && !recent.empty(); ++i) {
            const Millis edge = recent[rng() % recent.size()] + spans[rng() % spans.size()] +
                                Millis(static_cast<long>(rng() % 3) - 1);
            if (edge > t && edge < next) ticks.push_back(edge);
        }
        // Where the monitor with shortcuts says it wakes, and the millisecond before.
        const auto sleeps = [&](Millis x) { return pair.fast.sleeping(x); };
        if (chance(0.5) && sleeps(t) && !sleeps(next - 1ms)) {
            Millis lo = t, hi = next - 1ms;  // sleeps(lo), !sleeps(hi)
            while (hi - lo > 1ms) {
                const Millis mid = lo + (hi - lo) / 2;
                (sleeps(mid) ? lo : hi) = mid;
            }
            ticks.push_back(lo);
            ticks.push_back(hi);
        }
        std::sort(ticks.begin(), ticks.end());
        recent.insert(recent.end(), ticks.begin(), ticks.end());
        recent.push_back(next);
        if (recent.size() > 200) recent.erase(recent.begin(), recent.begin() + 100);
        for (const Millis k : ticks)
            pair.both([&](ChairMonitor& m, auto& out) { m.on_tick(at(k), out); }, "tick", k);
        t = next;

        // Episodes, many of them hovering about a limit and its clear margin.
        if (chance(0.004)) hr_target = chance(0.5) ? between(105, 165) : between(35, 50);
        if (chance(0.004)) {
            const std::array near{40.0, 45.0, 50.0, 105.0, 110.0, 115.0, 130.0, 145.0, 150.0};
            hr_target = near[rng() % near.size()] + between(-2, 2);
        }
        if (chance(0.01)) hr_target = between(60, 95);
        hr += (hr_target - hr) * 0.1 + between(-3, 3);
        if (chance(0.002)) hr = between(100, 180);  // a spike
        pair.both(
            [&](ChairMonitor& m, auto& out) {
                m.on_reading({Signal::hr, hr, t}, at(t), out);
            },
            "hr", t);
        if (spo2_on) {
            if (chance(0.003)) spo2_target = between(84, 93);
            if (chance(0.01)) spo2_target = 97;
            spo2 = std::clamp(spo2 + (spo2_target - spo2) * 0.2 + between(-1, 1), 70.0, 100.0);
            pair.both(
                [&](ChairMonitor& m, auto& out) {
                    m.on_reading({Signal::spo2, spo2, t}, at(t), out);
                },
                "spo2", t);
        }
        if (chance(0.001)) spo2_on = !spo2_on;

        if (t >= next_cuff) {
            next_cuff = t + ms_between(180'000, 900'000);
            const double sbp = chance(0.3) ? between(150, 215) : between(100, 150);
            const double dbp = chance(0.2) ? between(95, 125) : between(55, 95);
            const std::array<alerts::Reading, 3> cuff{
                alerts::Reading{Signal::sbp, sbp, t}, alerts::Reading{Signal::dbp, dbp, t},
                alerts::Reading{Signal::map, (sbp + 2 * dbp) / 3, t}};
            const std::size_t n = chance(0.1) ? 1 : 3;
            pair.both([&](ChairMonitor& m,
                          auto& out) { m.on_readings(std::span(cuff.data(), n), at(t), out); },
                      "cuff", t);
        }

        if (chance(0.0005)) {
            const auto phase = static_cast<alerts::Phase>(rng() % alerts::phase_count);
            pair.both([&](ChairMonitor& m, auto& out) { m.set_phase(phase, at(t), out); }, "phase",
                      t);
        }
        if (chance(0.0005)) {
            std::array<std::optional<double>, alerts::signal_count> base{};
            if (chance(0.8)) {
                base[alerts::index_of(Signal::hr)] = between(60, 100);
                base[alerts::index_of(Signal::sbp)] = between(110, 150);
                base[alerts::index_of(Signal::dbp)] = between(65, 90);
            }
            pair.fast.set_baseline(base);
            pair.full.set_baseline(base);
        }
        if (chance(0.0002)) {
            const auto& p = ps[rng() % ps.size()];
            pair.both([&](ChairMonitor& m, auto& out) { m.set_profile(p, at(t), out); }, "profile",
                      t);
        }
        if (chance(0.0001))
            pair.both([&](ChairMonitor& m,
                          auto& out) { m.reset(at(t), alerts::ClearCause::session_ended, out); },
                      "reset", t);
    }
    mismatches += pair.mismatches;
    return pair.transitions;
}

std::vector<std::shared_ptr<const alerts::Profile>> shipped_profiles() {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    std::vector<std::shared_ptr<const alerts::Profile>> ps;
    for (const auto& [name, p] : loaded.config->clinic_profiles().by_name)
        ps.push_back(p);
    return ps;
}

}  // namespace

TEST_CASE("the engine's shortcuts change no transition: random sessions, shipped profiles") {
    auto ps = shipped_profiles();
    REQUIRE(ps.size() >= 2);
    int mismatches = 0;
    std::size_t transitions = 0;
    for (std::uint32_t seed = 1; seed <= 12 && mismatches == 0; ++seed) {
        std::rotate(ps.begin(), ps.begin() + 1, ps.end());
        transitions += run_session(seed, ps, mismatches);
    }
    CHECK(mismatches == 0);
    CHECK(transitions > 200);  // the sessions do alarm
}

TEST_CASE("the engine's shortcuts change no transition: random sessions, mixed-signal rules") {
    std::vector<std::shared_ptr<const alerts::Profile>> ps{mixed_profile()};
    auto slow_window = std::make_shared<alerts::Profile>(*mixed_profile());
    slow_window->stream_window = 8s;
    slow_window->stream_hold = 3s;
    ps.push_back(slow_window);
    int mismatches = 0;
    std::size_t transitions = 0;
    for (std::uint32_t seed = 100; seed <= 112 && mismatches == 0; ++seed)
        transitions += run_session(seed, ps, mismatches);
    CHECK(mismatches == 0);
    CHECK(transitions > 200);
}

namespace {

std::string describe(const std::vector<alerts::ClinicEvent>& events) {
    std::string d;
    for (const auto& e : events) {
        d += std::to_string(static_cast<int>(e.type)) + ' ' + (e.session ? e.session->id : "-") +
             ' ' + std::to_string(e.session ? static_cast<int>(e.session->phase) : -1) + ' ';
        if (e.type == alerts::ClinicEvent::Type::reading)
            d += std::to_string(static_cast<int>(e.reading.signal)) + ' ' +
                 std::to_string(e.reading.value);
        if (e.type == alerts::ClinicEvent::Type::alarm)
            d += describe(e.alarm) + ' ' + std::to_string(e.alarm.escalation_level) +
                 (e.alarm.acknowledged ? " ack" : "") + (e.alarm.latched ? " latched" : "") +
                 (e.alarm.realarm ? " realarm" : "");
        d += '\n';
    }
    return d;
}

}  // namespace

TEST_CASE("the clinic's shortcuts change no event: random days of several chairs") {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    auto profiles = loaded.config->clinic_profiles();
    // A short observation, so that discharge readiness is judged within the run.
    for (auto& [name, p] : profiles.by_name) {
        auto quick = std::make_shared<alerts::Profile>(*p);
        quick->discharge.min_observation = 20min;
        p = quick;
    }
    std::vector<std::string> names;
    for (const auto& [name, p] : profiles.by_name)
        names.push_back(name);
    const alerts::ClinicSettings fast_settings{12min, 16, ChairMonitor::Shortcuts::on};
    const alerts::ClinicSettings full_settings{12min, 16, ChairMonitor::Shortcuts::off};
    int mismatches = 0;
    std::size_t alarms = 0, escalations = 0, acks = 0, discharges = 0, idle_ends = 0;
    for (std::uint32_t seed = 1; seed <= 4 && mismatches == 0; ++seed) {
        std::mt19937 rng(seed);
        const auto chance = [&](double p) {
            return std::uniform_real_distribution<>(0, 1)(rng) < p;
        };
        const auto between = [&](double lo, double hi) {
            return std::uniform_real_distribution<>(lo, hi)(rng);
        };
        alerts::Clinic fast(profiles, fast_settings), full(profiles, full_settings);
        const auto both = [&](auto&& call, const char* what, Millis t) {
            std::vector<alerts::ClinicEvent> a, b;
            call(fast, a);
            const auto da = describe(a);
            call(full, b);
            const auto db = describe(b);
            if (da != db) {
                INFO(what, " at ", t.count(), " ms");
                CHECK(da == db);
                ++mismatches;
            }
            for (const auto& e : a) {
                if (e.type != alerts::ClinicEvent::Type::alarm) continue;
                alarms += e.alarm.state == alerts::AlarmState::raised;
                escalations += e.alarm.state == alerts::AlarmState::escalated;
                discharges += e.alarm.condition == "discharge_ready";
            }
            for (const auto& e : a)
                idle_ends += e.type == alerts::ClinicEvent::Type::session_ended &&
                             e.session->end_reason == alerts::EndReason::idle;
        };
        constexpr int chairs = 6;
        std::array<double, chairs> hr{}, hr_target{};
        std::array<bool, chairs> present{};
        hr.fill(75);
        hr_target.fill(75);
        present.fill(true);
        std::array<Millis, chairs> next_cuff{}, next_control{};
        std::array<int, chairs> stage{};  // the next scripted ControlAction
        for (Millis t = 0ms; t < 6h && mismatches == 0;) {
            const Millis next = t + Millis(std::uniform_int_distribution<long>(700, 1300)(rng));
            std::vector<Millis> ticks;
            for (int k = 0, n = static_cast<int>(between(0, 2.5)); k < n; ++k)
                ticks.push_back(t + Millis(std::uniform_int_distribution<long>(
                                        0, (next - t).count() - 1)(rng)));
            std::sort(ticks.begin(), ticks.end());
            for (const Millis tick : ticks)
                both([&](alerts::Clinic& c, auto& out) { c.on_tick(at(tick), out); }, "tick", tick);
            t = next;
            for (int c = 0; c < chairs; ++c) {
                const std::string chair = "chair-" + std::to_string(c);
                if (chance(0.0004)) present[c] = !present[c];  // the patient leaves, or comes
                if (!present[c]) continue;
                if (chance(0.003)) hr_target[c] = chance(0.5) ? between(105, 160) : between(38, 52);
                if (chance(0.006)) hr_target[c] = between(60, 95);
                hr[c] += (hr_target[c] - hr[c]) * 0.1 + between(-3, 3);
                const Millis wall = Millis(1'764'000'000'000) + t;
                both(
                    [&](alerts::Clinic& cl, auto& out) {
                        cl.on_reading(chair, {Signal::hr, hr[c], wall}, at(t), out);
                    },
                    "hr", t);
                if (t >= next_cuff[c]) {
                    next_cuff[c] =
                        t + Millis(std::uniform_int_distribution<long>(180'000, 600'000)(rng));
                    const double sbp = chance(0.15) ? between(150, 210) : between(100, 150);
                    const double dbp = chance(0.1) ? between(95, 120) : between(55, 95);
                    const std::array<alerts::Reading, 3> cuff{
                        alerts::Reading{Signal::sbp, sbp, wall},
                        alerts::Reading{Signal::dbp, dbp, wall},
                        alerts::Reading{Signal::map, (sbp + 2 * dbp) / 3, wall}};
                    both([&](alerts::Clinic& cl,
                             auto& out) { cl.on_readings(chair, cuff, at(t), out); },
                         "cuff", t);
                }
                if (chance(0.0003))
                    both([&](alerts::Clinic& cl,
                             auto& out) { cl.on_cuff_artifact(chair, "test", at(t), out); },
                         "artifact", t);
                // Sessions in order (start, dose start and end, end), and now and then a message
                // out of turn.
                const bool scripted = t >= next_control[c];
                if (scripted || chance(0.0001)) {
                    alerts::SessionInfo info;
                    info.profile = names[rng() % names.size()];
                    const auto action = scripted ? static_cast<alerts::ControlAction>(stage[c])
                                                 : static_cast<alerts::ControlAction>(rng() % 4);
                    if (scripted) {
                        static constexpr std::array<std::pair<long, long>, 4> next_after{
                            {{300, 600}, {1200, 2400}, {1800, 4200}, {60, 600}}};
                        const auto [lo, hi] = next_after[static_cast<std::size_t>(stage[c])];
                        next_control[c] =
                            t + Millis(1000 * std::uniform_int_distribution<long>(lo, hi)(rng));
                        stage[c] = (stage[c] + 1) % 4;
                    }
                    both([&](alerts::Clinic& cl,
                             auto& out) { cl.on_control(chair, action, info, at(t), out); },
                         "control", t);
                }
                if (chance(0.002)) {
                    const auto listed = fast.listed_alarms(chair);
                    const auto* session = fast.session(chair);
                    if (!listed.empty() && session) {
                        const auto id = session->alert_id(listed[rng() % listed.size()].alarm_no);
                        both([&](alerts::Clinic& cl,
                                 auto& out) { cl.acknowledge(chair, id, "nurse", at(t), out); },
                             "ack", t);
                        ++acks;
                    }
                }
            }
        }
    }
    CHECK(mismatches == 0);
    // The runs reach what the shortcuts must not skip.
    CHECK(alarms > 100);
    CHECK(escalations > 10);
    CHECK(acks > 10);
    CHECK(discharges > 0);
    CHECK(idle_ends > 0);
    MESSAGE(alarms, " alarms, ", escalations, " escalations, ", acks, " acks, ", discharges,
            " discharges, ", idle_ends, " idle ends");
}
