// broker.uris: the nodes of a clustered broker, each tried in turn at every (re)connection.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "config_text.hpp"

using namespace chairwatch;
using config::load_config_text;

using test::only_error;

TEST_CASE("broker.uris names the nodes of a cluster in order; broker.uri is a list of one") {
    auto r =
        load_config_text(test::minimal_config_broker(
                             "  uris: [tcp://node2:1883, tcp://node3:1883, tcp://node1:1883]\n"),
                         "t.yaml");
    REQUIRE(r.config);
    CHECK(r.config->broker.uris ==
          std::vector<std::string>{"tcp://node2:1883", "tcp://node3:1883", "tcp://node1:1883"});
    CHECK(r.config->broker.uri == "tcp://node2:1883");  // named in the logs
    auto one = load_config_text(test::minimal_config_broker("  uri: tcp://node2:1883\n"), "t.yaml");
    REQUIRE(one.config);
    CHECK(one.config->broker.uris == std::vector<std::string>{"tcp://node2:1883"});
}

TEST_CASE("--broker takes one URI or several, separated by commas") {
    config::Overrides o;
    o.broker_uri = "tcp://10.0.0.5:1883,tcp://10.0.0.6:1883";
    auto r =
        load_config_text(test::minimal_config_broker("  uri: tcp://node2:1883\n"), "t.yaml", o);
    REQUIRE(r.config);
    CHECK(r.config->broker.uris ==
          std::vector<std::string>{"tcp://10.0.0.5:1883", "tcp://10.0.0.6:1883"});
    o.broker_uri = "tcp://10.0.0.5:1883,";
    CHECK(only_error(test::minimal_config_broker("  uri: tcp://node2:1883\n"), o) ==
          "t.yaml:1:1: --broker: '' is not an MQTT URI (tcp://HOST:PORT or ssl://HOST:PORT)");
}

TEST_CASE("broker.uris errors say which URI and where") {
    CHECK(
        only_error(test::minimal_config_broker("  uri: tcp://a:1883\n  uris: [tcp://b:1883]\n")) ==
        "t.yaml:3:3: broker.uris: give broker.uri or broker.uris, not both");
    CHECK(only_error(test::minimal_config_broker("  uris: []\n")) ==
          "t.yaml:2:9: broker.uris: must name at least one broker");
    CHECK(only_error(test::minimal_config_broker("  uris: [tcp://a:1883, http://b:1883]\n")) ==
          "t.yaml:2:9: broker.uris: 'http://b:1883' is not an MQTT URI (tcp://HOST:PORT or "
          "ssl://HOST:PORT)");
    CHECK(only_error(test::minimal_config_broker("  uris: [tcp://a:1883, tcp://a:1883]\n")) ==
          "t.yaml:2:9: broker.uris: 'tcp://a:1883' is named twice");
    CHECK(only_error(test::minimal_config_broker("  uris: [ssl://a:8883, tcp://b:1883]\n")) ==
          "t.yaml:2:9: broker.uris: 'tcp://b:1883' and 'ssl://a:8883' mix TLS and plain "
          "connections: a node would be reached unencrypted");
    CHECK(only_error(test::minimal_config_broker("  uris: tcp://a:1883\n")).find("broker.uris") !=
          std::string::npos);
}

TEST_CASE("broker.uris of ssl:// nodes turns TLS on") {
    auto r = load_config_text(
        test::minimal_config_broker("  uris: [ssl://a:8883, mqtts://b:8883]\n"), "t.yaml");
    REQUIRE(r.config);
    CHECK(r.config->broker.tls.enabled);
}

TEST_CASE("broker.refresh_retained_s: off by default, at most a day") {
    auto off = load_config_text(test::minimal_config_broker("  uri: tcp://a:1883\n"), "t.yaml");
    REQUIRE(off.config);
    CHECK(off.config->broker.refresh_retained_s == 0);
    auto on = load_config_text(
        test::minimal_config_broker("  uri: tcp://a:1883\n  refresh_retained_s: 30\n"), "t.yaml");
    REQUIRE(on.config);
    CHECK(on.config->broker.refresh_retained_s == 30);
    CHECK(only_error(test::minimal_config_broker("  uri: tcp://a:1883\n  refresh_retained_s: -1\n"))
              .find("t.yaml:3:23: broker.refresh_retained_s") != std::string::npos);
}
