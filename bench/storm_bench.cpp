// storm_bench: HIGH first during an alarm storm (issue 18, "HIGH first").
//
// Against a running chairwatchd on bench/storm.yaml (hr > 120 HIGH, sbp > 160 MEDIUM,
// dbp > 100 LOW, each raised and cleared on the reading itself), with CHAIRS chairs sending HR
// at 1 Hz throughout (the moderate load of the end-to-end bench):
//   quiet: every ROUND_MS, HIGH_CHAIRS probe chairs (h000...) each get an HR of 150 at the same
//          instant, and 500 ms later an HR of 80 that clears it;
//   storm: the same probes, but published in the middle of a burst in which every one of the
//          CHAIRS chairs sends one BP reading at once, alternately raising a MEDIUM and a LOW
//          alarm on every chair (170/110) and clearing both (120/70): every chair's alarm list
//          changes at the same instant. Probe k goes out after k/HIGH_CHAIRS of the burst, the
//          last one behind all of it.
// Latency of a HIGH alert: the publish call of its reading -> the alert's arrival
// (CLOCK_MONOTONIC), matched by the reading's "seq". Also reported: how long the storm's own alerts
// take to arrive (burst start -> last MEDIUM/LOW alert of the storm).
//
// Against bench/paho_relay (no priorities; it alerts on hr > 120 only here) the same run gives
// what the MQTT client alone costs: the storm's readings reach it but raise nothing.
//
// Env: MQTT_HOST (127.0.0.1) MQTT_PORT (18830) QOS (1) CHAIRS (1000) HIGH_CHAIRS (5) ROUNDS (20
// storms and as many quiet rounds) ROUND_MS (1000, a quiet round) STORM_MS (3000, a storm round).
// Prints a human summary on stderr and one "RESULT key=value ..." line on stdout.
#include <mqtt/async_client.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "drivers/mqtt/tcp_nodelay.hpp"

namespace {

using Clock = std::chrono::steady_clock;

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v ? std::atoi(v) : fallback;
}

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string chair_id(char prefix, int i) {
    char b[16];
    std::snprintf(b, sizeof b, "%c%03d", prefix, i);
    return b;
}

// "\"key" + after, appended: GCC 12 at -O3 warns falsely of -Wrestrict on operator+ from a
// literal (GCC PR 105651).
std::string quoted_key(std::string_view key, std::string_view after) {
    std::string k = "\"";
    k += key;
    k += after;
    return k;
}

// The integer after "key": in a JSON text, or -1.
long long int_field(std::string_view p, std::string_view key) {
    const std::string k = quoted_key(key, "\":");
    const auto at = p.find(k);
    if (at == std::string_view::npos) return -1;
    return std::atoll(std::string(p.substr(at + k.size(), 24)).c_str());
}

std::string_view str_field(std::string_view p, std::string_view key) {
    const std::string k = quoted_key(key, "\":\"");
    const auto at = p.find(k);
    if (at == std::string_view::npos) return {};
    const auto from = at + k.size();
    return p.substr(from, p.find('"', from) - from);
}

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

struct Stats {
    std::vector<double> v;
    double pct(double p) {
        if (v.empty()) return 0;
        std::sort(v.begin(), v.end());
        const auto i =
            static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
        return v[std::min(i, v.size() - 1)];
    }
};

class Probe : public mqtt::callback {
  public:
    void message_arrived(mqtt::const_message_ptr msg) override {
        const auto now = Clock::now();
        const std::string_view p = msg->get_payload_ref().str();
        const auto seq = int_field(p, "seq");
        const auto priority = str_field(p, "priority");
        std::lock_guard lock(mu_);
        ++alerts_;
        // paho_relay's alerts (no priority, no state) count as HIGH: against it, the storm is
        // what the MQTT client alone costs (its readings cross no threshold there).
        if (priority == "high" || priority.empty()) {
            const auto state = str_field(p, "state");
            if (auto it = sent_.find(seq);
                it != sent_.end() && (state == "raised" || state.empty())) {
                (it->second.storm ? storm_ : quiet_).v.push_back(ms(now - it->second.at));
                sent_.erase(it);
            }
        } else if (priority == "medium" || priority == "low") {
            ++storm_alerts_;
            last_storm_alert_ = now;
        }
        if (str_field(p, "chair") == "cready") ready_ = true;
    }
    void expect(long long seq, Clock::time_point at, bool storm) {
        std::lock_guard lock(mu_);
        sent_[seq] = {at, storm};
    }

