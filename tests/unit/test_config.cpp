#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "config_text.hpp"
#include "daemon/open_files.hpp"

using namespace chairwatch;
using config::load_config_text;

namespace {

const std::string& minimal = test::minimal_config;
using test::only_error;

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the shipped configuration loads and follows the reference defaults") {
    auto r = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    for (const auto& e : r.errors)
        INFO(e.format());
    REQUIRE(r.config);
    const auto& c = *r.config;
    CHECK(c.broker.topic_prefix == "clinic");
    CHECK(c.broker.status_topic == "clinic/chairwatchd/status");
    CHECK(c.input.max_payload_bytes == 4096);
    const auto p = c.profile();
    REQUIRE(p);
    CHECK(p->name == "iv-ketamine");
    CHECK(p->route == "iv");
    CHECK(c.profiles.size() == 4);
    for (const char* route : {"iv-ketamine", "im-ketamine", "intranasal-esketamine"})
        CHECK(c.profiles.count(route) == 1);
    CHECK(c.profiles.at("intranasal-esketamine")->discharge.min_observation ==
          std::chrono::hours(2));
    CHECK(p->latches(alerts::Priority::high));
    CHECK_FALSE(p->latches(alerts::Priority::low));
    CHECK(p->escalation[2].after == std::chrono::seconds(60));
    const alerts::Rule* sbp = nullptr;
    for (const auto& rule : p->rules)
        if (rule.condition == "sbp_high") sbp = &rule;
    REQUIRE(sbp);
    REQUIRE(sbp->tiers.size() == 4);
    CHECK(sbp->tiers[0].limit == 160);
    CHECK(sbp->tiers[0].priority == alerts::Priority::low);
    CHECK(sbp->tiers[2].consecutive == 2);
    CHECK(sbp->tiers[2].within == std::chrono::seconds(600));
    REQUIRE(sbp->tiers[2].or_limit);  // tier 3 counts SBP or DBP over the measurement
    CHECK(sbp->tiers[2].or_limit->limit == 110);
    CHECK(sbp->tiers[3].limit == 200);
    CHECK(sbp->margin_for(alerts::Signal::sbp) == 10);
    CHECK(sbp->margin_for(alerts::Signal::dbp) == 5);
    CHECK(p->feeds.size() == 5);   // hr, spo2, rr, etco2, bp_overdue
    CHECK(p->rules.size() == 12);  // with rr_low, rr_high
}

TEST_CASE("a minimal configuration gets the documented defaults") {
    auto r = load_config_text(minimal, "t.yaml");
    REQUIRE(r.config);
    CHECK(r.config->default_profile == "p");
    CHECK(r.config->broker.client_id == "chairwatchd");
    CHECK(r.config->broker.qos == 1);
    CHECK(r.config->sessions.idle_end == std::chrono::minutes(30));
    CHECK(r.config->input.max_chairs == 256);
    CHECK(r.config->broker.separate_publisher);
    CHECK(r.config->broker.mqtt_version == 5);
    CHECK(r.config->broker.session_expiry_s == 86400);
}

TEST_CASE("the publishing connection can be shared with the receiving one") {
    auto text = minimal;
    text.replace(text.find("profiles:"), 0, "  separate_publisher: false\n");
    auto r = load_config_text(text, "t.yaml");
    REQUIRE(r.config);
    CHECK_FALSE(r.config->broker.separate_publisher);
    text.replace(text.find("false"), 5, "sometimes");
    CHECK(contains(only_error(text), "t.yaml:3:23: broker.separate_publisher"));
}

TEST_CASE("MQTT 3.1.1 is there for brokers without MQTT 5; the session expiry is set") {
    auto text = minimal;
    text.replace(text.find("profiles:"), 0, "  mqtt_version: 3.1.1\n  session_expiry_s: 600\n");
    auto r = load_config_text(text, "t.yaml");
    REQUIRE(r.config);
    CHECK(r.config->broker.mqtt_version == 4);
    CHECK(r.config->broker.session_expiry_s == 600);
    auto five = text;
    five.replace(five.find("3.1.1"), 5, "5");
    REQUIRE(load_config_text(five, "t.yaml").config);
    CHECK(load_config_text(five, "t.yaml").config->broker.mqtt_version == 5);
    auto four = text;
    four.replace(four.find("3.1.1"), 5, "4");
    CHECK(contains(only_error(four), "t.yaml:3:17: broker.mqtt_version: '4' is not 5 or 3.1.1"));
    auto negative = text;
    negative.replace(negative.find("600"), 3, "-1");
    CHECK(contains(only_error(negative), "t.yaml:4:21: broker.session_expiry_s"));
}

