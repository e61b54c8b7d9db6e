#include <doctest/doctest.h>

#include <chrono>

#include "alerts/stream_window.hpp"

using namespace std::chrono_literals;
using chairwatch::alerts::Millis;
using chairwatch::alerts::StreamWindow;

TEST_CASE("stream window: the median of the samples inside the window") {
    StreamWindow w;
    CHECK(w.empty());
    CHECK_FALSE(w.median(Millis(0), 5s));
    const double hr[] = {80, 140, 82, 81, 79};  // one spike among five
    for (int i = 0; i < 5; ++i)
        w.push(Millis(1000 * i), hr[i]);
    CHECK_FALSE(w.empty());
    CHECK(w.median(4s, 5s) == 81);
    // At 5 s the sample taken at 0 s is out (the window is (now - 5 s, now]): four left.
    CHECK(w.median(5s, 5s) == doctest::Approx((81 + 82) / 2.0));
    // A sample stamped after `now` is not judged yet.
    CHECK(w.median(2s, 5s) == 82);
    const auto [lo, hi] = w.range();
    CHECK(lo == 79);
    CHECK(hi == 140);
}

TEST_CASE("stream window: keeps the last nine; the latest holds when the window is empty") {
    StreamWindow w;
    for (int i = 0; i < 12; ++i)
        w.push(Millis(1000 * i), 60 + i);
    const auto [lo, hi] = w.range();
    CHECK(lo == 63);  // 60, 61 and 62 were overwritten
    CHECK(hi == 71);
    CHECK(w.median(11s, 20s) == 67);
    // Nothing in the last 5 s at 20 s: the latest (71, from 11 s) is 9 s old.
    CHECK_FALSE(w.median(20s, 5s));
    CHECK(w.median(20s, 5s, 10s) == 71);
    CHECK_FALSE(w.median(22s, 5s, 10s));
    w.clear();
    CHECK(w.empty());
    CHECK_FALSE(w.median(11s, 20s, 100s));
}

TEST_CASE("stream window: times months apart and clocks far from zero") {
    StreamWindow w;
    const Millis start = std::chrono::duration_cast<Millis>(std::chrono::hours(24 * 400));
    w.push(start, 70);
    w.push(start + 1s, 72);
    CHECK(w.median(start + 1s, 5s) == 71);
    // Thirty days later (past the 32-bit offset): the old samples are out of every window,
    // the new ones are judged as usual.
    const Millis later = start + std::chrono::hours(24 * 30);
    CHECK_FALSE(w.median(later, 5s, 10s));
    w.push(later, 90);
    w.push(later + 1s, 94);
    CHECK(w.median(later + 1s, 5s) == 92);
    CHECK(w.median(later + 1s, 1h) == 92);
    // A clock that jumps back (a replay started over) is judged on its own samples.
    const Millis before = start - std::chrono::hours(24 * 30);
    w.push(before, 50);
    CHECK(w.median(before, 5s) == 50);
    CHECK(w.median(before + 3s, 5s) == 50);
}

TEST_CASE("stream window: when the median can next change with no new sample") {
    StreamWindow w;
    CHECK(w.next_change(0s, 5s, 10s) == Millis::max());  // empty: never
    w.push(1s, 70);
    w.push(2500ms, 72);
    // Window (now - 5 s, now]: the sample of 1 s leaves at 6 s, the one of 2.5 s at 7.5 s.
    CHECK(w.next_change(3s, 5s, 10s) == 6s);
    CHECK(w.median(6s - 1ms, 5s) == doctest::Approx(71));
    CHECK(w.median(6s, 5s) == 72);
    CHECK(w.next_change(6s, 5s, 10s) == 7500ms);
    // Then none is in the window: the latest holds until 10 s after it, and is gone 1 ms later.
    CHECK(w.next_change(7500ms, 5s, 10s) == 12501ms);
    CHECK(w.median(12500ms, 5s, 10s) == 72);
    CHECK_FALSE(w.median(12501ms, 5s, 10s));
    CHECK(w.next_change(12501ms, 5s, 10s) == Millis::max());
    // A sample stamped after `now` changes the median when its time comes.
    CHECK(w.next_change(0s, 5s, 10s) == 1s);
    CHECK(w.next_change(2s, 5s, 10s) == 2500ms);
}
