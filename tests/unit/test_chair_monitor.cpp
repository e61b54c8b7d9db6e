#include <doctest/doctest.h>

#include "alerts/chair_monitor.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::ConditionChange;
using alerts::ConditionState;
using alerts::Direction;
using alerts::Priority;
using alerts::Signal;

namespace {

// Drives one ChairMonitor with explicit times and keeps what it returned.
struct Bench {
    explicit Bench(std::shared_ptr<alerts::Profile> p) : monitor(std::move(p)) {}
    std::vector<ConditionChange> reading(Millis t, Signal s, double v) {
        std::vector<ConditionChange> out;
        monitor.on_reading({s, v, t}, at(t), out);
        return out;
    }
    std::vector<ConditionChange> tick(Millis t) {
        std::vector<ConditionChange> out;
        monitor.on_tick(at(t), out);
        return out;
    }
    // HR once a second over [from, to), ticking in between; returns every transition.
    std::vector<ConditionChange> hr_stream(Millis from, Millis to, double v) {
        std::vector<ConditionChange> all;
        for (Millis t = from; t < to; t += 1s)
            for (auto& x : reading(t, Signal::hr, v))
                all.push_back(x);
        return all;
    }
    alerts::ChairMonitor monitor;
};

std::shared_ptr<alerts::Profile> sbp_profile() {
    return profile({rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms,
                         {tier(160, Priority::low), tier(180, Priority::medium),
                          tier(180, Priority::high, 0ms, 2, 600s), tier(200, Priority::high)})});
}

std::shared_ptr<alerts::Profile> hr_profile() {
    return profile(
        {rule("hr_high", Signal::hr, Direction::high, 5, 30s,
              {tier(110, Priority::low, 60s, 1, 0ms, false), tier(150, Priority::high, 15s)}),
         rule("hr_low", Signal::hr, Direction::low, 5, 30s,
              {tier(45, Priority::medium, 30s), tier(40, Priority::high, 10s)})});
}

}  // namespace

TEST_CASE("a single NIBP reading above the limit raises at once, with the limit and value") {
    Bench b(sbp_profile());
    CHECK(b.reading(0s, Signal::sbp, 150).empty());
    auto out = b.reading(300s, Signal::sbp, 185);
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == ConditionState::raised);
    CHECK(out[0].condition == "sbp_high");
    CHECK(out[0].priority == Priority::medium);
    CHECK(out[0].limit == 180);
    CHECK(out[0].value == 185);
    CHECK(out[0].kind == alerts::AlarmKind::physiological);
    CHECK(out[0].onset.mono == Millis(300s));
}

TEST_CASE("inclusive and exclusive limits differ exactly at the limit") {
    Bench inclusive(sbp_profile());
    CHECK(inclusive.reading(0s, Signal::sbp, 160).size() == 1);
    Bench exclusive(hr_profile());
    // > 110 for 60 s: exactly 110 never alarms.
    CHECK(exclusive.hr_stream(0s, 120s, 110).empty());
    CHECK(exclusive.hr_stream(120s, 200s, 111).size() == 1);
}

TEST_CASE("hysteresis: an alarm clears only once the value is back inside by the margin") {
    Bench b(sbp_profile());
    REQUIRE(b.reading(0s, Signal::sbp, 165).size() == 1);  // low, limit 160
    CHECK(b.reading(300s, Signal::sbp, 158).empty());      // inside, but not by 10
    CHECK(b.reading(600s, Signal::sbp, 151).empty());
    auto out = b.reading(900s, Signal::sbp, 150);
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == ConditionState::cleared);
    CHECK(out[0].cause == alerts::ClearCause::back_in_range);
    CHECK(out[0].peak == 165);
}

