// The webhook body, its signature and the URLs a webhook receiver may have.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "alerts/monitor_link.hpp"
#include "drivers/notify/webhook.hpp"
#include "drivers/notify/webhook_body.hpp"

using namespace chairwatch;
using namespace chairwatch::drivers::notify;

TEST_CASE("Webhook body: the documented fields, one entry per transition") {
    Notification n;
    n.key = "chair-03:s1:a4/raised/1795545660500+1";
    n.chair = "chair-03";
    n.session_id = "s1";
    for (const char* condition : {"sbp_high", "dbp_high"}) {
        alerts::AlarmTransition t;
        t.alarm_no = condition[0] == 's' ? 4 : 5;
        t.condition = condition;
        t.priority = alerts::Priority::high;
        t.signal = condition[0] == 's' ? alerts::Signal::sbp : alerts::Signal::dbp;
        t.value = 192.25;
        t.limit = 180;
        t.onset.wall = alerts::Millis{1795545660500};
        t.at.wall = alerts::Millis{1795545660500};
        n.transitions.push_back(t);
        n.texts.push_back(std::string("Chair 3: ") + condition);
    }
    n.transitions[1].state = alerts::AlarmState::acknowledged;
    n.transitions[1].acknowledged = true;
    n.transitions[1].acknowledged_by = "nurse-ann";

    const auto v = boost::json::parse(webhook_body(n)).as_object();
    CHECK(v.at("key").as_string() == n.key);
    CHECK(v.at("chair").as_string() == "chair-03");
    CHECK(v.at("session_id").as_string() == "s1");
    CHECK(v.at("test").as_bool() == false);
    CHECK(v.at("summary").as_string() == "Chair 3: sbp_high\nChair 3: dbp_high");
    const auto& ts = v.at("transitions").as_array();
    REQUIRE(ts.size() == 2);
    const auto& a = ts[0].as_object();
    CHECK(a.at("alert_id").as_string() == "chair-03:s1:a4");
    CHECK(a.at("condition").as_string() == "sbp_high");
    CHECK(a.at("state").as_string() == "raised");
    CHECK(a.at("priority").as_string() == "high");
    CHECK(a.at("kind").as_string() == "physiological");
    CHECK(a.at("signal").as_string() == "sbp");
    CHECK(a.at("value").to_number<double>() == doctest::Approx(192.3));
    CHECK(a.at("limit").as_int64() == 180);
    CHECK(a.at("unit").as_string() == "mmHg");
    CHECK(a.at("onset").as_string() == "2026-11-24T18:41:00.500Z");
    CHECK(a.at("at").as_string() == "2026-11-24T18:41:00.500Z");
    CHECK(a.at("text").as_string() == "Chair 3: sbp_high");
    CHECK_FALSE(a.contains("acknowledged_by"));
    CHECK(ts[1].as_object().at("alert_id").as_string() == "chair-03:s1:a5");
    CHECK(ts[1].as_object().at("acknowledged_by").as_string() == "nurse-ann");
}

TEST_CASE("Webhook body: chairwatchd's own technical alarm names no measurement") {
    Notification n;
    n.chair = "chairwatchd";
    n.session_id = "run-1764535117";
    alerts::AlarmTransition t;
    t.alarm_no = 2;
    t.kind = alerts::AlarmKind::technical;
    t.condition = "notification_failed";
    t.priority = alerts::Priority::medium;
    n.transitions.push_back(t);
    n.texts.push_back("pagers may not ring");
    const auto v = boost::json::parse(webhook_body(n)).as_object();
    const auto& a = v.at("transitions").as_array().at(0).as_object();
    CHECK(a.at("alert_id").as_string() == "chairwatchd:run-1764535117:a2");
    CHECK(a.at("kind").as_string() == "technical");
    for (const char* key : {"signal", "value", "limit", "unit"})
        CHECK_FALSE(a.contains(key));
}

TEST_CASE(
    "Webhook body: a feed names its signal, a lost monitor link its seconds, a notice nothing") {
    Notification n;
    n.chair = "chair-02";
    n.session_id = "s2";
    alerts::AlarmTransition feed;  // the HR feed silent for 31 s
    feed.condition = "hr_feed_lost";
    feed.kind = alerts::AlarmKind::technical;
    feed.feed = true;
    feed.signal = alerts::Signal::hr;
    feed.value = 31;
    feed.limit = 30;
    alerts::AlarmTransition link;  // the monitor offline for 16 s (its signal field unset)
    link.condition = std::string(alerts::monitor_link_lost);
    link.kind = alerts::AlarmKind::technical;
    link.text_hint = alerts::monitor_link_text;
    link.value = 16;
    link.limit = 15;
    alerts::AlarmTransition flood;  // a notice
    flood.condition = "message_flood";
    flood.kind = alerts::AlarmKind::technical;
    flood.text_hint = "its excess is dropped unread";
    flood.signal = alerts::Signal::sbp;
    n.transitions = {feed, link, flood};
    n.texts = {"feed", "link", "flood"};
    const auto v = boost::json::parse(webhook_body(n)).as_object();
    const auto& ts = v.at("transitions").as_array();
    REQUIRE(ts.size() == 3);
    const auto& f = ts[0].as_object();
    CHECK(f.at("signal").as_string() == "hr");
    CHECK(f.at("value").to_number<double>() == 31);
    CHECK(f.at("unit").as_string() == "s");
    const auto& l = ts[1].as_object();
    CHECK_FALSE(l.contains("signal"));
    CHECK(l.at("value").to_number<double>() == 16);
    CHECK(l.at("limit").to_number<double>() == 15);
    CHECK(l.at("unit").as_string() == "s");
    const auto& m = ts[2].as_object();
    for (const char* key : {"signal", "value", "limit", "unit"})
        CHECK_FALSE(m.contains(key));
}

TEST_CASE("Webhook signature: HMAC-SHA256 in lower-case hex (RFC 4231 test case 2)") {
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("Webhook URLs") {
    std::string error;
    auto u = parse_webhook_url("https://push.example.org/hooks/ward?x=1", error);
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "push.example.org");
    CHECK(u->port == "443");
    CHECK(u->target == "/hooks/ward?x=1");
    u = parse_webhook_url("http://127.0.0.1:8080", error);
    REQUIRE(u);
    CHECK_FALSE(u->tls);
    CHECK(u->port == "8080");
    CHECK(u->target == "/");
    u = parse_webhook_url("http://[::1]:9/x", error);
    REQUIRE(u);
    CHECK(u->host == "::1");
    CHECK(u->port == "9");
    CHECK_FALSE(parse_webhook_url("ftp://x", error));
    CHECK_FALSE(parse_webhook_url("http://:80/", error));
    CHECK_FALSE(parse_webhook_url("http://h:99999/", error));
    CHECK_FALSE(parse_webhook_url("http://user:pw@h/", error));
    CHECK(format_seconds(std::chrono::milliseconds(5000)) == "5 s");
    CHECK(format_seconds(std::chrono::milliseconds(2500)) == "2.5 s");
}