TEST_CASE("command-line overrides win over the file") {
    config::Overrides o;
    o.broker_uri = "tcp://10.0.0.5:1883";
    o.log_dir = "/tmp/x";
    auto r = load_config_text(minimal, "t.yaml", o);
    REQUIRE(r.config);
    CHECK(r.config->broker.uri == "tcp://10.0.0.5:1883");
    CHECK(r.config->sessions.log_dir == "/tmp/x");
}

TEST_CASE("config errors name file, line, column and what is wrong") {
    SUBCASE("unknown key") {
        auto e = only_error(minimal + "colour: blue\n");
        CHECK(contains(e, "t.yaml:10:1: unknown key 'colour'"));
    }
    SUBCASE("unknown nested key") {
        auto text = minimal;
        text.replace(text.find("  uri:"), 0, "  urii: x\n");
        auto e = only_error(text);
        CHECK(contains(e, "t.yaml:2:3: unknown key 'broker.urii'"));
    }
    SUBCASE("wrong type") {
        auto e = only_error(minimal + "input:\n  max_chairs: many\n");
        CHECK(contains(e, "t.yaml:11:15: input.max_chairs: expected a whole number, got 'many'"));
    }
    SUBCASE("limit outside the physiological range") {
        auto text = minimal;
        text.replace(text.find("180"), 3, "400");
        auto e = only_error(text);
        CHECK(contains(e, "t.yaml:9:27: "));
        CHECK(contains(e, "400 is outside the physiological range of sbp (40-270 mmHg)"));
    }
    SUBCASE("low limit above high limit") {
        auto e = only_error(minimal + R"(      sbp_low:
        signal: sbp
        tiers:
          - {at_or_below: 190, priority: high}
)");
        CHECK(contains(e, "t.yaml:13:27: "));
        CHECK(contains(e, "low limit 190 is not below the high limit 180"));
    }
    SUBCASE("missing broker URI") {
        auto text = minimal;
        text.replace(text.find("  uri: tcp://127.0.0.1:1883\n"), 28, "  qos: 1\n");
        auto e = only_error(text);
        CHECK(contains(e, "broker.uri: missing"));
    }
    SUBCASE("bad broker URI") {
        auto text = minimal;
        text.replace(text.find("tcp://"), 6, "http://");
        CHECK(contains(only_error(text),
                       "t.yaml:2:8: broker.uri: 'http://127.0.0.1:1883' is not an MQTT URI"));
    }
    SUBCASE("unknown priority") {
        auto text = minimal;
        text.replace(text.find("medium"), 6, "urgent");
        CHECK(contains(only_error(text), "'urgent' is not one of low, medium, high"));
    }
    SUBCASE("unknown signal") {
        auto text = minimal;
        text.replace(text.find("signal: sbp"), 11, "signal: bp");
        CHECK(contains(only_error(text),
                       "t.yaml:7:17: profiles.p.rules.sbp_high.signal: 'bp' is not one of"));
    }
    SUBCASE("a tier without a limit") {
        auto text = minimal;
        text.replace(text.find("at_or_above: 180, "), 18, "");
        CHECK(contains(only_error(text),
                       "needs exactly one of above, at_or_above, below, at_or_below"));
    }
    SUBCASE("mixed directions in one rule") {
        auto e = only_error(minimal + "          - {below: 90, priority: low}\n");
        CHECK(contains(e, "all tiers of a rule must be upper limits or all lower limits"));
    }
    SUBCASE("counting readings on a streamed signal") {
        auto text = minimal;
        text.replace(text.find("signal: sbp"), 11, "signal: hr ");
        text.replace(text.find("180, priority: medium"), 21, "150, priority: high, consecutive: 2");
        CHECK(contains(only_error(text), "counting readings is only for cuff signals"));
    }
    SUBCASE("out-of-range setting") {
        CHECK(contains(only_error(minimal + "broker_x: 1\n"), "unknown key 'broker_x'"));
        CHECK(contains(only_error(minimal + "sessions:\n  idle_end_s: -5\n"),
                       "sessions.idle_end_s: -5 is out of range"));
    }
    SUBCASE("unknown default profile") {
        CHECK(contains(only_error(minimal + "default_profile: q\n"),
                       "default_profile: no profile named 'q'"));
    }
    SUBCASE("YAML syntax error") {
        CHECK(contains(only_error("broker: [\n"), "t.yaml:2:1: YAML syntax"));
    }
    SUBCASE("no profiles at all") {
        CHECK(contains(only_error("broker:\n  uri: tcp://h:1\n"), "profiles: missing"));
    }
    SUBCASE("more limits in a rule than a chair keeps") {
        std::string text = minimal;
        for (int i = 0; i < 16; ++i)
            text += "          - {at_or_above: " + std::to_string(181 + i) + ", priority: high}\n";
        CHECK(contains(only_error(text),
                       "t.yaml:9:11: profiles.p.rules.sbp_high.tiers: 17 limits; a rule has at "
                       "most 16"));
    }
    SUBCASE("more rules in a profile than a chair keeps") {
        std::string text = minimal;
        for (int i = 0; i < 64; ++i)
            text += "      r" + std::to_string(i) +
                    ":\n        signal: hr\n        tiers: [{above: 150, priority: high}]\n";
        CHECK(contains(only_error(text),
                       "t.yaml:199:7: profiles.p.rules: more than 64 rules in one profile"));
    }
    SUBCASE("feed tiers out of order") {
        auto e = only_error(minimal + R"(    feeds:
      hr_feed_lost:
        signals: [hr]
        tiers:
          - {after_s: 30, priority: medium}
          - {after_s: 10, priority: low}
)");
        CHECK(contains(e, "t.yaml:15:23: "));
        CHECK(contains(e, "increasing order of after_s"));
    }
}