TEST_CASE("tiers: the highest active tier is shown, one alarm per condition, never stacked") {
    Bench b(sbp_profile());
    auto r1 = b.reading(0s, Signal::sbp, 165);
    REQUIRE(r1.size() == 1);
    CHECK(r1[0].priority == Priority::low);
    const auto onset = r1[0].onset.mono;  // an alarm condition is known by its onset

    auto r2 = b.reading(300s, Signal::sbp, 185);  // medium tier; high needs a second reading
    REQUIRE(r2.size() == 1);
    CHECK(r2[0].state == ConditionState::updated);
    CHECK(r2[0].priority == Priority::medium);
    CHECK(r2[0].onset.mono == onset);

    auto r3 = b.reading(600s, Signal::sbp, 184);  // second reading >= 180 within 10 min
    REQUIRE(r3.size() == 1);
    CHECK(r3[0].priority == Priority::high);
    CHECK(r3[0].limit == 180);

    auto r4 = b.reading(900s, Signal::sbp, 205);  // >= 200: same priority, more extreme limit
    REQUIRE(r4.size() == 1);
    CHECK(r4[0].limit == 200);
    CHECK(b.reading(1200s, Signal::sbp, 206).empty());  // no duplicate for the same state

    auto r5 = b.reading(1500s, Signal::sbp, 175);  // 200 tier clears (<= 190); 180 tiers hold
    REQUIRE(r5.size() == 1);
    CHECK(r5[0].priority == Priority::high);
    CHECK(r5[0].limit == 180);

    auto r6 = b.reading(1800s, Signal::sbp, 165);  // 180 tiers clear (<= 170); low holds
    REQUIRE(r6.size() == 1);
    CHECK(r6[0].priority == Priority::low);

    auto r7 = b.reading(2100s, Signal::sbp, 149);
    REQUIRE(r7.size() == 1);
    CHECK(r7[0].state == ConditionState::cleared);
    CHECK(r7[0].onset.mono == onset);
    CHECK(r7[0].peak == 206);

    auto r8 = b.reading(2400s, Signal::sbp, 170);  // a new episode is a new alarm
    REQUIRE(r8.size() == 1);
    CHECK(r8[0].onset.mono != onset);
}

TEST_CASE("confirmation on consecutive readings needs them close enough together") {
    Bench b(profile({rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms,
                          {tier(180, Priority::high, 0ms, 2, 600s)})}));
    CHECK(b.reading(0s, Signal::sbp, 185).empty());
    CHECK(b.reading(900s, Signal::sbp, 186).empty());       // 15 min later: counts as a first again
    CHECK(b.reading(1500s, Signal::sbp, 187).size() == 1);  // 10 min after the previous one
}

TEST_CASE("confirmation restarts when a reading in between is normal") {
    Bench b(profile({rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms,
                          {tier(180, Priority::high, 0ms, 2, 600s)})}));
    CHECK(b.reading(0s, Signal::sbp, 185).empty());
    CHECK(b.reading(300s, Signal::sbp, 150).empty());
    CHECK(b.reading(600s, Signal::sbp, 185).empty());
    CHECK(b.reading(900s, Signal::sbp, 185).size() == 1);
}

TEST_CASE("HR condition delay: sustained for the delay, then raised; not a second earlier") {
    Bench b(hr_profile());
    CHECK(b.hr_stream(0s, 10s, 80).empty());
    // Rising to 120 at t=10 s; the 5-s median crosses 110 at t=12 s, so 60 s later is t=72 s.
    CHECK(b.hr_stream(10s, 72s, 120).empty());
    auto out = b.hr_stream(72s, 73s, 120);
    REQUIRE(out.size() == 1);
    CHECK(out[0].condition == "hr_high");
    CHECK(out[0].priority == Priority::low);
}

TEST_CASE("an artifact spike in the HR stream does not alarm, even for a tier with no delay") {
    Bench b(profile(
        {rule("hr_high", Signal::hr, Direction::high, 5, 0ms, {tier(150, Priority::high)})}));
    CHECK(b.hr_stream(0s, 10s, 80).empty());
    CHECK(b.reading(10s, Signal::hr, 230).empty());
    CHECK(b.hr_stream(11s, 30s, 80).empty());
    CHECK(b.tick(31s).empty());
}

TEST_CASE("one dropped beat does not restart the HR timer") {
    Bench b(hr_profile());
    CHECK(b.hr_stream(0s, 8s, 160).empty());
    CHECK(b.reading(8s, Signal::hr, 70).empty());  // one odd sample: the median stays high
    auto out = b.hr_stream(9s, 20s, 160);
    REQUIRE(out.size() == 1);
    CHECK(out[0].priority == Priority::high);
    // Beyond 150 from the first sample at t=0; 15 s later is t=15 s.
    CHECK(out[0].onset.mono == Millis(15s));
}

