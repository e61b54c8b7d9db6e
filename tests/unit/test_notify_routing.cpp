#include <doctest/doctest.h>

#include <string>

#include "daemon/notify/grouper.hpp"
#include "daemon/notify/outbox_record.hpp"
#include "daemon/notify/receiver_health.hpp"
#include "daemon/notify/router.hpp"

using namespace chairwatch;
using namespace chairwatch::daemon::notify;
using alerts::AlarmState;
using alerts::Priority;
using std::chrono::milliseconds;

namespace {

alerts::AlarmTransition alarm(const std::string& condition, Priority p,
                              AlarmState s = AlarmState::raised, long at_ms = 1000) {
    alerts::AlarmTransition t;
    t.condition = condition;
    t.priority = p;
    t.state = s;
    t.at = {milliseconds(at_ms), milliseconds(1'700'000'000'000 + at_ms)};
    return t;
}

config::Route route(std::string name, std::vector<std::string> receivers) {
    config::Route r;
    r.name = std::move(name);
    r.receivers = std::move(receivers);
    return r;
}

std::vector<std::string> names(const std::vector<Target>& targets) {
    std::vector<std::string> out;
    for (const auto& t : targets)
        out.push_back(t.receiver);
    return out;
}

using Names = std::vector<std::string>;

Item item(const std::string& chair, const alerts::AlarmTransition& t,
          const std::string& session = "s1") {
    return {chair, session, "", t, chair + ":" + session + ":a1", "text of " + t.condition};
}

}  // namespace

TEST_CASE("routes: first match wins, continue goes on, the default catches the rest") {
    config::NotifyConfig cfg;
    cfg.chair_groups["east"] = {"chair-01", "chair-02"};
    auto high_east = route("high-east", {"east-pager"});
    high_east.match.chair_groups = {"east"};
    high_east.match.priorities = {Priority::high};
    auto spo2 = route("spo2", {"rt"});
    spo2.match.conditions = {"spo2_low"};
    spo2.continue_matching = true;
    auto all_spo2 = route("all-spo2", {"log", "rt"});
    all_spo2.match.conditions = {"spo2_low"};
    auto technical = route("tech", {"it"});
    technical.match.kinds = {alerts::AlarmKind::technical};
    technical.match.chairs = {"chair-09"};
    cfg.routes = {high_east, spo2, all_spo2, technical};
    cfg.default_route = route("default_route", {"desk"});
    const Router router(cfg);

    CHECK(names(router.route("chair-01", alarm("sbp_high", Priority::high))) ==
          Names{"east-pager"});
    CHECK(names(router.route("chair-03", alarm("sbp_high", Priority::high))) == Names{"desk"});
    CHECK(names(router.route("chair-01", alarm("sbp_high", Priority::medium))) == Names{"desk"});
    // continue: the next matching route adds its receivers, each receiver once.
    CHECK(names(router.route("chair-05", alarm("spo2_low", Priority::medium))) ==
          Names{"rt", "log"});
    // first match stops even when a later one would match too.
    CHECK(names(router.route("chair-01", alarm("spo2_low", Priority::high))) ==
          Names{"east-pager"});
    auto tech = alarm("feed_lost", Priority::low);
    tech.kind = alerts::AlarmKind::technical;
    CHECK(names(router.route("chair-09", tech)) == Names{"it"});
    CHECK(names(router.route("chair-08", tech)) == Names{"desk"});
    // no default route: nothing.
    cfg.default_route.reset();
    CHECK(router.route("chair-03", alarm("sbp_high", Priority::high)).empty());
}

TEST_CASE("routes: states filter, and escalations reach escalate_to until the alarm is over") {
    config::NotifyConfig cfg;
    auto r = route("main", {"nurse"});
    r.escalate_to = {"charge"};
    r.fallback = "sms";
    cfg.routes = {r};
    auto only_raised = route("raised-only", {"x"});
    only_raised.match.states = {AlarmState::raised};
    only_raised.match.chairs = {"chair-07"};
    cfg.routes.insert(cfg.routes.begin(), only_raised);
    const Router router(cfg);

    const auto raised = router.route("chair-01", alarm("sbp_high", Priority::high));
    CHECK(names(raised) == Names{"nurse"});
    CHECK(raised[0].fallback == "sms");
    CHECK(raised[0].route == "main");
    auto esc = alarm("sbp_high", Priority::high, AlarmState::escalated);
    esc.escalation_level = 1;
    CHECK(names(router.route("chair-01", esc)) == Names{"nurse", "charge"});
    auto ack = alarm("sbp_high", Priority::high, AlarmState::acknowledged);
    CHECK(names(router.route("chair-01", ack)) == Names{"nurse"});
    ack.escalation_level = 2;  // an escalated alarm's retraction reaches the charge nurse too
    CHECK(names(router.route("chair-01", ack)) == Names{"nurse", "charge"});
    auto cleared = alarm("sbp_high", Priority::high, AlarmState::cleared);
    cleared.escalation_level = 1;
    CHECK(names(router.route("chair-01", cleared)) == Names{"nurse", "charge"});
    auto updated = alarm("sbp_high", Priority::high, AlarmState::updated);
    updated.escalation_level = 1;
    CHECK(names(router.route("chair-01", updated)) == Names{"nurse"});
    CHECK(names(router.route("chair-07", alarm("x", Priority::low))) == Names{"x"});
    CHECK(names(router.route("chair-07", ack)) == Names{"nurse", "charge"});
}

