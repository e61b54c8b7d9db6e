#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "config_text.hpp"

using namespace chairwatch;
using config::load_config_text;

namespace {

const std::string base = test::minimal_config_with_broker("  queue_dir: /var/lib/cw/queue\n");

config::LoadResult load(const std::string& notifications) {
    return load_config_text(base + "notifications:\n" + notifications, "t.yaml");
}

std::string errors_of(const config::LoadResult& r) {
    std::string out;
    for (const auto& e : r.errors)
        out += e.format() + "\n";
    return out;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

const std::string receivers = R"(  receivers:
    pager:
      type: webhook
      url: https://push.example/chairwatch
      timeout_s: 3
      headers: {X-Title: chairwatch}
    ward:
      type: acm
      host: am.example
      port: 2575
      sending_facility: CLINIC
      patient_id: none
)";

}  // namespace

TEST_CASE("notifications: absent means no receivers, and the outbox sits beside the MQTT one") {
    auto r = load_config_text(base, "t.yaml");
    REQUIRE(r.config);
    CHECK_FALSE(r.config->notifications.enabled());
    CHECK(r.config->notifications.outbox_dir == "/var/lib/cw/notify");
    CHECK(r.config->notifications.group_window == std::chrono::seconds(2));
    CHECK(r.config->notifications.retry_first == std::chrono::seconds(1));
    CHECK(r.config->notifications.retry_max == std::chrono::seconds(60));
    CHECK(r.config->notifications.fail_after == std::chrono::seconds(60));
}

TEST_CASE("notifications: receivers, groups, routes and timing are read") {
    auto r = load(receivers + R"(  chair_groups:
    east: [chair-01, chair-02]
  routes:
    - name: high-east
      match: {chair_groups: [east], priorities: [high], states: [raised, escalated], kinds: [physiological]}
      receivers: [pager]
      escalate_to: [ward]
      fallback: ward
      continue: true
    - match: {conditions: [spo2_low]}
      receivers: [ward]
  default_route: {receivers: [pager]}
  group_window_s: 0.5
  retry: {first_s: 2, max_s: 30}
  fail_after_s: 10
  outbox_dir: /tmp/nb
  acm_status_listener: {address: 0.0.0.0, port: 2576}
)");
    INFO(errors_of(r));
    REQUIRE(r.config);
    const auto& n = r.config->notifications;
    REQUIRE(n.receivers.size() == 2);
    const auto& pager = n.receivers.at("pager");
    CHECK(pager.type == config::Receiver::Type::webhook);
    CHECK(pager.webhook.url == "https://push.example/chairwatch");
    CHECK(pager.webhook.timeout == std::chrono::seconds(3));
    CHECK(pager.webhook.tls_verify);
    REQUIRE(pager.webhook.headers.size() == 1);
    CHECK(pager.webhook.headers[0].first == "X-Title");
    const auto& ward = n.receivers.at("ward");
    CHECK(ward.type == config::Receiver::Type::acm);
    CHECK(ward.acm.host == "am.example");
    CHECK(ward.acm.port == 2575);
    CHECK(ward.acm.sending_facility == "CLINIC");
    CHECK(ward.acm.sending_application == "CHAIRWATCH");
    CHECK_FALSE(ward.acm.patient_pseudonym);
    REQUIRE(n.routes.size() == 2);
    CHECK(n.routes[0].name == "high-east");
    CHECK(n.routes[0].match.chair_groups == std::vector<std::string>{"east"});
    CHECK(n.routes[0].match.priorities == std::vector{alerts::Priority::high});
    CHECK(n.routes[0].match.states.size() == 2);
    CHECK(n.routes[0].escalate_to == std::vector<std::string>{"ward"});
    CHECK(n.routes[0].fallback == "ward");
    CHECK(n.routes[0].continue_matching);
    CHECK(n.routes[1].name == "routes[1]");
    REQUIRE(n.default_route);
    CHECK(n.default_route->receivers == std::vector<std::string>{"pager"});
    CHECK(n.group_window == std::chrono::milliseconds(500));
    CHECK(n.retry_first == std::chrono::seconds(2));
    CHECK(n.retry_max == std::chrono::seconds(30));
    CHECK(n.fail_after == std::chrono::seconds(10));
    CHECK(n.outbox_dir == "/tmp/nb");
    REQUIRE(n.acm_status_listener);
    CHECK(n.acm_status_listener->port == 2576);
    CHECK(n.chair_groups.at("east").size() == 2);
}

