// The board's pure parts: trend buckets, the station token and login sessions, staleness limits,
// the chair JSON's clocks and what is due, and the history index.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "accounts/password.hpp"
#include "alerts/profile.hpp"
#include "board/auth.hpp"
#include "board/chair_due.hpp"
#include "board/chair_json.hpp"
#include "board/chair_live.hpp"
#include "board/history.hpp"
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

    TEST_CASE("one clock per feed: SpO2 stays current beside a cuff whose clock is 2 min fast") {
        auto p = std::make_shared<alerts::Profile>();
        p->name = "p";
        p->stream_hold = 10s;
        alerts::Clinic clinic(alerts::ClinicProfiles::single(p), {});
        board::Station st;
        st.clinic = [&]() -> const alerts::Clinic& { return clinic; };
        st.profile = [&](std::string_view) { return std::shared_ptr<const alerts::Profile>(p); };
        board::ChairLiveBook book;
        const Millis wall0 = 1'764'000'000'000ms;
        const auto at = [&](Millis t) { return alerts::Instant{t, wall0 + t}; };
        std::vector<alerts::ClinicEvent> out;
        for (int s = 0; s < 30; ++s) {
            const auto now = at(Millis(s * 1000));
            out.clear();
            clinic.on_reading("chair-01", {alerts::Signal::spo2, 97, now.wall}, now, out);
            if (s == 5) {  // the cuff monitor's clock runs 2 min ahead
                const std::vector<alerts::Reading> bp{{alerts::Signal::sbp, 150, now.wall + 120s},
                                                      {alerts::Signal::dbp, 90, now.wall + 120s}};
                clinic.on_readings("chair-01", bp, now, out);
            }
            for (const auto& e : out)
                book.on_event(e, now);
        }
        const auto vitals_at = [&](Millis t) {
            std::string text;
            drivers::JsonWriter w(text);
            board::write_chair(w, st, "chair-01", book.find("chair-01"), at(t), {});
            return boost::json::parse(text).at("vitals").as_object();
        };
        auto v = vitals_at(29'500ms);
        CHECK(v.at("spo2").at("stale") == false);
        CHECK(v.at("spo2").at("age_s").to_number<double>() == doctest::Approx(0.5));
        CHECK(v.at("sbp").at("age_s").to_number<double>() == doctest::Approx(24.5));
        // It does go stale, by its own arrival, once it stops.
        v = vitals_at(40'500ms);
        CHECK(v.at("spo2").at("stale") == true);
        CHECK(v.at("spo2").at("age_s").to_number<double>() == doctest::Approx(11.5));
    }

    TEST_CASE("what is due: the next cuff reading by the schedule and the REMS checks") {
        alerts::Profile p;
        p.route = "intranasal";
        alerts::FeedRule bp{"bp_overdue", alerts::mask_of(alerts::Signal::sbp), {}, false, {}};
        bp.schedule = alerts::CuffSchedule{
            {{0min, 15min, alerts::Priority::medium}, {60min, 30min, alerts::Priority::low}}, 3min};
        p.feeds.push_back(bp);
        alerts::Session s;
        s.phase = alerts::Phase::baseline;
        s.started = {0min, 0min};
        board::ChairLive live;
        live.cuffs = {{5min, 150, 90}};
        CHECK_FALSE(board::next_cuff_due(p, s, live));  // not before the dose
        auto checks = board::rems_checks(p, s, live, 6min);
        REQUIRE(checks.size() == 3);
        CHECK(checks[0].state == board::RemsCheck::State::done);  // pre-dose, at 5 min
        CHECK(checks[1].state == board::RemsCheck::State::later);
        CHECK(checks[2].state == board::RemsCheck::State::later);

        s.phase = alerts::Phase::dosing;
        s.dose_start = alerts::Instant{10min, 10min};
        auto due = board::next_cuff_due(p, s, live);
        REQUIRE(due);
        CHECK(due->at == 20min);  // 15 min after the last reading (5 min before the dose)
        CHECK(due->grace == 3min);
        live.cuffs.push_back({52min, 160, 95});  // 42 min after the dose: the ~40 min check
        due = board::next_cuff_due(p, s, live);
        REQUIRE(due);
        CHECK(due->at == 67min);
        checks = board::rems_checks(p, s, live, 53min);
        CHECK(checks[1].state == board::RemsCheck::State::done);
        CHECK(*checks[1].at == 52min);
        CHECK(checks[2].state == board::RemsCheck::State::due);  // not yet before discharge
        live.cuffs.push_back({80min, 140, 85});
        checks = board::rems_checks(p, s, live, 81min);
        CHECK(checks[2].state == board::RemsCheck::State::done);
        // With no reading in 30-50 min after the dose, the ~40 min check is missed after 50.
        live.cuffs = {{5min, 150, 90}};
        CHECK(board::rems_checks(p, s, live, 45min)[1].state == board::RemsCheck::State::due);
        CHECK(board::rems_checks(p, s, live, 61min)[1].state == board::RemsCheck::State::missed);
        // No REMS for other routes.
        p.route = "iv";
        CHECK(board::rems_checks(p, s, live, 61min).empty());
    }

    TEST_CASE("the history index: records by day, bad records counted, ids never paths") {
        CHECK(board::valid_record_id("chair-01"));
        CHECK(board::valid_record_id("chair-01-20261124T184100Z-2"));
        for (const char* bad : {"", ".", "..", "../x", "a/b", ".hidden", "a\\b", "a%2Fb", "a b"})
            CHECK_FALSE(board::valid_record_id(bad));
        CHECK_FALSE(board::valid_record_id(std::string(129, 'a')));

        const auto record = [](const std::string& chair, const std::string& id,
                               const std::string& start) {
            return R"({"schema":"chairwatch-session-record","schema_version":1,"session":{"chair":")" +
                   chair + R"(","session_id":")" + id +
                   R"(","profile":"iv-ketamine","route":"iv","start":")" + start + R"(","end":")" +
                   start + R"(","end_reason":"end"},
                   "discharge":{"applicable":true,"ready_at_end":true},
                   "alarms":[{"kind":"physiological","max_priority":"high","condition":"sbp_high",
                     "acknowledged_after_s":12.5,"acknowledgements":[{"by":"nurse-3","at":"2026-12-06T10:00:12.500Z"}]},
                     {"kind":"advisory","max_priority":"medium","condition":"rems_bp_40min"},
                     {"kind":"technical","max_priority":"low","condition":"hr_feed_lost"}]})";
        };
        std::string error;
        const auto e =
            board::parse_record(record("chair-01", "S-1", "2026-12-06T09:00:00.000Z"), error);
        REQUIRE(e);
        CHECK(e->day() == "2026-12-06");
        CHECK(e->alarms_high == 1);
        CHECK(e->alarms_low == 1);
        CHECK(e->advisories == 1);
        REQUIRE(e->acks.size() == 1);
        CHECK(e->acks[0].by == "nurse-3");
        CHECK(e->acks[0].after_s == doctest::Approx(12.5));
        CHECK_FALSE(board::parse_record("[]", error));
        CHECK_FALSE(board::parse_record(R"({"schema":"other"})", error));
        CHECK_FALSE(
            board::parse_record(record("../etc", "S-1", "2026-12-06T09:00:00.000Z"), error));

        namespace fs = std::filesystem;
        const auto dir = fs::temp_directory_path() / ("cw-history-" + board::Auth::random_hex(6));
        fs::create_directories(dir / "chair-01");
        fs::create_directories(dir / "chair-02");
        const auto write = [](const fs::path& p, const std::string& text) {
            std::ofstream(p) << text;
        };
        write(dir / "chair-01" / "S-1.summary.json",
              record("chair-01", "S-1", "2026-12-06T09:00:00.000Z"));
        write(dir / "chair-01" / "S-1.html", "<html>S-1</html>");
        write(dir / "chair-02" / "S-2.summary.json",
              record("chair-02", "S-2", "2026-12-07T08:00:00.000Z"));
        write(dir / "chair-02" / "S-3.summary.json", "{ broken");  // its neighbours stay
        write(dir / "secret.html", "not a report");
        fs::create_symlink(dir / "secret.html", dir / "chair-02" / "S-2.html");
        board::History h;
        h.refresh(dir.string());
        REQUIRE(h.sessions().size() == 2);
        CHECK(h.sessions()[0]->session_id == "S-2");  // newest first
        CHECK_FALSE(h.sessions()[0]->has_report);     // a link is not a report
        CHECK(h.sessions()[1]->has_report);
        CHECK(h.errors().size() == 1);
        std::string text;
        drivers::JsonWriter w(text);
        w.begin_object();
        board::write_history(w, h, "");
        w.end_object();
        const auto j = boost::json::parse(text);
        CHECK(j.at("day") == "2026-12-07");
        CHECK(j.at("days").as_array().size() == 2);
        CHECK(j.at("sessions").as_array().size() == 1);
        CHECK(j.at("errors") == 1);
        text.clear();
        drivers::JsonWriter w2(text);
        w2.begin_object();
        board::write_history(w2, h, "2026-12-06");
        w2.end_object();
        CHECK(boost::json::parse(text).at("sessions").at(0).at("report") ==
              "/reports/chair-01/S-1");

        CHECK(board::History::report_path(dir.string(), "chair-01", "S-1"));
        CHECK_FALSE(board::History::report_path(dir.string(), "chair-02", "S-2"));  // a link
        CHECK_FALSE(board::History::report_path(dir.string(), "..", "secret"));
        CHECK_FALSE(board::History::report_path(dir.string(), "chair-01", "../secret"));
        CHECK_FALSE(board::History::report_path(dir.string(), "chair-01", "S-9"));
        CHECK_FALSE(board::History::report_path("", "chair-01", "S-1"));
        // A record that goes away leaves the index at the next look.
        fs::remove(dir / "chair-01" / "S-1.summary.json");
        h.refresh(dir.string());
        CHECK(h.sessions().size() == 1);
        fs::remove_all(dir);
    }
}
