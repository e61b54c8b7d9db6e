// Prometheus text exposition of the daemon: its counters, the clinic's alarms now, and what the
// board counted itself from alarm transitions (acknowledgement latency, escalations).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "alerts/alarm.hpp"
#include "board/http_server.hpp"
#include "board/station.hpp"

namespace chairwatch::board {

struct HttpStats {
    std::map<unsigned, std::uint64_t> responses;  // by status code
    std::uint64_t logins_ok{0};
    std::uint64_t logins_failed{0};
    std::size_t event_streams{0};
    std::uint64_t streams_replaced{0};  // a login's oldest stream closed for its newest
    std::uint64_t streams_refused{0};   // 503: max_streams reached
    std::uint64_t streams_ended{0};     // closed: their login ended (logout, expiry, user change)
    std::size_t connections{0};
    ServerCounters server;
};

class Metrics {
  public:
    static constexpr std::array<double, 9> ack_buckets{5, 10, 15, 30, 60, 120, 300, 600, 1800};

    void on_alarm(const alerts::AlarmTransition& t);
    std::string render(const Station& station, const HttpStats& http, double uptime_s) const;

  private:
    // (condition, priority, state) -> transitions
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> transitions_;
    std::array<std::uint64_t, 3> escalations_{};  // by priority
    std::array<std::uint64_t, ack_buckets.size() + 1> ack_counts_{};
    double ack_sum_{0};
    std::uint64_t ack_count_{0};
};

}  // namespace chairwatch::board
