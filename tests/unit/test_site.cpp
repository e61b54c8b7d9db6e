// Many sites on one broker (docs/high-availability.md, "Many sites"): the site id, chair
// patterns, ids that carry the site, the `site:` configuration and the subscriptions it gives.
#include <doctest/doctest.h>

#include <string>

#include "alerts/clinic.hpp"
#include "alerts/site.hpp"
#include "config/config.hpp"
#include "config_text.hpp"
#include "daemon/subscriptions.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AckResult;
using alerts::ClinicEvent;
using alerts::Signal;

namespace {

const std::string& base = minimal_config;

config::Config load(const std::string& text) {
    auto r = config::load_config_text(text, "t.yaml");
    for (const auto& e : r.errors)
        INFO(e.format());
    REQUIRE(r.config);
    return *r.config;
}

std::vector<std::string> filters(const config::Config& c) {
    std::vector<std::string> out;
    for (const auto& s : daemon::chair_subscriptions(c))
        out.push_back(s.filter);
    return out;
}

// The first alarm a reading of SBP 200 raises on `chair` of a clinic of `cfg`.
struct Site {
    explicit Site(const config::Config& cfg)
        : clinic(cfg.clinic_profiles(), cfg.clinic_settings()) {}
    const alerts::Session& surge(const std::string& chair, Millis t) {
        clinic.on_reading(chair, {Signal::sbp, 200, at(t).wall}, at(t), events);
        clinic.on_tick(at(t), events);
        REQUIRE(clinic.session(chair));
        return *clinic.session(chair);
    }
    std::uint32_t first_alarm() const {
        for (const auto& e : events)
            if (e.type == ClinicEvent::Type::alarm) return e.alarm.alarm_no;
        FAIL("no alarm");
        return 0;
    }
    alerts::Clinic clinic;
    std::vector<ClinicEvent> events;
};

}  // namespace

TEST_CASE("site ids: short, lower-case letters, digits and inner dashes") {
    for (const char* ok : {"north", "a", "site-7", "0", "abcdefghijklmnop"})
        CHECK_MESSAGE(alerts::valid_site_id(ok), ok);
    for (const char* bad :
         {"", "North", "site_7", "-a", "a-", "a:b", "a/b", "abcdefghijklmnopq", "a b"})
        CHECK_FALSE_MESSAGE(alerts::valid_site_id(bad), bad);
}

TEST_CASE("chair patterns: '*' any run, '?' one character, the whole name") {
    using alerts::glob_match;
    CHECK(glob_match("chair-7", "chair-7"));
    CHECK_FALSE(glob_match("chair-7", "chair-70"));
    CHECK_FALSE(glob_match("chair-7", "chair-"));
    CHECK(glob_match("chair-*", "chair-7"));
    CHECK(glob_match("chair-*", "chair-"));
    CHECK_FALSE(glob_match("chair-*", "lab-1"));
    CHECK(glob_match("*-7", "north-chair-7"));
    CHECK_FALSE(glob_match("*-7", "north-chair-70"));
    CHECK(glob_match("c?-1", "c4-1"));
    CHECK_FALSE(glob_match("c?-1", "c-1"));
    CHECK(glob_match("*", ""));
    CHECK(glob_match("a*b*c", "a-b-x-c"));
    CHECK(glob_match("a*b*c", "abbbc"));
    CHECK_FALSE(glob_match("a*b*c", "a-c-b"));
    CHECK(glob_match("**x", "yyx"));
    CHECK_FALSE(glob_match("", "x"));

    alerts::ChairSet all;
    CHECK(all.everything());
    CHECK(all.owns("anything"));
    CHECK_FALSE(all.literal());
    alerts::ChairSet north{{"n-*", "lab-2"}};
    CHECK(north.owns("n-1"));
    CHECK(north.owns("lab-2"));
    CHECK_FALSE(north.owns("lab-1"));
    CHECK_FALSE(north.owns("s-1"));
    CHECK_FALSE(north.literal());
    CHECK(alerts::ChairSet{{"w-1", "w-2"}}.literal());
}

TEST_CASE("alert ids with a site: formed and parsed; without one they stay as they were") {
    alerts::Session s;
    s.chair = "chair-7";
    s.id = "IV-7";
    CHECK(s.alert_id(3) == "chair-7:IV-7:a3");
    s.site = "north";
    CHECK(s.alert_id(3) == "north:chair-7:IV-7:a3");

    const auto sited = alerts::parse_alert_id("north:chair-7:IV-7:a3");
    REQUIRE(sited);
    CHECK(sited->site == "north");
    CHECK(sited->chair == "chair-7");
    CHECK(sited->session_id == "IV-7");
    CHECK(sited->alarm_no == 3);
    const auto plain = alerts::parse_alert_id("chair-7:IV-7:a3");
    REQUIRE(plain);
    CHECK(plain->site.empty());
    CHECK(plain->chair == "chair-7");
    for (const char* bad : {":chair-7:IV-7:a3", "n:chair-7::a3", "x:n:chair-7:IV-7:a3",
                            "north:chair-7:IV-7:a0", "north:chair-7:IV-7:"})
        CHECK_FALSE_MESSAGE(alerts::parse_alert_id(bad), bad);

    const alerts::Instant start{0s, Millis(1'796'000'000'000)};  // 2026-11-30T00:53:20Z
    CHECK(alerts::make_session_id("chair-7", start) == "chair-7-20261130T005320Z");
    CHECK(alerts::make_session_id("chair-7", start, "north") == "north-chair-7-20261130T005320Z");
}