TEST_CASE("HR clears only after being back inside by the margin for the hold time") {
    Bench b(hr_profile());
    REQUIRE(b.hr_stream(0s, 80s, 120).size() == 1);
    CHECK(b.hr_stream(80s, 100s, 107).empty());   // inside 110 but not by 5
    CHECK(b.hr_stream(100s, 125s, 100).empty());  // inside by 5, but not yet for 30 s
    CHECK(b.hr_stream(125s, 128s, 108).empty());  // bounced: the hold restarts
    auto out = b.hr_stream(128s, 170s, 100);
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == ConditionState::cleared);
    // Back below 105 in the median at t=130 s; held 30 s: cleared at t=160 s.
    CHECK(out[0].at.mono == Millis(160s));
}

TEST_CASE("low limits: HR below 45 for 30 s is medium, below 40 for 10 s high") {
    Bench b(hr_profile());
    CHECK(b.hr_stream(0s, 10s, 70).empty());
    auto out = b.hr_stream(10s, 60s, 42);
    REQUIRE(out.size() == 1);
    CHECK(out[0].condition == "hr_low");
    CHECK(out[0].priority == Priority::medium);
    CHECK_FALSE(out[0].high);
    auto worse = b.hr_stream(60s, 80s, 38);
    REQUIRE(worse.size() == 1);
    CHECK(worse[0].priority == Priority::high);
}

TEST_CASE("a delayed NIBP tier is judged on the held reading as time passes") {
    Bench b(profile({rule("map_low", Signal::map, Direction::low, 5, 0ms,
                          {tier(60, Priority::medium, 120s, 1, 0ms, false)})}));
    CHECK(b.reading(0s, Signal::map, 55).empty());
    CHECK(b.tick(119s).empty());
    CHECK(b.tick(120s).size() == 1);
}

TEST_CASE("feed lost: technical alarm after the timeout, tiers, and cleared when data resumes") {
    alerts::FeedRule feed;
    feed.condition = "hr_feed_lost";
    feed.signal_mask = alerts::mask_of(Signal::hr);
    feed.tiers = {{10s, Priority::low}, {30s, Priority::medium}};
    Bench b(profile({}, {feed}));
    CHECK(b.tick(60s).empty());  // a feed that never delivered is not lost
    CHECK(b.reading(100s, Signal::hr, 80).empty());
    CHECK(b.tick(110s).empty());  // exactly 10 s: not yet
    auto low = b.tick(111s);
    REQUIRE(low.size() == 1);
    CHECK(low[0].kind == alerts::AlarmKind::technical);
    CHECK(low[0].condition == "hr_feed_lost");
    CHECK(low[0].priority == Priority::low);
    CHECK(low[0].value == doctest::Approx(11));
    CHECK(b.tick(120s).empty());
    auto medium = b.tick(131s);
    REQUIRE(medium.size() == 1);
    CHECK(medium[0].state == ConditionState::updated);
    CHECK(medium[0].priority == Priority::medium);
    auto back = b.reading(140s, Signal::hr, 82);
    REQUIRE(back.size() == 1);
    CHECK(back[0].state == ConditionState::cleared);
    CHECK(back[0].cause == alerts::ClearCause::feed_resumed);
    CHECK(back[0].value == doctest::Approx(40));
}

TEST_CASE("a silence first judged past several tiers goes through them in order, not to the top") {
    // The daemon was down (or the machine asleep) while the feed went silent: the first tick
    // after it sees 45 s of silence at once. An uninterrupted run raised LOW at 10 s and
    // updated to MEDIUM at 30 s; so does this one, in one tick, in that order.
    alerts::FeedRule feed;
    feed.condition = "hr_feed_lost";
    feed.signal_mask = alerts::mask_of(Signal::hr);
    feed.tiers = {{30s, Priority::medium}, {10s, Priority::low}};  // order in the file: any
    Bench b(profile({}, {feed}));
    CHECK(b.reading(100s, Signal::hr, 80).empty());
    const auto both = b.tick(145s);
    REQUIRE(both.size() == 2);
    CHECK(both[0].state == ConditionState::raised);
    CHECK(both[0].priority == Priority::low);
    CHECK(both[0].limit == doctest::Approx(10));
    CHECK(both[1].state == ConditionState::updated);
    CHECK(both[1].priority == Priority::medium);
    CHECK(both[1].limit == doctest::Approx(30));
    CHECK(both[1].onset.mono == both[0].onset.mono);
    CHECK(b.tick(146s).empty());
    // One tier reached at once is one transition, as before.
    Bench c(profile({}, {feed}));
    CHECK(c.reading(100s, Signal::hr, 80).empty());
    const auto one = c.tick(125s);
    REQUIRE(one.size() == 1);
    CHECK(one[0].state == ConditionState::raised);
    CHECK(one[0].priority == Priority::low);
}

