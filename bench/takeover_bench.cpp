// takeover_bench: a standby pair's take-over (docs/high-availability.md), with the integration
// tests' real parts (tests/integration/harness.hpp): a private Mosquitto, two chairwatchd of
// group "bench", a webhook receiver (tests/notify/webhook_receiver.py).
//
// RUNS times: a new chair starts a session (HR 70) with the active; the active is killed with
// kill -9; at once the chair sends HR 160 (a HIGH alarm, decided by the standby alone); the time
// from the kill to that alarm's alert from the new active is the take-over time. Each instance
// reaches the broker through a TcpProxy (tests/integration/tcp_proxy.hpp). MODE=kill: the
// process dies and its host closes its connections, which the broker sees at once. MODE=host:
// the proxy freezes first (the host is gone without a word), so the broker sends the will only
// after 1.5 keepalives. The killed
// instance is started again (it rejoins as the standby) before the next run, which kills the
// other. Counted at the end: alerts lost (a run's alarm never published), alert transitions
// published twice, and webhook notifications received twice for one transition.
// Then LOAD_S seconds of CHAIRS chairs sending HR at 1 Hz (seated, no alarm): CPU (user+system,
// /proc/<pid>/stat) and RSS (VmRSS) of the active and the standby.
//
// Env: MODE (kill), RUNS (20), KEEPALIVE_S (5), CHAIRS (200), LOAD_S (60). Prints a human summary
// and one "RESULT key=value ..." line.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "standby_pair.hpp"
#include "tcp_proxy.hpp"

using namespace chairwatch::it;