    std::mutex mu_;
    struct Sent {
        Clock::time_point at;
        bool storm;
    };
    std::unordered_map<long long, Sent> sent_;
    Stats quiet_, storm_;
    long long alerts_{0}, storm_alerts_{0};
    Clock::time_point last_storm_alert_{};
    std::atomic<bool> ready_{false};
};

}  // namespace

int main() {
    const char* host = std::getenv("MQTT_HOST") ? std::getenv("MQTT_HOST") : "127.0.0.1";
    const std::string uri =
        "tcp://" + std::string(host) + ":" + std::to_string(env_int("MQTT_PORT", 18830));
    const int qos = env_int("QOS", 1);
    const int chairs = env_int("CHAIRS", 1000);
    const int high_chairs = std::max(1, env_int("HIGH_CHAIRS", 5));
    const int rounds = env_int("ROUNDS", 20);
    const auto round = std::chrono::milliseconds(env_int("ROUND_MS", 1000));
    const auto storm_round = std::chrono::milliseconds(env_int("STORM_MS", 3000));
    const std::string id = "storm-bench-" + std::to_string(getpid());
    std::atomic<long long> seq{1}, refused{0};

    try {
        mqtt::async_client pub(uri, id + "-pub", mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
        mqtt::async_client sub(uri, id + "-sub", mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
        Probe probe;
        sub.set_callback(probe);
        const auto opts =
            mqtt::connect_options_builder().clean_session(true).max_inflight(65535).finalize();
        pub.connect(opts)->wait();
        sub.connect(opts)->wait();
        chairwatch::drivers::set_tcp_nodelay_towards(uri);  // as the shared harness does
        sub.subscribe("clinic/+/alerts", qos)->wait();

        auto send = [&](const std::string& chair, const char* leaf, const std::string& values) {
            const long long s = seq++;
            char b[200];
            const int n = std::snprintf(b, sizeof b, R"({"chair":"%s","ts":%.6f,"seq":%lld,%s})",
                                        chair.c_str(), wall_now(), s, values.c_str());
            // Paho refuses a publish while too many are in flight: wait for them, count it.
            for (int tries = 0;; ++tries) {
                try {
                    pub.publish("clinic/" + chair + "/vitals/" + leaf, b,
                                static_cast<std::size_t>(n), qos, false);
                    break;
                } catch (const mqtt::exception& e) {
                    if (tries == 0) ++refused;
                    if (tries > 1000) throw;
                    std::this_thread::sleep_for(std::chrono::microseconds(100));
                }
            }
            return s;
        };

        // Ready: the daemon answers a HIGH probe.
        const auto give_up = Clock::now() + std::chrono::seconds(60);
        while (!probe.ready_ && Clock::now() < give_up) {
            send("cready", "hr", R"("hr":150)");
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        if (!probe.ready_) {
            std::fprintf(stderr, "storm_bench: no alert from the daemon within 60 s\n");
            return 1;
        }
        send("cready", "hr", R"("hr":80)");

        // The moderate load: every chair an HR reading each second, spread over the second.
        std::atomic<bool> stop{false};
        std::thread load([&] {
            auto next = Clock::now();
            int i = 0;
            while (!stop) {
                for (int k = 0; k < chairs / 100; ++k, i = (i + 1) % chairs)
                    send(chair_id('c', i), "hr", "\"hr\":" + std::to_string(70 + i % 20));
                next += std::chrono::milliseconds(10);
                std::this_thread::sleep_until(next);
            }
        });
        std::this_thread::sleep_for(std::chrono::seconds(3));  // every chair in a session

        auto probes = [&](bool storm) {
            for (int h = 0; h < high_chairs; ++h) {
                const auto at = Clock::now();
                probe.expect(send(chair_id('h', h), "hr", R"("hr":150)"), at, storm);
            }
        };
        auto clear_probes = [&] {
            for (int h = 0; h < high_chairs; ++h)
                send(chair_id('h', h), "hr", R"("hr":80)");
        };

        Stats drain;
        // All quiet rounds first, then the storms, each given STORM_MS to drain: a storm's
        // backlog must not spill into the next round.
        for (int r = 0; r < 2 * rounds; ++r) {
            const bool storm = r >= rounds;
            const auto start = Clock::now();
            if (!storm) {
                probes(false);
            } else {
                const bool raise = (r - rounds) % 2 == 0;
                const std::string bp = raise ? R"("sbp":170,"dbp":110)" : R"("sbp":120,"dbp":70)";
                int next_probe = 1;
                for (int i = 0; i < chairs; ++i) {
                    send(chair_id('c', i), "bp", bp);
                    while (next_probe <= high_chairs &&
                           (i + 1) * high_chairs >= next_probe * chairs) {
                        const auto at = Clock::now();
                        probe.expect(send(chair_id('h', next_probe - 1), "hr", R"("hr":150)"), at,
                                     true);
                        ++next_probe;
                    }
                }
            }
            std::this_thread::sleep_until(start + round / 2);
            clear_probes();
            std::this_thread::sleep_until(start + (storm ? storm_round : round));
            if (storm) {
                std::lock_guard lock(probe.mu_);
                if (probe.last_storm_alert_ > start)
                    drain.v.push_back(ms(probe.last_storm_alert_ - start));
            }
        }
        stop = true;
        load.join();
        std::this_thread::sleep_for(std::chrono::seconds(1));

        std::lock_guard lock(probe.mu_);
        long long lost_quiet = 0, lost_storm = 0;
        for (const auto& [s, e] : probe.sent_)
            ++(e.storm ? lost_storm : lost_quiet);
        const auto qn = probe.quiet_.v.size(), sn = probe.storm_.v.size();
        const double q50 = probe.quiet_.pct(50), q99 = probe.quiet_.pct(99),
                     qmax = probe.quiet_.pct(100), s50 = probe.storm_.pct(50),
                     s99 = probe.storm_.pct(99), smax = probe.storm_.pct(100);
        std::fprintf(stderr,
                     "storm_bench: %d chairs, QoS %d, %d HIGH probes per round, %d rounds each\n"
                     "  quiet HIGH: n=%zu p50 %.3f p99 %.3f max %.3f ms (lost %lld)\n"
                     "  storm HIGH: n=%zu p50 %.3f p99 %.3f max %.3f ms (lost %lld)\n"
                     "  storm alerts (MEDIUM/LOW) received %lld; burst start -> last of them p50 "
                     "%.1f max %.1f ms; publishes refused by Paho at first try: %lld\n",
                     chairs, qos, high_chairs, rounds, qn, q50, q99, qmax, lost_quiet, sn, s50, s99,
                     smax, lost_storm, probe.storm_alerts_, drain.pct(50), drain.pct(100),
                     refused.load());
        std::printf(
            "RESULT chairs=%d qos=%d high_chairs=%d rounds=%d quiet_n=%zu quiet_p50_ms=%.3f "
            "quiet_p99_ms=%.3f quiet_max_ms=%.3f quiet_lost=%lld storm_n=%zu storm_p50_ms=%.3f "
            "storm_p99_ms=%.3f storm_max_ms=%.3f storm_lost=%lld storm_alerts=%lld "
            "storm_drain_p50_ms=%.1f storm_drain_max_ms=%.1f\n",
            chairs, qos, high_chairs, rounds, qn, q50, q99, qmax, lost_quiet, sn, s50, s99, smax,
            lost_storm, probe.storm_alerts_, drain.pct(50), drain.pct(100));
        sub.disable_callbacks();
        pub.disconnect()->wait_for(std::chrono::seconds(2));
        sub.disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception& e) {
        std::fprintf(stderr, "storm_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
