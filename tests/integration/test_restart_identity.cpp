// Alarm identity across restarts, through the real binary and a real broker: the same scripted
// IV session (a BP surge to HIGH, an escalation, acknowledgements, a lost HR feed, a latched
// tachycardia) runs once uninterrupted and in several runs during which chairwatchd is killed
// at random instants (kill -9 or SIGTERM, at once restarted) while the monitor and the station
// go on publishing. Every run must publish, alarm by alarm, the same transitions under the same
// alert ids as the uninterrupted one, and each alarm keeps its onset across the restarts.
//
// The runs go side by side, each with its own broker and daemon, so the test takes one
// session's time. CW_RESTART_RUNS (default 3 killed runs of 7 kills) and CW_RESTART_SEED
// repeat it harder or replay a failure.
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>
#include <future>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace chairwatch::it;

namespace {

const char* script_config = R"(
broker:
  uri: tcp://127.0.0.1:1883
  client_id: chairwatchd
  topic_prefix: clinic
  qos: 1
input:
  max_chairs: 16
sessions:
  report: none
  on_shutdown: suspend
default_profile: script
profiles:
  script:
    stream_window_s: 2
    stream_hold_s: 3
    latching: [high]
    ack_lasts_s: 300
    escalation:
      high: {after_s: 4, repeat_s: 10}
      medium: {after_s: 10, repeat_s: 10}
    baseline: {seated_rest_s: 0, min_cuff_readings: 1, min_cuff_span_s: 0, use_last: 1, min_hr_span_s: 0}
    rules:
      sbp_high:
        signal: sbp
        clear_margin: 10
        tiers:
          - {at_or_above: 180, priority: medium}
          - {at_or_above: 200, priority: high}
      hr_high:
        signal: hr
        clear_margin: 5
        clear_hold_s: 2
        tiers:
          - {at_or_above: 150, priority: high, delay_s: 2}
    feeds:
      hr_feed_lost:
        signals: [hr]
        expected: true
        tiers:
          - {after_s: 3, priority: low}
          - {after_s: 6, priority: medium}
)";

constexpr auto script_length = 60s;

// What a station learns of one alarm transition.
struct Transition {
    std::string alert_id, condition, state, priority, escalation, acknowledged, latched, active;
    std::string onset, ts;

    std::string what() const {
        return condition + " " + state + " " + priority + " esc=" + escalation +
               " ack=" + acknowledged + " latched=" + latched + " active=" + active;
    }
};

struct RunResult {
    std::string error;                                        // empty: the run went through
    std::map<std::string, std::vector<Transition>> by_alarm;  // alert id -> its transitions
    std::string final_list;                                   // the retained alarm list at the end
    int kills{0}, resumed{0};
    double max_downtime_s{0};  // from a kill to the daemon's "online" again
    std::string kill_plan;
};

std::string json_text(const boost::json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    if (!v) return "";
    if (v->is_string()) return std::string(v->get_string());
    return boost::json::serialize(*v);
}

