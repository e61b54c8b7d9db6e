#include <doctest/doctest.h>

#include <string>

#include "daemon/warn_limiter.hpp"

using chairwatch::alerts::Millis;
using chairwatch::daemon::WarnLimiter;

TEST_CASE("one warning per key per interval; the next says how many were held back") {
    WarnLimiter w(Millis(60'000));
    CHECK(w.check("chair-01/bad_json", Millis(0)).allowed);
    CHECK_FALSE(w.check("chair-01/bad_json", Millis(1'000)).allowed);
    CHECK_FALSE(w.check("chair-01/bad_json", Millis(2'000)).allowed);
    CHECK(w.check("chair-02/bad_json", Millis(2'000)).allowed);
    const auto v = w.check("chair-01/bad_json", Millis(60'000));
    CHECK(v.allowed);
    CHECK(v.suppressed == 2);
    CHECK(WarnLimiter::note(v) == " (2 more like it suppressed)");
    CHECK(WarnLimiter::note(w.check("chair-02/bad_json", Millis(70'000))).empty());
}

TEST_CASE("100k invented chairs: a bounded number of lines, and the rest counted") {
    constexpr std::size_t max_keys = 4096;
    WarnLimiter w(Millis(60'000), max_keys);
    std::size_t lines = 0, reported = 0;
    // One bad message per millisecond, each from a chair nobody has seen before: 100 s.
    for (int i = 0; i < 100'000; ++i) {
        std::size_t suppressed = 0;
        if (!w.allow("chair-" + std::to_string(i) + "/bad_json", Millis(i), suppressed)) continue;
        ++lines;
        reported += suppressed;
    }
    // The table's keys, then one line per interval for all the other chairs together (and
    // once per interval the table lets go of keys whose interval is over).
    CHECK(lines <= 2 * max_keys + 4);
    CHECK(reported > 0);
    // Every warning held back is reported with a later line of its reason.
    const auto next = w.check("chair-x/bad_json", Millis(200'000));
    CHECK(next.allowed);
    CHECK(reported + next.others == 100'000 - lines);
    CHECK(WarnLimiter::note(next) ==
          " (" + std::to_string(next.others) + " more like it from other chairs suppressed)");
}

TEST_CASE("the overflow is per reason: a flood of one kind does not hide another") {
    WarnLimiter w(Millis(60'000), 2);
    CHECK(w.check("a/bad_json", Millis(0)).allowed);
    CHECK(w.check("b/bad_json", Millis(0)).allowed);
    const auto first = w.check("c/bad_json", Millis(0));  // the overflow of bad_json
    CHECK(first.allowed);
    CHECK(first.overflow);
    CHECK_FALSE(w.check("d/bad_json", Millis(0)).allowed);
    const auto other = w.check("e/implausible", Millis(1));
    CHECK(other.allowed);
    CHECK(other.overflow);
    // Keys in the table keep their own limit.
    CHECK_FALSE(w.check("a/bad_json", Millis(2)).allowed);
}

TEST_CASE("after a flood the table makes room again, keeping the counts") {
    WarnLimiter w(Millis(60'000), 2);
    CHECK(w.check("a/bad_json", Millis(0)).allowed);
    CHECK_FALSE(w.check("a/bad_json", Millis(1)).allowed);  // held back under a
    CHECK(w.check("b/bad_json", Millis(0)).allowed);
    CHECK(w.check("c/bad_json", Millis(0)).allowed);        // overflow
    CHECK_FALSE(w.check("d/bad_json", Millis(5)).allowed);  // held back in the overflow
    // An interval later a real chair gets a key of its own again, and its line reports what
    // was held back: one under a (let go from the table), one in the overflow.
    const auto real = w.check("chair-07/bad_json", Millis(61'000));
    CHECK(real.allowed);
    CHECK_FALSE(real.overflow);
    CHECK(real.others == 2);
    CHECK(WarnLimiter::note(real) == " (2 more like it from other chairs suppressed)");
}

TEST_CASE("interval 0 logs every warning, even beyond the table") {
    WarnLimiter w(Millis(0), 4);
    for (int i = 0; i < 100; ++i)
        CHECK(w.check("chair-" + std::to_string(i) + "/x", Millis(5)).allowed);
}
