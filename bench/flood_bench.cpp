// flood_bench: one step of the ingest measurement behind bench/flood.sh. One publisher offers
// `--rate` messages a second of one kind for `--warmup` + `--duration` seconds while probe
// chairs send a crossing reading (HR 150) and a normal one (HR 80) in turn, and the alert for
// each crossing is timed (publish -> alert received). A system that keeps up answers every probe
// at once; one that falls behind answers later and later, since the probes queue behind the
// flood. The step passes when no probe is lost, the probes' p99 is within --max-p99-ms and the
// offered rate was published.
//
// Kinds (what the flood is made of):
//   valid      normal readings (HR 70-89, unique ts) spread over --chairs chairs, each far below
//              chairwatchd's per-chair rate limit: everything is decoded and judged. Each chair
//              sends one reading first, at 5,000 msg/s, and the step starts once the system
//              has caught up (opening thousands of sessions at once is not what is measured)
//   over-rate  garbage on one chair that sent a valid reading first, so chairwatchd knows it and
//              drops its excess unread (input.max_messages_per_chair_s)
//   bad-json   garbage on --chairs chair ids that never sent anything valid: chairwatchd decodes
//              and rejects every message
//
// Output: a summary on stderr and one `RESULT key=value ...` line on stdout. Exit 0 pass, 1 fail,
// 2 setup error (no broker, system under test not answering).
#include <mqtt/async_client.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/raw_mqtt.hpp"
#include "drivers/mqtt/tcp_nodelay.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
    std::string host{"127.0.0.1"};
    int port{18830};
    int qos{0};  // of the flood; probes are QoS 1, as monitors publish
    std::string kind{"over-rate"};
    double rate{10000};
    double duration{5};
    double warmup{1};
    int chairs{5000};
    int probe_chairs{10};
    double probe_hz{2};  // per probe chair: half of them cross
    double max_p99_ms{100};
    double ready_timeout{30};
    double drain{5};
    int watch{0};         // the system under test: its CPU time is reported
    int watch_broker{0};  // the broker: likewise
    std::string label;
};

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// CPU seconds (user + system) of a process, all its threads; 0 if unknown.
double cpu_seconds(int pid) {
    if (pid <= 0) return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::atof(field.c_str());
        if (i == 15) stime = std::atof(field.c_str());
    }
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The probe side: publishes probe readings on a Paho client and times the alerts that answer
// them (matched by the reading's "seq", which chairwatchd and the relays copy into the alert).
class Probe {
  public:
    explicit Probe(const Options& o)
        : uri_("tcp://" + o.host + ":" + std::to_string(o.port)),
          client_(uri_, "flood-probe-" + std::to_string(::getpid()),
                  mqtt::create_options(MQTTVERSION_3_1_1)) {
        client_.set_message_callback([this](mqtt::const_message_ptr m) { on_alert(*m); });
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
        chairwatch::drivers::set_tcp_nodelay_towards(uri_);
        client_.subscribe("clinic/+/alerts", 1)->wait();
    }
    ~Probe() {
        try {
            client_.disconnect()->wait_for(2s);
        } catch (const mqtt::exception&) {
        }
    }

    // A reading on clinic/<chair>/vitals/hr; a crossing one is remembered and timed.
    void send(const std::string& chair, bool crossing, bool measured) {
        const auto seq = next_seq_++;
        char payload[160];
        const int n = std::snprintf(payload, sizeof payload,
                                    R"({"chair":"%s","ts":%.6f,"seq":%lld,"hr":%d})", chair.c_str(),
                                    wall_now(), static_cast<long long>(seq), crossing ? 150 : 80);
        if (crossing) {
            std::lock_guard lock(mu_);
            pending_[seq] = {Clock::now(), measured};
        }
        client_.publish("clinic/" + chair + "/vitals/hr", payload, static_cast<std::size_t>(n), 1,
                        false);
    }
    // Sends crossing and normal readings in turn until one crossing is answered.
    bool ready(double timeout_s) {
        {
            std::lock_guard lock(mu_);
            answered_ready_ = false;
        }
        const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
        for (bool crossing = true; Clock::now() < deadline; crossing = !crossing) {
            send("cready", crossing, false);
            std::this_thread::sleep_for(250ms);
            std::lock_guard lock(mu_);
            if (answered_ready_) return true;
        }
        return false;
    }
    std::size_t unanswered() {
        std::lock_guard lock(mu_);
        std::size_t n = 0;
        for (const auto& [seq, p] : pending_)
            n += p.measured;
        return n;
    }
    std::vector<double> latencies_ms() {
        std::lock_guard lock(mu_);
        return latencies_;
    }