std::string iso_now() {
    const auto t = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = ms / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

// One run of the script; `kills` are (instant after the script's start, signal).
RunResult run_session(const std::string& name, std::vector<std::pair<Clock::duration, int>> kills) {
    RunResult result;
    for (const auto& [at, sig] : kills)
        result.kill_plan +=
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(at).count()) +
            (sig == SIGKILL ? "ms:KILL " : "ms:TERM ");
    try {
        BrokerOptions broker_options;
        broker_options.persistence = true;
        Broker broker(broker_options);
        Daemon daemon(broker, script_config, name);
        daemon.start();
        Client nurse(broker.uri(), "nurse-" + name);
        nurse.subscribe("clinic/chair-7/alerts");
        nurse.subscribe("clinic/chair-7/alarms");
        Client monitor(broker.uri());
        Client station(broker.uri());

        const auto t0 = Clock::now();
        std::string killer_error;
        std::thread killer([&] {
            try {
                for (const auto& [at, sig] : kills) {
                    std::this_thread::sleep_until(t0 + at);
                    const auto killed = Clock::now();
                    daemon.kill(sig);
                    if (daemon.wait(15s) < 0) throw std::runtime_error("daemon did not exit");
                    ++result.kills;
                    daemon.start();
                    result.max_downtime_s =
                        std::max(result.max_downtime_s,
                                 std::chrono::duration<double>(Clock::now() - killed).count());
                }
            } catch (const std::exception& e) {
                killer_error = e.what();
            }
        });

        // Every time-based transition (a delay, an escalation, a clear hold) is at least ~3 s
        // from the inputs that could move it, so a restart's downtime cannot change which
        // transitions happen, only when.
        const auto hr_value = [](double t) {
            if (t > 16.1 && t < 28.0) return -1.0;    // the HR feed is lost
            if (t >= 32.0 && t < 42.0) return 160.0;  // tachycardia
            return 75.0;
        };
        const auto reading = [&](const char* leaf, const std::string& body) {
            monitor.publish(std::string("clinic/chair-7/vitals/") + leaf,
                            "{" + body + R"(,"ts":")" + iso_now() + "\"}");
        };
        const auto latest_id = [&](const std::string& condition) {
            std::string id;
            for (const auto& m : nurse.messages("clinic/chair-7/alerts"))
                if (field(m, "condition") == condition) id = field(m, "alert_id");
            return id;
        };
        const auto ack = [&](const std::string& condition) {
            station.publish("clinic/chair-7/alerts/ack",
                            R"({"alert_id":")" + latest_id(condition) + R"(","by":"nurse-4"})");
        };
        // The station's and the cuff's messages, at their instants.
        std::vector<std::pair<double, std::function<void()>>> events = {
            {0.0,
             [&] {
                 station.publish("clinic/chair-7/session",
                                 R"({"action":"start","session_id":"IV-7","profile":"script"})");
             }},
            {1.0, [&] { reading("bp", R"("sbp":120,"dbp":80)"); }},
            {2.0, [&] { station.publish("clinic/chair-7/session", R"({"action":"dose_start"})"); }},
            {4.0, [&] { reading("bp", R"("sbp":185,"dbp":100)"); }},
            {7.0, [&] { reading("bp", R"("sbp":205,"dbp":110)"); }},
            {14.0, [&] { ack("sbp_high"); }},
            {52.0, [&] { ack("hr_high"); }},
            {55.0, [&] { reading("bp", R"("sbp":150,"dbp":85)"); }},
            {57.0, [&] { station.publish("clinic/chair-7/session", R"({"action":"dose_end"})"); }},
            {59.0, [&] { station.publish("clinic/chair-7/session", R"({"action":"end"})"); }},
        };
        std::size_t next = 0;
        for (double t = 0.2; t < std::chrono::duration<double>(script_length).count(); t += 0.5) {
            while (next < events.size() && events[next].first <= t) {
                std::this_thread::sleep_until(
                    t0 + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(events[next].first)));
                events[next++].second();
            }
            std::this_thread::sleep_until(
                t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t)));
            if (const double v = hr_value(t); v > 0)
                reading("hr", "\"hr\":" + std::to_string(static_cast<int>(v)));
        }
        while (next < events.size()) {
            std::this_thread::sleep_until(t0 +
                                          std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(events[next].first)));
            events[next++].second();
        }
        killer.join();
        if (!killer_error.empty()) throw std::runtime_error(killer_error);
        // The session's end closes everything; wait for the empty list after it.
        if (!nurse.wait_for(
                [](const Message& m) {
                    return field(m, "state") == "cleared" || m.topic == "clinic/chair-7/alarms";
                },
                10s))
            throw std::runtime_error("no alert at all");
        eventually(
            [&] {
                const auto lists = nurse.messages("clinic/chair-7/alarms");
                return !lists.empty() && lists.back().payload == "[]";
            },
            10s);
        std::set<std::string> seen;
        for (const auto& m : nurse.messages("clinic/chair-7/alerts")) {
            if (m.topic != "clinic/chair-7/alerts") continue;
            const auto o = m.json().as_object();
            Transition t{json_text(o, "alert_id"),
                         json_text(o, "condition"),
                         json_text(o, "state"),
                         json_text(o, "priority"),
                         json_text(o, "escalation_level"),
                         json_text(o, "acknowledged"),
                         json_text(o, "latched"),
                         json_text(o, "active"),
                         json_text(o, "onset"),
                         json_text(o, "ts")};
            // A QoS 1 message sent again after a restart is the same transition: one of them.
            if (!seen.insert(t.alert_id + " " + t.state + " " + t.ts).second) continue;
            result.by_alarm[t.alert_id].push_back(t);
        }
        const auto lists = nurse.messages("clinic/chair-7/alarms");
        result.final_list = lists.empty() ? "(none)" : lists.back().payload;
        const auto out = daemon.output();
        for (auto at = out.find("resumed from its log"); at != std::string::npos;
             at = out.find("resumed from its log", at + 1))
            ++result.resumed;
    } catch (const std::exception& e) {
        result.error = e.what();
    }
    return result;
}

std::string describe(const std::vector<Transition>& ts) {
    std::string out;
    for (const auto& t : ts)
        out += "  " + t.what() + "  onset=" + t.onset + " ts=" + t.ts + "\n";
    return out;
}

int env_int(const char* name, int otherwise) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : otherwise;
}

}  // namespace