TEST_CASE("the idempotency key names the alert, the state and the time of the first transition") {
    const auto t = alarm("sbp_high", Priority::high, AlarmState::escalated, 5);
    CHECK(notification_key("c1:s1:a3", t, 1) == "c1:s1:a3/escalated/1700000000005");
    CHECK(notification_key("c1:s1:a3", t, 3) == "c1:s1:a3/escalated/1700000000005+2");
}

TEST_CASE("grouping: one BP measurement pages once, and a HIGH goes out at the end of its call") {
    Grouper g(milliseconds(2000));
    const milliseconds t0(10'000);
    g.add("pager", "", item("chair-01", alarm("sbp_high", Priority::high)), t0, true);
    g.add("pager", "", item("chair-01", alarm("dbp_high", Priority::medium)), t0, true);
    g.add("pager", "", item("chair-01", alarm("bp_rise", Priority::medium)), t0, true);
    g.add("pager", "", item("chair-02", alarm("hr_high", Priority::medium)), t0, true);
    CHECK(g.waiting() == 2);
    // Within the call: nothing yet (the rest of the measurement may still come).
    CHECK(g.take_due(t0, false).empty());
    const auto urgent = g.take_due(t0, true);
    REQUIRE(urgent.size() == 1);
    CHECK(urgent[0].chair == "chair-01");
    CHECK(urgent[0].urgent);
    REQUIRE(urgent[0].transitions.size() == 3);
    CHECK(urgent[0].transitions[1].condition == "dbp_high");
    CHECK(urgent[0].texts[2] == "text of bp_rise");
    CHECK(urgent[0].alert_ids.size() == 3);
    // The MEDIUM group waits for its window, never longer.
    CHECK(g.next_due() == t0 + milliseconds(2000));
    CHECK(g.take_due(t0 + milliseconds(1999), true).empty());
    const auto later = g.take_due(t0 + milliseconds(2000), false);
    REQUIRE(later.size() == 1);
    CHECK(later[0].chair == "chair-02");
    CHECK_FALSE(g.next_due());
}

TEST_CASE("grouping: the window counts from the first transition; receivers and chairs apart") {
    Grouper g(milliseconds(2000));
    g.add("a", "fb", item("c1", alarm("x", Priority::low)), milliseconds(0), true);
    g.add("a", "fb", item("c1", alarm("y", Priority::low)), milliseconds(1500), true);
    g.add("b", "", item("c1", alarm("x", Priority::low)), milliseconds(1500), true);
    auto due = g.take_due(milliseconds(2000), false);
    REQUIRE(due.size() == 1);
    CHECK(due[0].receiver == "a");
    CHECK(due[0].fallback == "fb");
    CHECK(due[0].transitions.size() == 2);
    // A HIGH joining a waiting group makes the whole group urgent.
    g.add("b", "", item("c1", alarm("z", Priority::high)), milliseconds(2100), true);
    due = g.take_due(milliseconds(2100), true);
    REQUIRE(due.size() == 1);
    CHECK(due[0].transitions.size() == 2);
}

TEST_CASE("grouping: ungrouped receivers, a zero window and a new session go at once") {
    Grouper g(milliseconds(2000));
    g.add("acm", "", item("c1", alarm("x", Priority::low)), milliseconds(5), false);
    g.add("acm", "", item("c1", alarm("y", Priority::low)), milliseconds(5), false);
    auto due = g.take_due(milliseconds(5), false);
    REQUIRE(due.size() == 2);  // one notification per transition
    CHECK(due[0].transitions[0].condition == "x");
    CHECK(due[1].transitions[0].condition == "y");

    g.add("w", "", item("c1", alarm("x", Priority::low), "s1"), milliseconds(10), true);
    g.add("w", "", item("c1", alarm("y", Priority::low), "s2"), milliseconds(11), true);
    due = g.take_due(milliseconds(11), false);
    REQUIRE(due.size() == 1);  // the old session's group is closed by the new one's alarm
    CHECK(due[0].session_id == "s1");
    CHECK(g.take_all().size() == 1);
    CHECK(g.waiting() == 0);

    g.set_window(milliseconds(0));
    g.add("w", "", item("c1", alarm("x", Priority::low)), milliseconds(20), true);
    CHECK(g.take_due(milliseconds(20), false).size() == 1);
}

TEST_CASE("grouping keeps no pointer into the clinic's state") {
    Grouper g(milliseconds(2000));
    auto t = alarm("note", Priority::low);
    const std::string hint = "pump paused";
    t.text_hint = hint;
    g.add("w", "", item("c1", t), milliseconds(0), true);
    CHECK(g.take_all()[0].transitions[0].text_hint.empty());
}

TEST_CASE("retries back off from first_s, doubling, up to max_s") {
    const milliseconds first(1000), max(60'000);
    CHECK(retry_delay(1, first, max) == milliseconds(1000));
    CHECK(retry_delay(2, first, max) == milliseconds(2000));
    CHECK(retry_delay(3, first, max) == milliseconds(4000));
    CHECK(retry_delay(6, first, max) == milliseconds(32'000));
    CHECK(retry_delay(7, first, max) == milliseconds(60'000));
    CHECK(retry_delay(1000, first, max) == milliseconds(60'000));
    CHECK(retry_delay(0, first, max) == milliseconds(1000));
    CHECK(retry_delay(3, milliseconds(700), milliseconds(1000)) == milliseconds(1000));
}

TEST_CASE("a receiver failing for fail_after is failed once; its first delivery recovers it") {
    ReceiverHealth h(milliseconds(60'000));
    CHECK_FALSE(h.on_result("a", false, milliseconds(1000)));
    CHECK(h.failing("a"));
    CHECK_FALSE(h.failed("a"));
    CHECK_FALSE(h.on_result("a", false, milliseconds(30'000)));  // still counted from the first
    CHECK(h.next_due() == milliseconds(61'000));
    CHECK(h.newly_failed(milliseconds(60'999)).empty());
    CHECK(h.newly_failed(milliseconds(61'000)) == Names{"a"});
    CHECK(h.newly_failed(milliseconds(90'000)).empty());  // reported once
    CHECK(h.failed("a"));
    CHECK(h.failed_receivers() == Names{"a"});
    CHECK_FALSE(h.next_due());
    CHECK(h.on_result("a", true, milliseconds(91'000)));  // recovery clears the alarm
    CHECK_FALSE(h.failing("a"));
    CHECK(h.failed_receivers().empty());
    // A delivery before fail_after ends the failure quietly.
    h.on_result("b", false, milliseconds(0));
    CHECK_FALSE(h.on_result("b", true, milliseconds(10)));
    CHECK(h.newly_failed(milliseconds(100'000)).empty());
    CHECK_FALSE(h.on_result("c", true, milliseconds(0)));
}

TEST_CASE("an outbox record reads back as it was written") {
    OutboxRecord r;
    r.seq = 42;
    r.receiver = "pager";
    r.fallback = "sms";
    r.fell_back = true;
    r.queued = milliseconds(1'700'000'000'123);
    auto& n = r.notification;
    n.key = "c1:s1:a3/raised/1700000000005+1";
    n.chair = "c1";
    n.session_id = "s1";
    n.patient_ref = "P-0042";
    auto a = alarm("sbp_high", Priority::high, AlarmState::escalated, 5);
    a.alarm_no = 3;
    a.value = 192.4;
    a.limit = 180;
    a.baseline = 121.125;
    a.peak = 195;
    a.signal = alerts::Signal::sbp;
    a.escalation_level = 2;
    a.acknowledged = true;
    a.acknowledged_by = "nurse \"A\"";
    a.latched = true;
    a.high = true;
    a.inclusive = false;
    a.cause = alerts::ClearCause::back_in_range;
    a.max_priority = Priority::high;
    auto b = alarm("dbp_high", Priority::medium, AlarmState::raised, 6);
    b.kind = alerts::AlarmKind::technical;
    b.active = false;
    n.transitions = {a, b};
    n.texts = {"Chair 1: systolic BP 192 mmHg", "second"};

    const auto back = decode_record(encode_record(r));
    REQUIRE(back);
    CHECK(back->seq == 42);
    CHECK(back->receiver == "pager");
    CHECK(back->fallback == "sms");
    CHECK(back->fell_back);
    CHECK(back->queued == r.queued);
    CHECK(back->notification.key == n.key);
    CHECK(back->notification.patient_ref == "P-0042");
    CHECK(back->notification.texts == n.texts);
    REQUIRE(back->notification.transitions.size() == 2);
    const auto& x = back->notification.transitions[0];
    CHECK(x.alarm_no == 3);
    CHECK(x.condition == "sbp_high");
    CHECK(x.state == AlarmState::escalated);
    CHECK(x.priority == Priority::high);
    CHECK(x.signal == alerts::Signal::sbp);
    CHECK(x.value == doctest::Approx(192.4));
    CHECK(x.baseline == doctest::Approx(121.125));
    CHECK(x.escalation_level == 2);
    CHECK(x.acknowledged);
    CHECK(x.acknowledged_by == "nurse \"A\"");
    CHECK(x.latched);
    CHECK_FALSE(x.inclusive);
    CHECK(x.cause == alerts::ClearCause::back_in_range);
    CHECK(x.at.wall == a.at.wall);
    CHECK(x.at.mono == a.at.mono);
    CHECK(back->notification.transitions[1].kind == alerts::AlarmKind::technical);
    CHECK_FALSE(back->notification.transitions[1].active);

    CHECK_FALSE(decode_record("{}"));
    CHECK_FALSE(decode_record("not json"));
    auto bad = encode_record(r);
    bad.replace(bad.find("escalated"), 9, "exploded!");
    CHECK_FALSE(decode_record(bad));
}