TEST_CASE("every problem is reported, not just the first") {
    auto text = minimal + "colour: blue\ninput:\n  max_chairs: many\n";
    auto r = load_config_text(text, "t.yaml");
    CHECK(r.errors.size() == 2);
}

TEST_CASE("a file that cannot be read is an error with its name") {
    auto r = config::load_config_file("/nonexistent/chairwatch.yaml");
    REQUIRE(r.errors.size() == 1);
    CHECK(contains(r.errors[0].format(), "/nonexistent/chairwatch.yaml:1:1: cannot open"));
}

TEST_CASE("a key given twice is an error at both places, at any depth") {
    SUBCASE("a limit twice in one tier") {
        auto text = minimal;
        text.replace(text.find("{at_or_above: 180, "), 19, "{at_or_above: 180, at_or_above: 150, ");
        CHECK(only_error(text) ==
              "t.yaml:9:32: duplicate key 'profiles.p.rules.sbp_high.tiers[0].at_or_above' (first "
              "at t.yaml:9:14): give each key once");
    }
    SUBCASE("a rule twice in one profile") {
        auto e = only_error(minimal + R"(      sbp_high:
        signal: sbp
        tiers:
          - {at_or_above: 150, priority: high}
)");
        CHECK(e ==
              "t.yaml:10:7: duplicate key 'profiles.p.rules.sbp_high' (first at t.yaml:6:7): give "
              "each key once");
    }
    SUBCASE("a setting twice, and a section twice") {
        auto r = load_config_text(minimal + "input:\n  max_chairs: 8\n  max_chairs: 300\n" +
                                      "broker:\n  uri: tcp://10.0.0.9:1883\n",
                                  "t.yaml");
        CHECK_FALSE(r.config);
        std::string all;
        for (const auto& e : r.errors)
            all += e.format() + "\n";
        CHECK(
            contains(all, "t.yaml:12:3: duplicate key 'input.max_chairs' (first at t.yaml:11:3)"));
        CHECK(contains(all, "t.yaml:13:1: duplicate key 'broker' (first at t.yaml:1:1)"));
    }
    SUBCASE("an alias is checked once, and equal keys in different mappings are fine") {
        auto r = load_config_text(minimal + R"(      hr_high:
        signal: hr
        tiers: &t
          - {above: 150, priority: high}
      hr_high_2:
        signal: hr
        tiers: *t
)",
                                  "t.yaml");
        for (const auto& e : r.errors)
            INFO(e.format());
        CHECK(r.config);
    }
}