  private:
    struct Pending {
        Clock::time_point at;
        bool measured;
    };
    void on_alert(const mqtt::message& m) {
        const auto at = Clock::now();
        const std::string& p = m.get_payload_ref().str();
        const auto k = p.find("\"seq\":");
        if (k == std::string::npos) return;
        const auto seq = std::atoll(p.c_str() + k + 6);
        std::lock_guard lock(mu_);
        auto it = pending_.find(seq);
        if (it == pending_.end()) return;
        if (it->second.measured)
            latencies_.push_back(
                std::chrono::duration<double, std::milli>(at - it->second.at).count());
        else
            answered_ready_ = true;
        pending_.erase(it);
    }

    std::string uri_;
    mqtt::async_client client_;
    std::mutex mu_;
    std::map<long long, Pending> pending_;
    std::vector<double> latencies_;
    bool answered_ready_{false};
    std::atomic<long long> next_seq_{std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count() *
                                     1000 % (1LL << 52)};
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(at, v.size() - 1)];
}

// The n-th flood message of a kind.
void flood_message(const Options& o, std::uint64_t n, chairwatch::bench::RawPublisher& pub,
                   std::string& topic, std::string& payload) {
    static const std::string garbage =
        "{\"hr\":88,\"spo2\":9?~~ 0xDEADBEEF garbage from a broken device";
    if (o.kind == "valid") {
        const auto chair = n % static_cast<std::uint64_t>(o.chairs);
        char c[32];
        std::snprintf(c, sizeof c, "f%05llu", static_cast<unsigned long long>(chair));
        topic = std::string("clinic/") + c + "/vitals/hr";
        char p[128];
        std::snprintf(p, sizeof p, R"({"chair":"%s","ts":%.6f,"seq":%llu,"hr":%d})", c, wall_now(),
                      static_cast<unsigned long long>(n), 70 + static_cast<int>(n % 20));
        payload = p;
    } else if (o.kind == "bad-json") {
        char c[32];
        std::snprintf(c, sizeof c, "g%05llu",
                      static_cast<unsigned long long>(n % static_cast<std::uint64_t>(o.chairs)));
        topic = std::string("clinic/") + c + "/vitals/hr";
        payload = garbage;
    } else {
        topic = "clinic/flood/vitals/hr";
        payload = garbage;
    }
    pub.add(topic, payload, o.qos);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--host")
            o.host = v;
        else if (a == "--port")
            o.port = std::atoi(v.c_str());
        else if (a == "--qos")
            o.qos = std::atoi(v.c_str());
        else if (a == "--kind")
            o.kind = v;
        else if (a == "--rate")
            o.rate = std::atof(v.c_str());
        else if (a == "--duration")
            o.duration = std::atof(v.c_str());
        else if (a == "--warmup")
            o.warmup = std::atof(v.c_str());
        else if (a == "--chairs")
            o.chairs = std::atoi(v.c_str());
        else if (a == "--probe-chairs")
            o.probe_chairs = std::atoi(v.c_str());
        else if (a == "--probe-hz")
            o.probe_hz = std::atof(v.c_str());
        else if (a == "--max-p99-ms")
            o.max_p99_ms = std::atof(v.c_str());
        else if (a == "--ready-timeout")
            o.ready_timeout = std::atof(v.c_str());
        else if (a == "--drain")
            o.drain = std::atof(v.c_str());
        else if (a == "--watch")
            o.watch = std::atoi(v.c_str());
        else if (a == "--watch-broker")
            o.watch_broker = std::atoi(v.c_str());
        else if (a == "--label")
            o.label = v;
        else
            throw std::invalid_argument("unknown option " + a);
    }
    if (argc % 2 == 0) throw std::invalid_argument("option without a value");
    if (o.kind != "valid" && o.kind != "over-rate" && o.kind != "bad-json")
        throw std::invalid_argument("--kind must be valid, over-rate or bad-json");
    return o;
}