namespace {

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

// user+system CPU seconds and RSS (KiB) of a process.
std::pair<double, long> usage(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(stat)), {});
    std::istringstream in(s.substr(s.rfind(')') + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && in >> f; ++i)
        if (i == 14 || i == 15) ticks += std::stod(f);
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    long rss = 0;
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
    return {ticks / static_cast<double>(sysconf(_SC_CLK_TCK)), rss};
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main() {
    const int runs = env_int("RUNS", 20), keepalive = env_int("KEEPALIVE_S", 5);
    const int chairs = env_int("CHAIRS", 200), load_s = env_int("LOAD_S", 60);
    const std::string mode = std::getenv("MODE") ? std::getenv("MODE") : "kill";
    const bool host_gone = mode == "host";
    Broker broker;
    const auto dir = temp_dir("takeover-bench");
    const int web_port = free_port();
    const auto record = dir + "/paged.jsonl";
    Process web({"/usr/bin/python3", CHAIRWATCH_SOURCE_DIR "/tests/notify/webhook_receiver.py",
                 "--port", std::to_string(web_port), "--record", record},
                dir + "/webhook.log");
    if (!eventually([&] { return accepts(web_port); }, 15s)) return 1;
    Daemon a(broker, standby_pair_config("bench", "a", keepalive, web_port), "bench-a");
    Daemon b(broker, standby_pair_config("bench", "b", keepalive, web_port), "bench-b");
    a.watch_status("clinic/_group/bench/a/status");
    b.watch_status("clinic/_group/bench/b/status");
    TcpProxy proxy_a(broker.port()), proxy_b(broker.port());
    a.use_broker_uri("tcp://127.0.0.1:" + std::to_string(proxy_a.port()));
    b.use_broker_uri("tcp://127.0.0.1:" + std::to_string(proxy_b.port()));
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    nurse.subscribe("clinic/chairwatchd/status");
    Client chair(broker.uri());
    const auto active_is = [&](const std::string& who) {
        return nurse.wait_for(
            [&](const Message& m) {
                return m.topic == "clinic/chairwatchd/status" && field(m, "instance") == who &&
                       field(m, "role") == "active";
            },
            30s);
    };
    a.start();
    if (!active_is("a")) return 1;
    b.start();
    std::this_thread::sleep_for(1500ms);

    Daemon* active = &a;
    Daemon* standby = &b;
    TcpProxy* active_link = &proxy_a;
    TcpProxy* standby_link = &proxy_b;
    std::vector<double> took;
    int lost = 0;
    for (int run = 0; run < runs; ++run) {
        const auto c = "run-" + std::to_string(run);
        chair.publish("clinic/" + c + "/session",
                      R"({"action":"start","session_id":"S)" + std::to_string(run) + "\"}");
        chair.publish("clinic/" + c + "/vitals/hr", "70");
        std::this_thread::sleep_for(500ms);  // both have the session
        const auto killed = Clock::now();
        if (host_gone) active_link->freeze();
        active->kill(SIGKILL);
        chair.publish("clinic/" + c + "/vitals/hr", "160");
        const auto alert = nurse.wait_for(
            [&](const Message& m) {
                return m.topic == "clinic/" + c + "/alerts" && field(m, "state") == "raised";
            },
            30s);
        if (!alert) {
            ++lost;
        } else {
            took.push_back(std::chrono::duration<double>(alert->at - killed).count());
            std::printf("run %2d: take-over %.3f s\n", run + 1, took.back());
        }
        active->wait(5s);
        active_link->cut();
        active_link->restore();
        active->start();  // rejoins as the standby
        std::swap(active, standby);
        std::swap(active_link, standby_link);
        std::this_thread::sleep_for(1500ms);
    }
    std::map<std::string, int> published;
    for (const auto& m : nurse.messages("clinic/"))
        if (m.topic.ends_with("/alerts") && m.topic.rfind("clinic/chairwatchd", 0) != 0)
            ++published[field(m, "alert_id") + "/" + field(m, "state")];
    // A notification twice: one transition under two idempotency keys. The same key again is
    // the same notification (the new active notifies recent transitions again; a receiver
    // that keeps the keys takes it once): counted apart, as redeliveries.
    int dup_alerts = 0, dup_pages = 0, redelivered = 0;
    for (const auto& [k, n] : published)
        dup_alerts += n > 1 ? n - 1 : 0;
    std::this_thread::sleep_for(2s);
    for (const auto& [k, keys] : paged_keys(record)) {
        const std::set<std::string> distinct(keys.begin(), keys.end());
        dup_pages += static_cast<int>(distinct.size()) - 1;
        redelivered += static_cast<int>(keys.size() - distinct.size());
    }

    // The load: CHAIRS chairs at 1 Hz, no alarm.
    for (int i = 0; i < chairs; ++i)
        chair.publish("clinic/load-" + std::to_string(i) + "/session",
                      R"({"action":"start","session_id":"L)" + std::to_string(i) + "\"}");
    std::this_thread::sleep_for(2s);
    const auto a0 = usage(active->pid()), s0 = usage(standby->pid());
    const auto t0 = Clock::now();
    for (int s = 0; s < load_s; ++s) {
        for (int i = 0; i < chairs; ++i)
            chair.publish("clinic/load-" + std::to_string(i) + "/vitals/hr", "72", 1);
        std::this_thread::sleep_until(t0 + std::chrono::seconds(s + 1));
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto a1 = usage(active->pid()), s1 = usage(standby->pid());
    const double cpu_a = 100 * (a1.first - a0.first) / secs,
                 cpu_s = 100 * (s1.first - s0.first) / secs;

    if (took.empty()) return 1;
    std::printf(
        "take-over (%s) over %zu runs: p50 %.3f s, p99 %.3f s, max %.3f s (keepalive %d s)\n"
        "alerts lost %d, alert transitions published twice %d, notifications twice %d "
        "(redelivered under the same key %d)\n"
        "%d chairs x 1 Hz for %.0f s: active CPU %.1f %%, RSS %ld KiB; standby CPU %.1f %%, "
        "RSS %ld KiB\n",
        mode.c_str(), took.size(), percentile(took, 0.5), percentile(took, 0.99),
        *std::max_element(took.begin(), took.end()), keepalive, lost, dup_alerts, dup_pages,
        redelivered, chairs, secs, cpu_a, a1.second, cpu_s, s1.second);
    std::printf(
        "RESULT mode=%s runs=%zu p50_s=%.3f p99_s=%.3f lost=%d dup_alerts=%d dup_notifications=%d "
        "redelivered=%d "
        "chairs=%d active_cpu_pct=%.1f active_rss_kib=%ld standby_cpu_pct=%.1f "
        "standby_rss_kib=%ld\n",
        mode.c_str(), took.size(), percentile(took, 0.5), percentile(took, 0.99), lost, dup_alerts,
        dup_pages, redelivered, chairs, cpu_a, a1.second, cpu_s, s1.second);
    return lost == 0 && dup_alerts == 0 && dup_pages == 0 ? 0 : 1;
}