TEST_CASE("a calm chair sleeps between readings; a silent feed or a value near a limit wakes it") {
    alerts::FeedRule feed;
    feed.condition = "hr_feed_lost";
    feed.signal_mask = alerts::mask_of(Signal::hr);
    feed.tiers = {{10s, Priority::low}, {30s, Priority::medium}};
    auto p = hr_profile();
    p->feeds = {feed};
    Bench b(p);
    CHECK_FALSE(b.monitor.sleeping(0s));  // nothing judged yet
    CHECK(b.hr_stream(0s, 5s, 70).empty());
    // HR 70 is far from 110 and 45: ticks have nothing to do until the feed could be lost. The
    // samples after the first were inside every limit and were not judged, so the chair wakes
    // 10 s after the first (0 s) rather than the last (4 s): early, never late.
    CHECK(b.monitor.sleeping(5s));
    CHECK(b.monitor.sleeping(10s));
    CHECK_FALSE(b.monitor.sleeping(10s + 1ms));
    CHECK(b.tick(10s + 1ms).empty());  // nothing to do; it sleeps on to 10 s after 4 s
    CHECK(b.monitor.sleeping(14s));
    CHECK_FALSE(b.monitor.sleeping(14s + 1ms));
    CHECK(b.tick(14s).empty());
    auto lost = b.tick(15s);
    REQUIRE(lost.size() == 1);
    CHECK(lost[0].condition == "hr_feed_lost");
    CHECK_FALSE(b.monitor.sleeping(16s));  // the feed alarm grows with the silence
    auto medium = b.tick(35s);
    REQUIRE(medium.size() == 1);
    CHECK(medium[0].priority == Priority::medium);
    CHECK(b.reading(40s, Signal::hr, 70).size() == 1);  // cleared: the feed resumed
    CHECK(b.monitor.sleeping(41s));
    // 115 among the window's samples: hr_high's 110 is within reach. The median (92.5) can
    // only pass it when a sample leaves the window, the one of 40 s at 45 s.
    CHECK(b.reading(41s, Signal::hr, 115).empty());
    CHECK(b.monitor.sleeping(45s - 1ms));
    CHECK_FALSE(b.monitor.sleeping(45s));
    // The median passes 110 at 42 s; the 60 s delay runs out at 102 s, on a tick between
    // readings. Until then a tick half a second after a reading has nothing to do: the next
    // change is the oldest sample leaving the window (from 44 s on, a second after the reading).
    for (Millis t = 42s; t <= 101s; t += 1s) {
        CHECK(b.reading(t, Signal::hr, 115).empty());
        CHECK(b.monitor.sleeping(t + 500ms));
        CHECK(b.tick(t + 500ms).empty());
        CHECK_FALSE(b.monitor.sleeping(std::max<Millis>(t + 1s, 45s)));
    }
    CHECK(b.tick(102s - 1ms).empty());
    auto raised = b.tick(102s);
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].condition == "hr_high");
    CHECK(raised[0].state == ConditionState::raised);
}

TEST_CASE("an ongoing BP alarm leaves the chair asleep until a clear hold or a reading") {
    auto p = profile(
        {rule("sbp_high", Signal::sbp, Direction::high, 10, 120s, {tier(180, Priority::high)})});
    Bench b(p);
    auto raised = b.reading(0s, Signal::sbp, 195);
    REQUIRE(raised.size() == 1);
    // A cuff value stays until the next reading: no tick can change the alarm.
    CHECK(b.monitor.sleeping(299s));
    CHECK(b.monitor.sleeping(Millis(std::chrono::hours(5))));
    // Back inside by the margin: the 120 s clear hold runs out at 420 s, and only then.
    CHECK(b.reading(300s, Signal::sbp, 165).empty());
    CHECK(b.monitor.sleeping(420s - 1ms));
    CHECK_FALSE(b.monitor.sleeping(420s));
    CHECK(b.tick(420s - 1ms).empty());
    auto cleared = b.tick(420s);
    REQUIRE(cleared.size() == 1);
    CHECK(cleared[0].state == ConditionState::cleared);
    CHECK(b.monitor.sleeping(Millis(std::chrono::hours(5))));
}

