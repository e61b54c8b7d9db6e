#include "standby_pair.hpp"

#include <boost/json.hpp>
#include <sstream>

#include "harness.hpp"

namespace chairwatch::it {

std::string pair_profile_yaml() {
    return R"(default_profile: pair
profiles:
  pair:
    stream_window_s: 0
    latching: [high]
    escalation:
      high: {after_s: 300, repeat_s: 300}
      medium: {after_s: 300, repeat_s: 300}
    baseline: {seated_rest_s: 0, min_cuff_readings: 1, min_cuff_span_s: 0, use_last: 1, min_hr_span_s: 0}
    rules:
      sbp_high:
        signal: sbp
        tiers:
          - {at_or_above: 180, priority: medium}
      hr_high:
        signal: hr
        tiers:
          - {at_or_above: 150, priority: high}
    limit_bounds:
      - {rule: hr_high, tier: 1, min: 140, max: 170}
)";
}

std::string standby_pair_config(const std::string& group, const std::string& instance,
                                int keepalive_s, int webhook_port) {
    return "broker:\n  uri: tcp://127.0.0.1:1883\n  client_id: chairwatchd-" + instance +
           "\n  keepalive_s: " + std::to_string(keepalive_s) +
           "\n  reconnect_max_s: 2\ngroup: {name: " + group + ", instance: " + instance + R"(}
input:
  max_chairs: 1000
sessions:
  report: none
)" + pair_profile_yaml() +
           R"(notifications:
  receivers:
    push: {type: webhook, url: "http://127.0.0.1:)" +
           std::to_string(webhook_port) + R"(/push"}
  default_route:
    receivers: [push]
  group_window_s: 0
)";
}

std::map<std::string, std::vector<std::string>> paged_keys(const std::string& record) {
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream in(read_file(record));
    for (std::string line; std::getline(in, line);) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(line, ec);
        const auto* o = v.if_object();
        const auto* body = o ? o->if_contains("body") : nullptr;
        if (ec || !body || !body->is_object()) continue;
        const auto& b = body->as_object();
        const std::string key(b.at("key").as_string());
        for (const auto& t : b.at("transitions").as_array())
            out[std::string(t.at("alert_id").as_string()) + "/" +
                std::string(t.at("state").as_string())]
                .push_back(key);
    }
    return out;
}

}  // namespace chairwatch::it
