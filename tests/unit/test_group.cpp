// A standby pair's pure parts: leadership from the leader topic's order, the standby's book of
// unconfirmed transitions, the group's messages, the `group` configuration.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "config_text.hpp"
#include "daemon/ha/group_messages.hpp"
#include "daemon/ha/leadership.hpp"
#include "daemon/ha/unconfirmed.hpp"

using namespace chairwatch;
using alerts::Millis;
using daemon::ha::Claim;
using daemon::ha::Leadership;

namespace {

constexpr Millis settle{1000};

// Both instances see every claim in the one order the broker delivers them.
void deliver(const Claim& c, Leadership& a, Leadership& b) {
    a.on_leader(c);
    b.on_leader(c);
}

}  // namespace

TEST_CASE("with no leader, an instance claims once settled; the other then stands by") {
    Leadership a("a", "r1", settle), b("b", "r2", settle);
    a.on_connected(Millis{0});
    b.on_connected(Millis{500});
    CHECK_FALSE(a.decide(Millis{900}));  // the retained messages may still be on their way
    const auto claim = a.decide(Millis{1000});
    REQUIRE(claim);
    CHECK(claim->instance == "a");
    CHECK(claim->term == 1);
    CHECK_FALSE(a.decide(Millis{1100}));  // not twice while it travels
    deliver(*claim, a, b);
    b.on_status("a", true, "r1");
    CHECK(a.active());
    CHECK_FALSE(b.active());
    CHECK_FALSE(b.decide(Millis{1500}));
    CHECK_FALSE(a.decide(Millis{1500}));
}

TEST_CASE("two claims of one term: the first in topic order wins on both; the winner re-asserts") {
    Leadership a("a", "r1", settle), b("b", "r2", settle);
    a.on_connected(Millis{0});
    b.on_connected(Millis{0});
    const auto ca = a.decide(Millis{1000});
    const auto cb = b.decide(Millis{1000});
    REQUIRE(ca);
    REQUIRE(cb);
    CHECK(ca->term == cb->term);
    a.on_status("b", true, "r2");
    b.on_status("a", true, "r1");
    deliver(*cb, a, b);  // b's came first
    deliver(*ca, a, b);  // a's is ignored, but it is the retained one now
    CHECK(b.active());
    CHECK_FALSE(a.active());
    CHECK_FALSE(a.decide(Millis{1100}));
    const auto again = b.decide(Millis{1100});
    REQUIRE(again);
    CHECK(again->instance == "b");
    CHECK(again->term == 2);
    deliver(*again, a, b);
    CHECK(b.active());
    CHECK(a.leader().instance == "b");
}