TEST_CASE("a BP feed is fed by any cuff signal and not by HR") {
    alerts::FeedRule feed;
    feed.condition = "bp_feed_lost";
    feed.signal_mask = alerts::mask_of(Signal::sbp) | alerts::mask_of(Signal::map);
    feed.tiers = {{1080s, Priority::medium}};
    Bench b(profile({}, {feed}));
    b.reading(0s, Signal::map, 90);
    for (Millis t = 1s; t < 1100s; t += 1s)
        b.reading(t, Signal::hr, 80);
    CHECK(b.tick(1081s).size() == 1);
}

TEST_CASE("reset closes every active alarm as session_ended and forgets the past") {
    Bench b(sbp_profile());
    REQUIRE(b.reading(0s, Signal::sbp, 190).size() == 1);
    std::vector<ConditionChange> out;
    b.monitor.reset(at(60s), alerts::ClearCause::session_ended, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == ConditionState::cleared);
    CHECK(out[0].cause == alerts::ClearCause::session_ended);
    CHECK(b.monitor.active_conditions().empty());
    CHECK(b.reading(120s, Signal::sbp, 150).empty());
}

TEST_CASE("active_conditions lists the current state of each active alarm") {
    Bench b(sbp_profile());
    b.reading(0s, Signal::sbp, 165);
    b.reading(300s, Signal::sbp, 185);
    auto active = b.monitor.active_conditions();
    REQUIRE(active.size() == 1);
    CHECK(active[0].priority == Priority::medium);
}

TEST_CASE("a new profile applies without losing an active alarm") {
    Bench b(sbp_profile());
    REQUIRE(b.reading(0s, Signal::sbp, 185).size() == 1);
    std::vector<ConditionChange> changed;
    b.monitor.set_profile(profile({rule("sbp_high", Signal::sbp, Direction::high, 10, 0ms,
                                        {tier(170, Priority::medium)})}),
                          at(100s), changed);
    REQUIRE(changed.size() == 1);  // judged at once against the new, lower limit
    CHECK(changed[0].state == ConditionState::updated);
    CHECK(changed[0].limit == 170);
    CHECK(b.reading(300s, Signal::sbp, 175).empty());
    auto out = b.reading(600s, Signal::sbp, 155);
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == ConditionState::cleared);
}

TEST_CASE("reloading an unchanged profile neither escalates nor restarts a confirmation") {
    auto p = sbp_profile();
    Bench b(p);
    auto first = b.reading(0s, Signal::sbp, 185);
    REQUIRE(first.size() == 1);
    CHECK(first[0].priority == Priority::medium);
    std::vector<ConditionChange> changed;
    b.monitor.set_profile(std::make_shared<alerts::Profile>(*p), at(60s), changed);
    CHECK(changed.empty());
    auto second = b.reading(300s, Signal::sbp, 186);  // the confirmation counts on
    REQUIRE(second.size() == 1);
    CHECK(second[0].priority == Priority::high);
}

TEST_CASE("a reload keeps when a confirmation last counted: too late is still too late") {
    auto p = sbp_profile();
    Bench b(p);
    REQUIRE(b.reading(0s, Signal::sbp, 185).size() == 1);  // medium; high needs a second
    std::vector<ConditionChange> changed;
    b.monitor.set_profile(std::make_shared<alerts::Profile>(*p), at(60s), changed);
    CHECK(changed.empty());
    // 700 s after the first: more than the tier's 10 min, so the count starts over.
    CHECK(b.reading(700s, Signal::sbp, 186).empty());
    auto third = b.reading(900s, Signal::sbp, 187);  // second reading within 10 min of the last
    REQUIRE(third.size() == 1);
    CHECK(third[0].priority == Priority::high);
}

TEST_CASE("changed limits on reload never raise an alarm's priority by themselves") {
    Bench b(sbp_profile());
    REQUIRE(b.reading(0s, Signal::sbp, 185).size() == 1);  // medium; high needs a 2nd reading
    auto changed_profile = sbp_profile();
    changed_profile->rules[0].tiers[0].limit = 165;
    std::vector<ConditionChange> changed;
    b.monitor.set_profile(changed_profile, at(60s), changed);
    for (const auto& t : changed)
        CHECK(t.priority != Priority::high);
    REQUIRE(b.monitor.active_conditions().size() == 1);
    CHECK(b.monitor.active_conditions()[0].priority == Priority::medium);
}