TEST_CASE("open files: the board and a reserve first, session logs get the rest up to max_chairs") {
    auto loaded = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(loaded.config);
    auto cfg = *loaded.config;
    const auto plan = daemon::plan_open_files(cfg, 1024);
    REQUIRE(std::holds_alternative<daemon::OpenFiles>(plan));
    CHECK(std::get<daemon::OpenFiles>(plan).session_logs == 256);  // max_chairs
    cfg.input.max_chairs = 5000;
    CHECK(std::get<daemon::OpenFiles>(daemon::plan_open_files(cfg, 1024)).session_logs ==
          1024 - 64 - 129);
    const auto refused = daemon::plan_open_files(cfg, 208);  // 64 + 129 + 16 = 209 needed
    REQUIRE(std::holds_alternative<std::string>(refused));
    CHECK(std::get<std::string>(refused).find("needs at least 209") != std::string::npos);
    CHECK(std::holds_alternative<daemon::OpenFiles>(daemon::plan_open_files(cfg, 209)));
    cfg.http.port = 0;  // no board: nothing kept for it
    CHECK(std::get<daemon::OpenFiles>(daemon::plan_open_files(cfg, 200)).session_logs == 136);
}

TEST_CASE("input: how long an idle chair is kept, and how fast a chair may send") {
    auto shipped = config::load_config_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    REQUIRE(shipped.config);
    CHECK(shipped.config->input.forget_chair_after == std::chrono::seconds(3600));
    CHECK(shipped.config->input.max_messages_per_chair == 20);
    auto r = load_config_text(
        minimal + "input:\n  forget_chair_after_s: 120\n  max_messages_per_chair_s: 0\n", "t.yaml");
    for (const auto& e : r.errors)
        INFO(e.format());
    REQUIRE(r.config);
    CHECK(r.config->input.forget_chair_after == std::chrono::seconds(120));
    CHECK(r.config->clinic_settings().forget_chair_after == std::chrono::seconds(120));
    CHECK(r.config->clinic_settings().max_messages_per_s == 0);
    auto bad = load_config_text(minimal + "input:\n  max_messages_per_chair_s: 1.5\n", "t.yaml");
    CHECK_FALSE(bad.config);
}

TEST_CASE("records.patient_identifier_system takes an absolute URI and says where one is not") {
    auto r = load_config_text(minimal + "records:\n  patient_identifier_system: urn:oid:1.2.3.4\n",
                              "t.yaml");
    REQUIRE(r.config);
    CHECK(r.config->records.patient_identifier_system == "urn:oid:1.2.3.4");
    CHECK(load_config_text(minimal, "t.yaml").config->records.patient_identifier_system.empty());
    const auto e = only_error(minimal + "records:\n  patient_identifier_system: clinic mrn\n");
    CHECK(contains(e, "t.yaml:11:30: records.patient_identifier_system: 'clinic mrn'"));
    CHECK(contains(only_error(minimal + "records:\n  patient_system: x:y\n"),
                   "t.yaml:11:3: unknown key 'records.patient_system'"));
}

TEST_CASE("http.users_file: beside the config by default; named, it must be a valid file") {
    auto r = load_config_text(minimal, "/nonexistent/chairwatch/chairwatch.yaml");
    REQUIRE(r.config);
    CHECK(r.config->http.users_file == "/nonexistent/chairwatch/users");
    CHECK(r.config->http.login_timeout == std::chrono::hours(12));
    auto e = only_error(minimal + "http:\n  users_file: /nonexistent/users\n");
    CHECK(contains(e, "t.yaml:11:3: http.users_file: /nonexistent/users: cannot read"));
    e = only_error(minimal + "http:\n  login_timeout_min: 2\n");
    CHECK(contains(e, "t.yaml:11:22: http.login_timeout_min"));
    auto shift = load_config_text(minimal + "http:\n  login_timeout_min: 480\n", "t.yaml");
    REQUIRE(shift.config);
    CHECK(shift.config->http.login_timeout == std::chrono::hours(8));
    CHECK(shift.config->http.shift_hours == 12);
}

TEST_CASE("http.shift_hours: the handover's shift, 1 to 24 hours") {
    auto e = only_error(minimal + "http:\n  shift_hours: 0\n");
    CHECK(contains(e, "t.yaml:11:16: http.shift_hours"));
    e = only_error(minimal + "http:\n  shift_hours: 25\n");
    CHECK(contains(e, "t.yaml:11:16: http.shift_hours"));
    auto r = load_config_text(minimal + "http:\n  shift_hours: 8\n", "t.yaml");
    REQUIRE(r.config);
    CHECK(r.config->http.shift_hours == 8);
}
