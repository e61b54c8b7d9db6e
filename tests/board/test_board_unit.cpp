// The board's pure parts: trend buckets, the station token and login sessions, staleness limits.
#include <doctest/doctest.h>

#include "accounts/password.hpp"
#include "alerts/profile.hpp"
#include "board/auth.hpp"
#include "board/chair_json.hpp"
#include "board/chair_live.hpp"
#include "board/trend.hpp"

using namespace chairwatch;
using alerts::Millis;
using namespace std::chrono_literals;

TEST_SUITE("board_unit") {
    TEST_CASE("a trend stays bounded and keeps the whole session's shape") {
        board::TrendSeries hr(30, 8);
        for (int s = 0; s < 7200; ++s)
            hr.add(s, s < 3600 ? 80 : 120);
        const auto& p = hr.points();
        CHECK(p.size() <= 9);
        CHECK(p.size() >= 4);
        CHECK(p.front().t == 0);
        CHECK(p.front().v == doctest::Approx(80));
        CHECK(p.back().v == doctest::Approx(120));
        CHECK(p.back().t > 5000);
        board::TrendSeries cuff(0, 90);
        CHECK(cuff.add(0, 150));
        CHECK(cuff.add(300, 160));
        CHECK(cuff.points().size() == 2);
        cuff.clear();
        CHECK(cuff.points().empty());
    }

    TEST_CASE("roles: each includes the ones before it; unknown callers may nothing") {
        board::Caller c;
        c.access = board::Access::write;
        c.role = board::Role::nurse;
        CHECK(board::may(c, board::Role::display));
        CHECK(board::may(c, board::Role::nurse));
        CHECK(!board::may(c, board::Role::charge_nurse));
        CHECK(!board::may(c, board::Role::admin));
        c.role = board::Role::admin;
        CHECK(board::may(c, board::Role::admin));
        c.access = board::Access::none;
        CHECK(!board::may(c, board::Role::display));
        c.access = board::Access::bad_credentials;
        CHECK(!board::may(c, board::Role::display));
        for (auto r : {board::Role::display, board::Role::nurse, board::Role::charge_nurse,
                       board::Role::admin})
            CHECK(board::parse_role(board::to_string(r)) == r);
        CHECK(!board::parse_role("Admin"));
        CHECK(!board::parse_role(""));
    }

    TEST_CASE("the station token: a read-only display, as bearer or login; rate limit") {
        board::Auth auth;
        const std::string token = "0123456789abcdef-token";
        auth.configure(token, false);
        CHECK(auth.identify("", "", 0ms).access == board::Access::none);
        const auto wall = auth.identify("Bearer " + token, "", 0ms);
        CHECK(wall.access == board::Access::read);
        CHECK(wall.role == board::Role::display);
        CHECK(wall.via_token);
        CHECK(!board::may(wall, board::Role::nurse));
        CHECK(auth.identify("Bearer nope", "", 0ms).access == board::Access::bad_credentials);
        CHECK(auth.identify("bearer " + token, "", 0ms).access == board::Access::bad_credentials);
        const std::string nurse = "10.0.0.7";
        CHECK(!auth.login("wrong", nurse, 0ms));
        auto id = auth.login(token, nurse, 0ms);
        REQUIRE(id);
        CHECK(id->size() == 64);
        const auto who = auth.identify("", "a=b; cw_session=" + *id + "; c=d", 1000ms);
        CHECK(who.access == board::Access::read);
        CHECK(who.role == board::Role::display);
        CHECK(who.user.empty());
        CHECK(who.via_cookie);
        CHECK(who.csrf.size() == 32);
        // Sessions expire, and a new token ends them all.
        CHECK(auth.identify("", "cw_session=" + *id, 13h).access == board::Access::none);
        id = auth.login(token, nurse, 13h);
        auth.configure("another-token-0123456789", true);
        CHECK(auth.identify("", "cw_session=" + *id, 13h).access == board::Access::read);
        // Ten wrong tokens in a minute from one address: even the right one waits there, and
        // only there.
        const std::string guesser = "10.0.0.66";
        for (int i = 0; i < 10; ++i)
            CHECK(!auth.login("wrong", guesser, 20h));
        CHECK(auth.rate_limited(guesser, 20h));
        CHECK(!auth.login("another-token-0123456789", guesser, 20h));
        CHECK(!auth.rate_limited(nurse, 20h));
        CHECK(auth.login("another-token-0123456789", nurse, 20h));
        CHECK(auth.login("another-token-0123456789", guesser, 20h + 61s));
    }

    TEST_CASE("a person's login: password, role, disabled, lifetime; account changes end it") {
        board::Auth auth;
        auth.configure("", false, 8h);
        const auto hash = accounts::hash_password("ana-password");
        accounts::Users users;
        users.list.push_back({"ana", accounts::Role::nurse, false, hash});
        users.list.push_back({"cid", accounts::Role::admin, true, hash});
        auth.set_users(users);
        const std::string at = "10.0.0.7";
        CHECK(!auth.login_person("ana", "wrong-password", at, 0ms));
        CHECK(!auth.login_person("bob", "ana-password", at, 0ms));  // no such person
        CHECK(!auth.login_person("cid", "ana-password", at, 0ms));  // disabled
        CHECK(!auth.login("", at, 0ms));                            // no token configured
        auto id = auth.login_person("ana", "ana-password", at, 0ms);
        REQUIRE(id);
        auto who = auth.identify("", "cw_session=" + *id, 1s);
        CHECK(who.access == board::Access::write);
        CHECK(who.user == "ana");
        CHECK(who.role == board::Role::nurse);
        CHECK(board::may(who, board::Role::nurse));
        CHECK(!board::may(who, board::Role::admin));
        CHECK(auth.identify("", "cw_session=" + *id, 8h).access == board::Access::none);
        // A change of someone else keeps her login; her new role or password ends it.
        id = auth.login_person("ana", "ana-password", at, 9h);
        REQUIRE(id);
        users.list[1].disabled = false;
        auth.set_users(users);
        CHECK(auth.identify("", "cw_session=" + *id, 9h).user == "ana");
        users.list[0].role = accounts::Role::charge_nurse;
        auth.set_users(users);
        CHECK(auth.identify("", "cw_session=" + *id, 9h).access == board::Access::none);
        id = auth.login_person("ana", "ana-password", at, 9h);
        REQUIRE(id);
        CHECK(auth.identify("", "cw_session=" + *id, 9h).role == board::Role::charge_nurse);
        users.list[0].hash = accounts::hash_password("ana-new-password");
        auth.set_users(users);
        CHECK(auth.identify("", "cw_session=" + *id, 9h).access == board::Access::none);
        CHECK(auth.login_person("ana", "ana-new-password", at, 9h));
        // Three failures above count towards the rate limit like wrong tokens.
        CHECK(!auth.rate_limited(at, 9h));
    }

    TEST_CASE("failed logins from many addresses: a bounded table, and one allowance beyond it") {
        board::Auth auth;
        const std::string token = "0123456789abcdef-token";
        auth.configure(token, false);
        const auto addr = [](std::size_t i) {
            return "fd00::" + std::to_string(i / 60000) + ":" + std::to_string(i % 60000 + 1);
        };
        const auto many = board::Auth::max_tracked_clients + 50;
        for (std::size_t i = 0; i < many; ++i)
            CHECK(!auth.login("wrong", addr(i), 0ms));
        CHECK(auth.tracked_clients() == board::Auth::max_tracked_clients);
        // The addresses beyond the table share one allowance of ten a minute (50 used up).
        CHECK(auth.rate_limited(addr(many + 1), 1s));
        CHECK(!auth.rate_limited(addr(0), 1s));  // one failure of its own so far
        CHECK(auth.login(token, addr(0), 1s));
        // A minute later the old records make room again.
        CHECK(!auth.login("wrong", addr(many + 1), 61s));
        CHECK(auth.tracked_clients() == 1);
        CHECK(!auth.rate_limited(addr(many + 2), 61s));
    }

    TEST_CASE("constant-time comparison and cookie parsing") {
        CHECK(board::Auth::same("abc", "abc"));
        CHECK(!board::Auth::same("abc", "abd"));
        CHECK(!board::Auth::same("abc", "abcd"));
        CHECK(!board::Auth::same("", "a"));
        CHECK(board::Auth::cookie_value("x=1; cw_session=zz", "cw_session") == "zz");
        CHECK(board::Auth::cookie_value("cw_sessionx=1", "cw_session").empty());
        CHECK(board::Auth::random_hex(16).size() == 32);
        CHECK(board::Auth::random_hex(16) != board::Auth::random_hex(16));
    }

    TEST_CASE("values go stale after the profile's limits") {
        alerts::Profile p;
        p.stream_hold = 10s;
        alerts::FeedRule bp{
            "bp_overdue",
            alerts::mask_of(alerts::Signal::sbp) | alerts::mask_of(alerts::Signal::dbp),
            {},
            false,
            std::nullopt};
        bp.tiers.push_back(
            {480s, alerts::Priority::low, alerts::phase_bit(alerts::Phase::baseline)});
        bp.tiers.push_back(
            {780s, alerts::Priority::medium, alerts::phase_bit(alerts::Phase::dosing)});
        p.feeds.push_back(bp);
        CHECK(board::stale_after(p, alerts::Signal::hr, alerts::Phase::dosing) == 10s);
        CHECK(board::stale_after(p, alerts::Signal::sbp, alerts::Phase::baseline) == 480s);
        CHECK(board::stale_after(p, alerts::Signal::dbp, alerts::Phase::dosing) == 780s);
        // No tier for the phase: the shortest of all; no rule at all: 15 minutes.
        CHECK(board::stale_after(p, alerts::Signal::sbp, alerts::Phase::observation) == 480s);
        CHECK(board::stale_after(p, alerts::Signal::map, alerts::Phase::dosing) == 15min);
        // A longer cuff cycle never shows a reading older than bp_current_for (REF §8).
        p.feeds[0].tiers[1].after = 1980s;
        CHECK(board::stale_after(p, alerts::Signal::sbp, alerts::Phase::dosing) == 15min);
        p.cuff_current_for = 10min;
        CHECK(board::stale_after(p, alerts::Signal::sbp, alerts::Phase::baseline) == 480s);
        CHECK(board::stale_after(p, alerts::Signal::sbp, alerts::Phase::dosing) == 10min);
    }

    TEST_CASE("a notification receipt is kept for its alarm in the chair's current session") {
        board::ChairLiveBook book;
        alerts::Session s;
        s.chair = "chair-01";
        s.id = "S-1";
        alerts::ClinicEvent e{alerts::ClinicEvent::Type::session_started, &s, {}, {}};
        book.on_event(e, {});
        CHECK(book.on_receipt("chair-01", "S-1", 2, "accepted by Rivera"));
        CHECK_FALSE(book.on_receipt("chair-01", "S-0", 2, "read"));  // an older session's
        CHECK_FALSE(book.on_receipt("chair-09", "S-1", 2, "read"));  // a chair not seen
        REQUIRE(book.find("chair-01"));
        CHECK(book.find("chair-01")->receipts.at(2) == "accepted by Rivera");
        CHECK(book.on_receipt("chair-01", "S-1", 2, "read by Rivera"));  // the latest stands
        CHECK(book.find("chair-01")->receipts.at(2) == "read by Rivera");
        s.id = "S-2";  // a new session starts afresh
        e.type = alerts::ClinicEvent::Type::session_started;
        book.on_event(e, {});
        CHECK(book.find("chair-01")->receipts.empty());
    }
}