TEST_CASE("a clinic with a site: its ids carry it; acknowledgements by those ids only") {
    const auto cfg = load(base + "site: {id: north}\n");
    Site north(cfg);
    const auto& s = north.surge("chair-7", 0s);
    CHECK(s.site == "north");
    CHECK(s.id.rfind("north-chair-7-", 0) == 0);
    const auto id = s.alert_id(north.first_alarm());
    CHECK(id.rfind("north:chair-7:north-chair-7-", 0) == 0);

    // The same chair at a site without one, and at another site: different ids.
    Site plain(load(base));
    const auto& p = plain.surge("chair-7", 0s);
    CHECK(p.alert_id(plain.first_alarm()).rfind("chair-7:chair-7-", 0) == 0);
    Site south(load(base + "site: {id: south}\n"));
    const auto& q = south.surge("chair-7", 0s);
    CHECK(q.alert_id(south.first_alarm()) != id);

    std::vector<ClinicEvent> out;
    const auto unsited = id.substr(std::string("north:").size());
    CHECK(north.clinic.acknowledge("chair-7", unsited, "n", at(1s), out) == AckResult::other_site);
    CHECK(north.clinic.acknowledge("chair-7", "south" + id.substr(5), "n", at(1s), out) ==
          AckResult::other_site);
    CHECK(out.empty());
    CHECK(north.clinic.acknowledge("chair-7", id, "nurse-1", at(1s), out) == AckResult::ok);
    CHECK(plain.clinic.acknowledge("chair-7", id, "n", at(1s), out) == AckResult::other_site);
}

TEST_CASE("site configuration: id and chairs, each error with its line and column") {
    const auto c = load(base + "site:\n  id: north\n  chairs: [\"n-*\", lab-2]\n");
    CHECK(c.site.id == "north");
    CHECK(c.site.chairs.patterns == std::vector<std::string>{"n-*", "lab-2"});
    CHECK(c.clinic_settings().site == "north");
    CHECK(c.broker.status_topic == "clinic/chairwatchd/north/status");
    CHECK(load(base).broker.status_topic == "clinic/chairwatchd/status");
    CHECK(load(base).site.chairs.everything());

    const std::pair<const char*, const char*> errors[] = {
        {"site: {id: North_1}\n",
         "t.yaml:10:12: site.id: 'North_1' must be 1 to 16 of a-z, 0-9 and '-', not starting or "
         "ending with '-'"},
        {"site:\n  chairs: [n-*]\n", "t.yaml:11:3: site.id: missing"},
        {"site:\n  id: n\n  chairs: n-*\n",
         "t.yaml:12:11: site.chairs: must be a non-empty list of chair ids or patterns (e.g. "
         "[\"north-*\"])"},
        {"site:\n  id: n\n  chairs: [n-1, \"n/2\"]\n",
         "t.yaml:12:17: site.chairs[1]: 'n/2' must be 1 to 64 of A-Z a-z 0-9 - _ . with '*' or "
         "'?' as wildcards"},
        {"site: {id: n, zone: 3}\n",
         "t.yaml:10:15: unknown key 'site.zone' (known here: id, chairs)"},
        {"site: {id: n, chairs: [n-*]}\nchairs:\n  s-1: {profile: p}\n",
         "t.yaml:12:3: chairs.s-1: not one of this site's chairs (site.chairs): this instance "
         "never "
         "takes its messages"},
    };
    for (const auto& [text, error] : errors)
        CHECK(only_error(base + text) == error);
}

TEST_CASE("subscriptions: exactly the named chairs, or every chair when a pattern has wildcards") {
    CHECK(filters(load(base + "site: {id: w, chairs: [w-1, w-2]}\n")) ==
          std::vector<std::string>{"clinic/w-1/vitals/#", "clinic/w-1/session",
                                   "clinic/w-1/alerts/ack", "clinic/w-1/monitor",
                                   "clinic/w-2/vitals/#", "clinic/w-2/session",
                                   "clinic/w-2/alerts/ack", "clinic/w-2/monitor"});
    for (const auto* text : {"site: {id: e, chairs: [e-*, w-1]}\n", "site: {id: e}\n", ""})
        CHECK(filters(load(base + text)) ==
              std::vector<std::string>{"clinic/+/vitals/#", "clinic/+/session",
                                       "clinic/+/alerts/ack", "clinic/+/monitor"});
}