TEST_CASE("notifications: a route naming an unknown receiver is an error naming both") {
    auto r = load(receivers + R"(  routes:
    - name: night
      receivers: [pager, charge-nurse]
)");
    CHECK_FALSE(r.config);
    const auto e = errors_of(r);
    CHECK(contains(e, "t.yaml:"));
    CHECK(contains(e, "route 'night': receivers names receiver 'charge-nurse'"));
    auto f = load(receivers + "  default_route: {receivers: [pager], fallback: sms}\n");
    CHECK(contains(errors_of(f), "route 'default_route': fallback names receiver 'sms'"));
    auto g = load(receivers + "  routes:\n    - {receivers: [pager], escalate_to: [boss]}\n");
    CHECK(contains(errors_of(g), "route 'routes[0]': escalate_to names receiver 'boss'"));
}

TEST_CASE("notifications: mistakes are reported with their place") {
    const auto one = [](const std::string& text) {
        auto r = load(text);
        CHECK_FALSE(r.config);
        return errors_of(r);
    };
    CHECK(contains(one(receivers + "  colour: red\n  default_route: {receivers: [pager]}\n"),
                   "unknown key 'notifications.colour'"));
    CHECK(contains(one("  receivers:\n    x: {type: pigeon}\n"),
                   "notifications.receivers.x.type: 'pigeon' is not one of webhook, acm"));
    CHECK(contains(one("  receivers:\n    x: {type: webhook, url: ftp://a}\n"
                       "  default_route: {receivers: [x]}\n"),
                   "t.yaml:13:29: notifications.receivers.x.url: 'ftp://a' is not an http"));
    CHECK(contains(one("  receivers:\n    x: {type: webhook, url: http://a, secret_file: "
                       "/nonexistent/secret}\n  default_route: {receivers: [x]}\n"),
                   "cannot read a secret from '/nonexistent/secret'"));
    CHECK(contains(
        one("  receivers:\n    x: {type: acm, host: h}\n  default_route: {receivers: [x]}\n"),
        "notifications.receivers.x.port: missing"));
    CHECK(
        contains(one("  receivers:\n    x: {type: acm, host: h, port: 1, sending_facility: 'a|b'}\n"
                     "  default_route: {receivers: [x]}\n"),
                 "HL7 delimiter"));
    CHECK(contains(
        one(receivers + "  routes:\n    - {receivers: [pager], match: {priorities: [urgent]}}\n"),
        "'urgent' is not one of low, medium, high"));
    CHECK(contains(
        one(receivers + "  routes:\n    - {receivers: [pager], match: {chair_groups: [west]}}\n"),
        "chair group 'west' is not under notifications.chair_groups"));
    CHECK(contains(one(receivers), "receivers but no routes and no default_route"));
    CHECK(contains(one(receivers +
                       "  default_route: {receivers: [pager]}\n  retry: {first_s: 10, max_s: 5}\n"),
                   "max_s must not be below first_s"));
    CHECK(contains(one(receivers + "  default_route: {receivers: [pager], continue: true}\n"),
                   "unknown key 'notifications.default_route.continue'"));
}

TEST_CASE("notifications: the secret is the first line of its file") {
    const std::string path = "/tmp/chairwatch_test_notify_secret";
    std::ofstream(path) << "s3cret  \nsecond line\n";
    auto r = load("  receivers:\n    x: {type: webhook, url: http://a/b, secret_file: " + path +
                  "}\n  default_route: {receivers: [x]}\n");
    std::remove(path.c_str());
    INFO(errors_of(r));
    REQUIRE(r.config);
    CHECK(r.config->notifications.receivers.at("x").webhook.secret == "s3cret");
}