int run(const Options& o) {
    Probe probe(o);
    if (!probe.ready(o.ready_timeout)) {
        std::fprintf(stderr, "flood_bench: no alert for the readiness probe\n");
        return 2;
    }
    chairwatch::bench::RawPublisher pub(o.host, o.port, "flood-" + std::to_string(::getpid()));
    if (o.kind == "over-rate") {
        // One valid reading first: now the daemon knows the chair and limits its rate.
        pub.add("clinic/flood/vitals/hr", R"({"hr":80})", 1);
        pub.flush();
        std::this_thread::sleep_for(200ms);
    }
    std::string topic, payload;
    const auto one = [&](std::uint64_t n, chairwatch::bench::RawPublisher& p) {
        flood_message(o, n, p, topic, payload);
    };
    if (o.kind == "valid") {
        // Every chair sends once first, slowly, and the system catches up: the step measures
        // readings of known chairs, not thousands of sessions opening in its first second.
        chairwatch::bench::pace(pub, 5000, o.chairs / 5000.0, one);
        if (!probe.ready(o.ready_timeout)) {
            std::fprintf(stderr, "flood_bench: no alert after the chairs' first readings\n");
            return 2;
        }
    }
    std::atomic<bool> stop{false};
    std::atomic<bool> measuring{false};
    std::thread prober([&] {
        const double period = 1.0 / (o.probe_hz * o.probe_chairs);
        auto next = Clock::now();
        for (std::uint64_t i = 0; !stop; ++i) {
            const auto chair = static_cast<int>(i % static_cast<std::uint64_t>(o.probe_chairs));
            const bool crossing = (i / static_cast<std::uint64_t>(o.probe_chairs)) % 2 == 0;
            probe.send("probe" + std::to_string(chair), crossing, measuring.load());
            next +=
                std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period));
            std::this_thread::sleep_until(next);
        }
    });
    chairwatch::bench::pace(pub, o.rate, o.warmup, one);
    const double cpu0 = cpu_seconds(o.watch), broker0 = cpu_seconds(o.watch_broker);
    measuring = true;
    const auto t0 = Clock::now();
    const auto sent = chairwatch::bench::pace(pub, o.rate, o.duration, one);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    measuring = false;
    const double cpu1 = cpu_seconds(o.watch), broker1 = cpu_seconds(o.watch_broker);
    stop = true;
    prober.join();
    const auto drain_end = Clock::now() + std::chrono::duration<double>(o.drain);
    while (probe.unanswered() > 0 && Clock::now() < drain_end)
        std::this_thread::sleep_for(20ms);

    const auto lat = probe.latencies_ms();
    const auto lost = probe.unanswered();
    const double sent_rate = static_cast<double>(sent) / secs;
    const double p50 = percentile(lat, 0.5), p99 = percentile(lat, 0.99),
                 max = percentile(lat, 1.0);
    const bool pass =
        lost == 0 && !lat.empty() && p99 <= o.max_p99_ms && sent_rate >= 0.97 * o.rate;
    const double cpu_pct = o.watch ? 100.0 * (cpu1 - cpu0) / secs : 0;
    const double broker_pct = o.watch_broker ? 100.0 * (broker1 - broker0) / secs : 0;
    std::fprintf(stderr,
                 "%s kind=%s qos=%d offered %.0f/s, published %.0f/s; probes %zu answered, %zu "
                 "lost, p50 %.2f p99 %.2f max %.2f ms; CPU: system %.0f%%, broker %.0f%% -> %s\n",
                 o.label.c_str(), o.kind.c_str(), o.qos, o.rate, sent_rate, lat.size(), lost, p50,
                 p99, max, cpu_pct, broker_pct, pass ? "pass" : "FAIL");
    std::printf(
        "RESULT label=%s kind=%s qos=%d rate=%.0f sent_rate=%.0f probes=%zu lost=%zu p50_ms=%.3f "
        "p99_ms=%.3f max_ms=%.3f cpu_pct=%.1f broker_cpu_pct=%.1f cpu_ms_per_1k=%.2f pass=%d\n",
        o.label.empty() ? "-" : o.label.c_str(), o.kind.c_str(), o.qos, o.rate, sent_rate,
        lat.size(), lost, p50, p99, max, cpu_pct, broker_pct,
        sent ? 1e6 * (cpu1 - cpu0) / static_cast<double>(sent) : 0.0, pass ? 1 : 0);
    return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flood_bench: %s\n", e.what());
        return 2;
    }
}