TEST_CASE("the active's last will: the standby claims the next term and the old one stands by") {
    Leadership a("a", "r1", settle), b("b", "r2", settle);
    a.on_connected(Millis{0});
    b.on_connected(Millis{0});
    deliver({"a", "r1", 4}, a, b);
    b.on_status("a", true, "r1");
    CHECK_FALSE(b.decide(Millis{5000}));
    b.on_status("a", false, "r1");  // the broker sent a's will
    const auto cb = b.decide(Millis{5001});
    REQUIRE(cb);
    CHECK(cb->term == 5);
    a.on_disconnected();
    deliver(*cb, a, b);
    CHECK(b.active());
    CHECK_FALSE(a.active());  // it learns at its reconnection, from the retained claim
    a.on_connected(Millis{9000});
    a.on_status("b", true, "r2");
    CHECK_FALSE(a.decide(Millis{10'000}));
}

TEST_CASE("a restarted leader is a new run: it is not active, and claims like anyone") {
    Leadership a2("a", "r3", settle), b("b", "r2", settle);
    a2.on_connected(Millis{0});
    b.on_connected(Millis{0});
    deliver({"a", "r1", 7}, a2, b);
    b.on_status("a", true, "r3");  // a's new run is online, the leader's run is not
    CHECK_FALSE(a2.active());
    const auto cb = b.decide(Millis{1000});
    REQUIRE(cb);
    CHECK(cb->term == 8);
}

TEST_CASE("a claim lost with the connection is made again; none while disconnected") {
    Leadership b("b", "r2", settle);
    b.on_connected(Millis{0});
    REQUIRE(b.decide(Millis{1000}));
    CHECK_FALSE(b.decide(Millis{2000}));
    b.on_disconnected();
    CHECK_FALSE(b.decide(Millis{9000}));
    b.on_connected(Millis{10'000});
    CHECK_FALSE(b.decide(Millis{10'500}));
    const auto again = b.decide(Millis{11'000});
    REQUIRE(again);
    CHECK(again->term == 1);
}

TEST_CASE("the standby's recent transitions: confirmed in order, with the active's time") {
    daemon::ha::Unconfirmed u;
    auto add = [&](std::string id, std::string state, long at) {
        daemon::ha::UnconfirmedAlert a;
        a.alert_id = std::move(id);
        a.state = std::move(state);
        a.at = Millis{at};
        a.transition.at.wall = Millis{1000 + at};
        u.add(std::move(a));
    };
    add("c1:s:a1", "raised", 0);
    add("c1:s:a1", "escalated", 10);
    add("c1:s:a1", "raised", 20);
    add("c1:s:a2", "raised", 30);
    CHECK(u.confirm("c1:s:a1", "raised", Millis{7}, Millis{40}));     // the first raise
    CHECK(u.confirm("c1:s:a1", "raised", std::nullopt, Millis{40}));  // then the second
    CHECK_FALSE(u.confirm("c1:s:a1", "raised", Millis{8}, Millis{40}));
    CHECK_FALSE(u.confirm("c1:s:a3", "raised", Millis{8}, Millis{40}));
    CHECK(u.size() == 4);
    // At 65: confirmed ones older than 46 go (the raise at 0), unconfirmed ones older than 50
    // (the escalation at 10, counted); the second raise is confirmed but young enough.
    CHECK(u.expire(Millis{65}, Millis{46}, Millis{50}) == 1);
    const auto left = u.take();
    REQUIRE(left.size() == 2);
    CHECK(left[0].confirmed);
    CHECK(left[0].transition.at.wall == Millis{1020});  // no time came with it: its own
    CHECK_FALSE(left[1].confirmed);
    CHECK(u.size() == 0);
    daemon::ha::Unconfirmed v;
    daemon::ha::UnconfirmedAlert a;
    a.alert_id = "c:s:a1";
    a.state = "cleared";
    v.add(a);
    REQUIRE(v.confirm("c:s:a1", "cleared", Millis{42}, Millis{0}));
    CHECK(v.take()[0].transition.at.wall == Millis{42});  // keyed as the active keyed it

    // The active escalated first (its clock ahead): this standby's escalation, decided later,
    // is confirmed at once and keyed like the active's.
    daemon::ha::Unconfirmed w;
    CHECK_FALSE(w.confirm("c:s:a2", "escalated", Millis{500}, Millis{0}));
    daemon::ha::UnconfirmedAlert e;
    e.alert_id = "c:s:a2";
    e.state = "escalated";
    e.at = Millis{10};
    w.add(e);
    const auto taken = w.take();
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].confirmed);
    CHECK(taken[0].transition.at.wall == Millis{500});
}

TEST_CASE("group messages: claims and statuses round-trip; the status topic names its instance") {
    const auto c = daemon::ha::decode_claim(daemon::ha::encode_claim({"a", "r1", 3}, Millis{0}));
    REQUIRE(c);
    CHECK(c->instance == "a");
    CHECK(c->run == "r1");
    CHECK(c->term == 3);
    CHECK_FALSE(daemon::ha::decode_claim(R"({"instance":"a","term":-1})"));
    CHECK_FALSE(daemon::ha::decode_claim("not json"));
    const auto s = daemon::ha::decode_status(
        daemon::ha::encode_status({"b", "r2", 0}, false, "", 0, Millis{0}, "connection lost"));
    REQUIRE(s);
    CHECK_FALSE(s->online);
    CHECK(s->run == "r2");
    const daemon::ha::GroupTopics t{"clinic/_group/g"};
    CHECK(daemon::ha::status_instance(t, "clinic/_group/g/b/status") == "b");
    CHECK_FALSE(daemon::ha::status_instance(t, "clinic/_group/g/leader"));
    CHECK_FALSE(daemon::ha::status_instance(t, "clinic/_group/g/x/y/status"));
    const auto k = daemon::ha::decode_alert_key(R"({"alert_id":"c:s:a1","state":"cleared"})");
    REQUIRE(k);
    CHECK(k->state == "cleared");
}

TEST_CASE("a board action for the standby: its topic names the chair; a start names its session") {
    const daemon::ha::GroupTopics t{"clinic/_group/g"};
    CHECK(t.actions("chair-3") == "clinic/_group/g/actions/chair-3/session");
    CHECK(daemon::ha::action_chair(t, t.actions("chair-3")) == "chair-3");
    CHECK_FALSE(daemon::ha::action_chair(t, "clinic/_group/g/actions/status"));
    CHECK_FALSE(daemon::ha::action_chair(t, "clinic/_group/g/actions//session"));
    CHECK_FALSE(daemon::ha::action_chair(t, "clinic/_group/g/actions/a/b/session"));
    CHECK_FALSE(daemon::ha::action_chair(t, "clinic/_group/h/actions/chair-3/session"));
    // No instance's status topic is an action topic, whatever the instance is called.
    CHECK_FALSE(daemon::ha::action_chair(t, t.status("actions")));
    CHECK_FALSE(daemon::ha::status_instance(t, t.actions("status")));

    const auto start = daemon::ha::encode_action(R"({"action":"start","profile":"iv","by":"rn-4"})",
                                                 "chair-3-20261207T221500");
    CHECK(start.find(R"("session_id":"chair-3-20261207T221500")") != std::string::npos);
    CHECK(start.find(R"("by":"rn-4")") != std::string::npos);
    // The id the active gave wins over the one asked for (taken already: it added a suffix).
    const auto asked =
        daemon::ha::encode_action(R"({"action":"start","session_id":"IV-1"})", "IV-1-1");
    CHECK(asked.find(R"("session_id":"IV-1-1")") != std::string::npos);
    // Any other action goes as the board sent it.
    const std::string dose = R"({"action":"dose_start","by":"rn-4"})";
    CHECK(daemon::ha::encode_action(dose, "chair-3-20261207T221500") == dose);
}

TEST_CASE("group configuration: name and instance, each error with its line and column") {
    const std::string base = test::minimal_config_with_broker("  keepalive_s: 5\n");
    auto ok = config::load_config_text(base + "group: {name: clinic-1, instance: a}\n", "t.yaml");
    REQUIRE(ok.config);
    CHECK(ok.config->group.enabled());
    CHECK(ok.config->group.instance == "a");

    auto bad = config::load_config_text(base + "group: {name: 'x y', instance: a}\n", "t.yaml");
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0].format() ==
          "t.yaml:11:15: group.name: 'x y' must be 1 to 64 letters, digits, '-' or '_'");

    auto missing = config::load_config_text(base + "group:\n  name: g\n", "t.yaml");
    REQUIRE(missing.errors.size() == 1);
    CHECK(missing.errors[0].format() == "t.yaml:12:3: group.instance: missing");

    std::string slow = base;
    slow.replace(slow.find("keepalive_s: 5"), 14, "keepalive_s: 30");
    auto late = config::load_config_text(slow + "group: {name: g, instance: a}\n", "t.yaml");
    REQUIRE(late.errors.size() == 1);
    CHECK(late.errors[0].format().starts_with("t.yaml:3:16: broker.keepalive_s: 30 is too long"));
}