TEST_CASE("killed at random instants, chairwatchd publishes every alarm as an uninterrupted run") {
    const int runs = env_int("CW_RESTART_RUNS", 3);
    const int kills_per_run = 7;
    const auto seed =
        static_cast<unsigned>(env_int("CW_RESTART_SEED", static_cast<int>(std::random_device{}())));
    MESSAGE("CW_RESTART_SEED=" << seed << " CW_RESTART_RUNS=" << runs);
    std::mt19937 rng(seed);

    std::vector<std::future<RunResult>> futures;
    futures.push_back(std::async(std::launch::async, [] { return run_session("whole", {}); }));
    for (int r = 0; r < runs; ++r) {
        // Kills spread over the session, at least 2.5 s apart (time to come back online).
        std::vector<std::pair<Clock::duration, int>> kills;
        std::uniform_real_distribution<double> gap(
            2.5, 2.5 + (46.0 - 2.5 * kills_per_run) / kills_per_run * 2);
        double t = 0.3 + std::uniform_real_distribution<double>(0, 2.0)(rng);
        for (int k = 0; k < kills_per_run && t < 58.0; ++k) {
            kills.emplace_back(
                std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t)),
                rng() % 2 ? SIGKILL : SIGTERM);
            t += gap(rng);
        }
        futures.push_back(std::async(std::launch::async, [r, kills] {
            return run_session("killed-" + std::to_string(r), kills);
        }));
    }
    std::vector<RunResult> results;
    for (auto& f : futures)
        results.push_back(f.get());

    const auto& whole = results[0];
    REQUIRE_MESSAGE(whole.error.empty(), whole.error);
    // The uninterrupted run did what the script is for.
    std::map<std::string, std::string> conditions;  // condition -> alert id
    for (const auto& [id, ts] : whole.by_alarm)
        conditions[ts.front().condition] = id;
    REQUIRE(conditions.size() == 3);
    const auto& sbp = whole.by_alarm.at(conditions.at("sbp_high"));
    const auto& feed = whole.by_alarm.at(conditions.at("hr_feed_lost"));
    const auto& hr = whole.by_alarm.at(conditions.at("hr_high"));
    const std::string sbp_story = describe(sbp), feed_story = describe(feed),
                      hr_story = describe(hr);
    CHECK_MESSAGE(sbp_story.find("sbp_high escalated high esc=1") != std::string::npos, sbp_story);
    CHECK_MESSAGE(sbp_story.find("sbp_high acknowledged") != std::string::npos, sbp_story);
    CHECK_MESSAGE(feed_story.find("hr_feed_lost updated medium") != std::string::npos, feed_story);
    CHECK_MESSAGE(feed_story.find("hr_feed_lost cleared") != std::string::npos, feed_story);
    CHECK_MESSAGE(hr_story.find("latched=true") != std::string::npos, hr_story);
    CHECK_MESSAGE(hr_story.find("hr_high acknowledged") != std::string::npos, hr_story);
    CHECK(whole.final_list == "[]");

    int kills = 0, resumed = 0;
    for (std::size_t r = 1; r < results.size(); ++r) {
        const auto& run = results[r];
        CAPTURE(run.kill_plan);
        MESSAGE("run " << r << ": longest downtime " << run.max_downtime_s << " s");
        REQUIRE_MESSAGE(run.error.empty(), run.error);
        kills += run.kills;
        resumed += run.resumed;
        CHECK(run.final_list == "[]");
        const auto every_alarm = [](const RunResult& result) {
            std::string out;
            for (const auto& [id, ts] : result.by_alarm)
                out += id + ":\n" + describe(ts);
            return out;
        };
        REQUIRE_MESSAGE(run.by_alarm.size() == whole.by_alarm.size(), "uninterrupted:\n"
                                                                          << every_alarm(whole)
                                                                          << "with restarts:\n"
                                                                          << every_alarm(run));
        for (const auto& [id, expected] : whole.by_alarm) {
            CAPTURE(id);
            REQUIRE_MESSAGE(run.by_alarm.count(id), "no alarm " << id);
            const auto& got = run.by_alarm.at(id);
            std::string want, have;
            for (const auto& t : expected)
                want += t.what() + "\n";
            for (const auto& t : got)
                have += t.what() + "\n";
            CHECK_MESSAGE(have == want, "uninterrupted:\n"
                                            << describe(expected) << "with restarts:\n"
                                            << describe(got));
            for (const auto& t : got)  // one alarm, one onset, before and after every restart
                CHECK_MESSAGE(t.onset == got.front().onset, describe(got));
        }
    }
    MESSAGE(kills << " restarts (kill -9 and SIGTERM) compared with an uninterrupted run");
    CHECK(kills >= 3 * 7 - 1);
    CHECK(resumed >= kills / 2);  // most kills fall inside the session
}