TEST_CASE("a condition removed by a reload ends its alarm, announced") {
    Bench b(sbp_profile());
    REQUIRE(b.reading(0s, Signal::sbp, 185).size() == 1);
    std::vector<ConditionChange> changed;
    b.monitor.set_profile(hr_profile(), at(60s), changed);
    REQUIRE(changed.size() == 1);
    CHECK(changed[0].state == ConditionState::cleared);
    CHECK(changed[0].cause == alerts::ClearCause::reconfigured);
    CHECK(b.monitor.active_conditions().empty());
}

TEST_CASE("a condition delay starts over after a gap in the data") {
    Bench b(hr_profile());
    CHECK(b.hr_stream(0s, 5s, 155).empty());  // beyond 150 for 5 s of the 15 s delay
    for (Millis t = 5s; t < 65s; t += 1s)
        CHECK(b.tick(t).empty());               // silence: no value after 10 s
    CHECK(b.hr_stream(65s, 79s, 155).empty());  // the 15 s start again from t=65
    CHECK(b.hr_stream(79s, 81s, 155).size() == 1);
}

TEST_CASE("a sparse stream sample stays current for the hold time only") {
    auto p = profile({rule("hr_high", Signal::hr, Direction::high, 5, 0ms,
                           {tier(110, Priority::low, 60s, 1, 0ms, false)})});
    p->stream_hold = 90s;
    Bench b(p);
    CHECK(b.reading(0s, Signal::hr, 130).empty());
    CHECK(b.tick(59s).empty());
    CHECK(b.tick(60s).size() == 1);
    Bench short_hold(profile({rule("hr_high", Signal::hr, Direction::high, 5, 0ms,
                                   {tier(110, Priority::low, 60s, 1, 0ms, false)})}));
    short_hold.reading(0s, Signal::hr, 130);
    for (Millis t = 1s; t <= 70s; t += 1s)
        CHECK(short_hold.tick(t).empty());
}

TEST_CASE("a condition delay counts from its start while the tier clock moves (12-day steps)") {
    // Tier instants are 32-bit milliseconds from a base that moves every ~12 days (2^30 ms).
    const auto delayed_map_low = [] {
        return profile({rule("map_low", Signal::map, Direction::low, 5, 0ms,
                             {tier(60, Priority::medium, 120s, 1, 0ms, false)})});
    };
    for (const Millis start : {Millis(std::int64_t{1} << 30) - 60s, Millis(40LL * 86'400'000)}) {
        CAPTURE(start.count());
        Bench b(delayed_map_low());
        CHECK(b.reading(start, Signal::map, 55).empty());
        CHECK(b.tick(start + 100s).empty());  // the first one's base moves here
        CHECK(b.tick(start + 119s).empty());
        CHECK(b.tick(start + 120s).size() == 1);
    }
}

TEST_CASE("a clear hold that began a month ago has run out") {
    auto p = profile({rule("map_low", Signal::map, Direction::low, 5, 300s,
                           {tier(60, Priority::medium, 0ms, 1, 0ms, false)})});
    p->cuff_current_for = 40 * 24h;  // the reading stays current (the tier clock is the subject)
    Bench b(p);
    REQUIRE(b.reading(0s, Signal::map, 55).size() == 1);
    CHECK(b.reading(200s, Signal::map, 70).empty());  // back inside: the 300 s hold starts
    CHECK(b.tick(499s).empty());
    const auto later = b.tick(200s + 30 * 24h);
    REQUIRE(later.size() == 1);
    CHECK(later[0].state == ConditionState::cleared);
    CHECK(later[0].cause == alerts::ClearCause::back_in_range);
}

TEST_CASE("a stream change weeks after the tier clock last moved still wakes the chair") {
    // Readings inside the calm band do not move the tier clock; a sample near a limit 25 days
    // on must still make the chair due when the median can pass it.
    Bench b(profile(
        {rule("hr_high", Signal::hr, Direction::high, 5, 0ms, {tier(110, Priority::high)})}));
    CHECK(b.reading(0s, Signal::hr, 70).empty());
    const Millis d = std::chrono::hours(24 * 25);
    CHECK(b.reading(d, Signal::hr, 70).empty());
    CHECK(b.reading(d + 1s, Signal::hr, 70).empty());
    CHECK(b.reading(d + 2s, Signal::hr, 130).empty());  // median 70: not yet
    CHECK(b.reading(d + 3s, Signal::hr, 130).empty());  // median 100
    CHECK_FALSE(b.monitor.sleeping(d + 6s));
    auto raised = b.tick(d + 6s);  // d and d + 1 s have left the window: median 130
    REQUIRE(raised.size() == 1);
    CHECK(raised[0].condition == "hr_high");
}
