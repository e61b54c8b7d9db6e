#include "tools/simulator/simulator.hpp"

#include <unistd.h>

#include <mqtt/async_client.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "cli/cli.hpp"
#include "tools/simulator/monitor_links.hpp"
#include "tools/subcommands.hpp"

namespace chairwatch::sim {
namespace {

using namespace std::chrono_literals;

constexpr const char* footer =
    "Publishes simulated vitals of chair-01..chair-NN (IV ketamine 0.5 mg/kg over the dose\n"
    "time). chair-01 surges, chair-02 is normal, later chairs surge 1 in 4 (seeded);\n"
    "--surge 1,3 names the surging chairs instead. --speed 120: 1 simulated minute per 0.5 s.\n"
    "Each session is steered by start/dose_start/dose_end/end messages unless --implicit.\n"
    "--ack-after 3: a simulated nurse acknowledges each alarm 3 real seconds after it is raised,\n"
    "escalated or latched.\n"
    "--clock real (the default): readings carry the real time of sending, which chairwatchd\n"
    "accepts with any config; a session's own clock (baseline spacing, observation length) then\n"
    "runs at real speed. --clock simulated: they carry the simulated time, which keeps those\n"
    "spans but runs ahead of real time above --speed 1; chairwatchd refuses readings more than\n"
    "input.max_future_s ahead (300 s shipped), so raise it first (scripts/demo.sh does).\n"
    "--monitor-links: each chair's monitor has its own connection with a last will and says it\n"
    "is online on <prefix>/<chair>/monitor; --link-drop 2 drops chair-02's link at its dose\n"
    "start (the broker sends the will) for --link-drop-s real seconds, its readings stopped.";

// Deliveries we let run ahead of the pacing loop. Paho C stalls for good when publishes queue
// up behind its in-flight limit, so that limit is set above this bound and never reached.
constexpr std::size_t max_pending_tokens = 1000;
constexpr int max_inflight = static_cast<int>(2 * max_pending_tokens);
constexpr auto delivery_timeout = 10s;
constexpr int max_stagger_s = 60;

[[noreturn]] void usage_error(std::string_view flag, std::string_view why) {
    throw CLI::ValidationError(std::string(flag), std::string(why));
}

template <typename T>
T to_number(std::string_view flag, std::string_view v, T lo, T hi) {
    T out{};
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || end != v.data() + v.size()) usage_error(flag, "not a number");
    if (out < lo || out > hi) usage_error(flag, "out of range");
    return out;
}

std::vector<int> to_chair_list(std::string_view v) {
    std::vector<int> chairs;
    while (!v.empty()) {
        const auto comma = std::min(v.find(','), v.size());
        chairs.push_back(to_number("--surge", v.substr(0, comma), 1, 999));
        v.remove_prefix(std::min(comma + 1, v.size()));
    }
    return chairs;
}

// A whole number of minutes in [lo, hi] into seconds.
void add_minutes(CLI::App& app, const char* name, int& seconds, int lo, int hi, const char* what) {
    app.add_option_function<int>(
           name, [&seconds](const int& m) { seconds = 60 * m; }, what)
        ->type_name("MIN")
        ->check(CLI::Range(lo, hi))
        ->default_str(std::to_string(seconds / 60));
}

void add_options(CLI::App& app, SimulateOptions& o) {
    app.add_option("--broker", o.broker, "MQTT broker, e.g. tcp://127.0.0.1:1883")
        ->type_name("URI")
        ->required();
    app.add_option("--chairs", o.chairs, "number of chairs")
        ->type_name("N")
        ->check(CLI::Range(1, 999))
        ->required();
    app.add_option("--speed", o.speed, "simulated seconds per real second")
        ->type_name("X")
        ->check(CLI::Range(0.001, 1e6))
        ->required();
    app.add_option("--seed", o.seed, "random seed")->type_name("S")->capture_default_str();
    app.add_option("--prefix", o.prefix, "topic prefix")
        ->type_name("PREFIX")
        ->capture_default_str();
    app.add_option("--qos", o.qos, "QoS of the readings")
        ->check(CLI::Range(0, 2))
        ->type_name("0-2")
        ->capture_default_str();
    add_minutes(app, "--baseline-min", o.timeline.baseline_s, 0, 240, "baseline before the dose");
    add_minutes(app, "--dose-min", o.timeline.dose_s, 1, 240, "length of the infusion");
    add_minutes(app, "--observation-min", o.timeline.observation_s, 0, 480,
                "observation after the dose");
    app.add_option_function<std::string>(
           "--surge", [&o](const std::string& v) { o.surge = to_chair_list(v); },
           "the chairs that surge, e.g. 1,3")
        ->type_name("CHAIRS");
    app.add_option("--profile", o.profile, "profile named in each session's start message")
        ->type_name("NAME")
        ->capture_default_str();
    app.add_flag_callback(
        "--implicit", [&o] { o.session_messages = false; },
        "no session messages: chairwatchd opens and ends sessions by itself");
    app.add_option("--ack-after", o.ack_after_s,
                   "a simulated nurse acknowledges each alarm this long after it is raised")
        ->type_name("SECONDS")
        ->check(CLI::Range(0.0, 3600.0));
    app.add_option_function<std::string>(
           "--clock", [&o](const std::string& v) { o.simulated_clock = v == "simulated"; },
           "the time readings carry: real or simulated (see below)")
        ->type_name("CLOCK")
        ->check(CLI::IsMember({"real", "simulated"}))
        ->default_str("real");
    app.add_flag("--quiet", o.quiet, "print nothing but errors");
    app.add_flag("--monitor-links", o.monitor_links,
                 "each chair's monitor says it is online on <prefix>/<chair>/monitor (retained), "
                 "with the last will {\"online\":false} (a tcp:// broker)");
    app.add_option("--link-drop", o.link_drop,
                   "this chair's monitor loses its link at the dose start (with --monitor-links)")
        ->type_name("CHAIR")
        ->check(CLI::Range(1, 999));
    app.add_option("--link-drop-s", o.link_drop_s, "how long the link stays lost (real seconds)")
        ->type_name("SECONDS")
        ->check(CLI::Range(1.0, 3600.0))
        ->capture_default_str();
}

void validate(const SimulateOptions& o) {
    if (o.prefix.empty() || o.prefix.find_first_of("+#") != std::string::npos)
        usage_error("--prefix", "must be non-empty, without + or #");
    if (o.link_drop > 0 && !o.monitor_links) usage_error("--link-drop", "needs --monitor-links");
    if (o.link_drop > o.chairs) usage_error("--link-drop", "chair > --chairs");
    for (int c : o.surge.value_or(std::vector<int>{}))
        if (c > o.chairs) usage_error("--surge", "chair " + std::to_string(c) + " > --chairs");
}

// Sends each publish without waiting; keeps the count of tokens in flight bounded.
class Publisher {
  public:
    Publisher(const std::string& broker, int qos)
        : client_(broker, "chairwatch-sim-" + std::to_string(::getpid()), create_options()),
          qos_(qos) {}

    void connect() {
        auto opts = mqtt::connect_options_builder()
                        .clean_session(true)
                        .connect_timeout(5s)
                        .max_inflight(max_inflight)
                        .finalize();
        if (!client_.connect(opts)->wait_for(6s)) throw std::runtime_error("connect timed out");
    }

    void publish(const mqtt::string_ref& topic, std::string_view payload) {
        pending_.push_back(client_.publish(topic, payload.data(), payload.size(), qos_, false));
        ++published_;
        while (!pending_.empty() && pending_.front()->is_complete())
            pop_front();
        if (pending_.size() > max_pending_tokens) drain(max_pending_tokens / 2);
    }

    void finish() {
        drain(0);
        client_.disconnect()->wait_for(10s);
    }

    std::uint64_t published() const { return published_; }

  private:
    // Paho C refuses a publish when more than maxBufferedMessages (default 100) are queued,
    // even while connected; our own bound on pending tokens keeps the queue below this.
    static mqtt::create_options create_options() {
        mqtt::create_options opts;
        opts.set_max_buffered_messages(max_inflight);
        return opts;
    }

    // Waits for the oldest tokens; a failed or stuck delivery throws.
    void drain(std::size_t keep) {
        while (pending_.size() > keep)
            pop_front();
    }
    void pop_front() {
        if (!pending_.front()->wait_for(delivery_timeout))
            throw std::runtime_error("a delivery was not confirmed within 10 s");
        pending_.pop_front();
    }

    mqtt::async_client client_;
    int qos_;
    std::deque<mqtt::delivery_token_ptr> pending_;
    std::uint64_t published_ = 0;
};

struct Chair {
    int number;
    std::string name;
    Scenario scenario;
    int start_s;  // simulated second of the run at which this chair's session starts
    mqtt::string_ref bp_topic, hr_topic, spo2_topic, session_topic;
};

struct Counts {
    std::uint64_t bp = 0, hr = 0, spo2 = 0, hr_spikes = 0, hr_zeros = 0;
};

std::vector<Chair> make_chairs(const SimulateOptions& o) {
    std::vector<Chair> chairs;
    for (int n = 1; n <= o.chairs; ++n) {
        auto kind = default_kind(o.seed, n);
        if (o.surge)
            kind = std::ranges::find(*o.surge, n) != o.surge->end() ? ScenarioKind::surge
                                                                    : ScenarioKind::normal;
        std::array<char, 24> name{};
        std::snprintf(name.data(), name.size(), "chair-%02d", n);
        const std::string base = o.prefix + "/" + name.data() + "/vitals/";
        chairs.push_back(Chair{n, name.data(), Scenario(chair_seed(o.seed, n), kind, o.timeline),
                               (n - 1) % max_stagger_s, base + "bp", base + "hr", base + "spo2",
                               o.prefix + "/" + name.data() + "/session"});
    }
    return chairs;
}

std::string clock_text(int s) {
    std::array<char, 24> buf{};
    std::snprintf(buf.data(), buf.size(), "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    return buf.data();
}

std::string phase_text(const Scenario& sc, int t) {
    const Timeline& tl = sc.timeline();
    switch (sc.phase(t)) {
        case Phase::baseline:
            return "baseline +" + std::to_string(t / 60) + "m";
        case Phase::dosing:
            return "dosing +" + std::to_string((t - tl.dose_start_s()) / 60) + "m";
        case Phase::observation:
            break;
    }
    return "observation +" + std::to_string((t - tl.dose_end_s()) / 60) + "m";
}

// `streams`: HR and SpO2 too, not only a cuff reading that falls due.
void publish_vitals(Publisher& pub, const Chair& c, const Vitals& v, double ts, bool streams,
                    Counts& n) {
    std::array<char, 128> buf{};
    if (v.bp) {
        const int len =
            std::snprintf(buf.data(), buf.size(), R"({"ts":%.3f,"sbp":%d,"dbp":%d,"map":%d})", ts,
                          v.bp->sbp, v.bp->dbp, v.bp->map);
        pub.publish(c.bp_topic, {buf.data(), static_cast<std::size_t>(len)});
        ++n.bp;
    }
    if (!streams) return;
    const int hr_len = std::snprintf(buf.data(), buf.size(), R"({"ts":%.3f,"hr":%d})", ts, v.hr);
    pub.publish(c.hr_topic, {buf.data(), static_cast<std::size_t>(hr_len)});
    // Odd chairs send SpO2 as JSON, even chairs as a plain number: the daemon accepts both.
    // (HR always carries its time: the baseline is measured on it.)
    const int spo2_len = c.number % 2 == 1 ? std::snprintf(buf.data(), buf.size(),
                                                           R"({"ts":%.3f,"spo2":%d})", ts, v.spo2)
                                           : std::snprintf(buf.data(), buf.size(), "%d", v.spo2);
    pub.publish(c.spo2_topic, {buf.data(), static_cast<std::size_t>(spo2_len)});
    n.hr += 1;
    n.spo2 += 1;
    n.hr_spikes += v.artifact == Artifact::hr_spike ? 1 : 0;
    n.hr_zeros += v.artifact == Artifact::hr_zero ? 1 : 0;
}

void log_cuff(const Chair& c, const Vitals& v, int run_s, int t) {
    std::printf("[sim +%s] %s NIBP %d/%d (MAP %d)  HR %d  %s\n", clock_text(run_s).c_str(),
                c.name.c_str(), v.bp->sbp, v.bp->dbp, v.bp->map, v.hr,
                phase_text(c.scenario, t).c_str());
}

// The session messages a chair's nurse station sends at the phase boundaries.
// `end` goes after the last vitals of its second, the others before.
void publish_session_message(Publisher& pub, const Chair& c, int t, double ts,
                             const SimulateOptions& o, bool after_vitals) {
    const Timeline& tl = c.scenario.timeline();
    std::array<char, 320> buf{};
    int len = 0;
    if (after_vitals != (t == tl.end_s())) return;
    if (t == 0) {
        len = std::snprintf(
            buf.data(), buf.size(),
            R"({"ts":%.3f,"action":"start","profile":"%s","route":"iv","weight_kg":%d,)"
            R"("dose_mg_per_kg":0.5,"planned_duration_min":%d,"patient_ref":"sim-%s"})",
            ts, o.profile.c_str(), 55 + static_cast<int>(chair_seed(o.seed, c.number) % 40),
            tl.dose_s / 60, c.name.c_str());
    } else if (t == tl.dose_start_s() || t == tl.dose_end_s() || t == tl.end_s()) {
        const char* action = t == tl.dose_start_s() ? "dose_start"
                             : t == tl.dose_end_s() ? "dose_end"
                                                    : "end";
        len = std::snprintf(buf.data(), buf.size(), R"({"ts":%.3f,"action":"%s"})", ts, action);
    }
    if (len > 0) pub.publish(c.session_topic, {buf.data(), static_cast<std::size_t>(len)});
}

// A nurse at the station: acknowledges every alarm that asks for it, `ack_after_s` later.
class Nurse {
  public:
    explicit Nurse(const SimulateOptions& o)
        : client_(o.broker, "chairwatch-sim-nurse-" + std::to_string(::getpid())),
          delay_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(o.ack_after_s))),
          prefix_(o.prefix) {
        client_.set_message_callback(
            [this](mqtt::const_message_ptr m) { on_alert(m->get_payload_str()); });
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())
            ->wait_for(5s);
        client_.subscribe(prefix_ + "/+/alerts", 1)->wait_for(5s);
    }
    ~Nurse() {
        try {
            client_.disable_callbacks();
            client_.disconnect()->wait_for(2s);
        } catch (const std::exception&) {
        }
    }

    void acknowledge_due(Publisher& pub) {
        std::vector<Due> due;
        {
            std::lock_guard lock(mu_);
            const auto now = std::chrono::steady_clock::now();
            while (!queue_.empty() && queue_.front().at <= now) {
                due.push_back(queue_.front());
                queued_.erase(queue_.front().alert_id);
                queue_.pop_front();
            }
        }
        for (const auto& d : due) {
            const auto payload = boost::json::serialize(
                boost::json::object{{"alert_id", d.alert_id}, {"by", "sim-nurse"}});
            pub.publish(prefix_ + "/" + d.chair + "/alerts/ack", payload);
        }
    }

  private:
    struct Due {
        std::chrono::steady_clock::time_point at;
        std::string chair, alert_id;
    };

    // Runs on Paho's thread: only queues.
    void on_alert(const std::string& payload) {
        boost::system::error_code ec;
        auto v = boost::json::parse(payload, ec);
        if (ec || !v.is_object()) return;
        const auto& o = v.as_object();
        auto str = [&](const char* k) {
            auto* f = o.if_contains(k);
            return f && f->is_string() ? std::string(f->get_string()) : std::string();
        };
        auto flag = [&](const char* k) {
            auto* f = o.if_contains(k);
            return f && f->is_bool() && f->get_bool();
        };
        const auto state = str("state");
        const bool wants = !flag("acknowledged") && str("kind") != "advisory" &&
                           (state == "raised" || state == "updated" || state == "escalated" ||
                            (state == "cleared" && flag("latched")));
        // Anyone may publish on the alert topics: a chair that is no topic level is not one.
        const auto chair = str("chair");
        if (!wants || chair.empty() || chair.find_first_of("/+#") != std::string::npos) return;
        std::lock_guard lock(mu_);
        if (!queued_.insert(str("alert_id")).second) return;
        queue_.push_back({std::chrono::steady_clock::now() + delay_, chair, str("alert_id")});
    }

    mqtt::async_client client_;
    std::chrono::steady_clock::duration delay_;
    std::string prefix_;
    std::mutex mu_;
    std::deque<Due> queue_;
    std::set<std::string> queued_;
};

std::int64_t epoch_ms() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

// The time the messages of each simulated second carry (epoch seconds): the simulated time, or
// the real time of sending, at least a millisecond after the previous second's (chairwatchd
// drops a reading with the same device time as the one before it as a repeat).
class DeviceClock {
  public:
    explicit DeviceClock(bool simulated) : simulated_(simulated), start_ms_(epoch_ms()) {}
    double at(int s) {
        last_ms_ = simulated_ ? start_ms_ + 1000LL * s : std::max(epoch_ms(), last_ms_ + 1);
        return static_cast<double>(last_ms_) / 1000.0;
    }

  private:
    bool simulated_;
    std::int64_t start_ms_;
    std::int64_t last_ms_ = 0;
};

// Advances simulated time a second at a time for every chair, paced on the steady clock. A
// monitor streams HR and SpO2 about once a second; sped up, every simulated second's sample
// would make a chair send hundreds of messages a second, which chairwatchd refuses as a flood
// (input.max_messages_per_chair_s). So the streams are thinned to about two samples a real
// second; cuff readings all go out.
// The dropped monitor of --link-drop: lost at its chair's dose start, back `link_drop_s` later.
class LinkDrop {
  public:
    LinkDrop(MonitorLinks* links, const SimulateOptions& o) : links_(links), o_(o) {}
    // Before the chair's second `t`; true if its monitor is online (its readings go out).
    bool online(const Chair& c, int t) {
        if (!links_) return true;
        const auto i = static_cast<std::size_t>(c.number - 1);
        if (c.number == o_.link_drop && t == c.scenario.timeline().dose_start_s()) {
            links_->drop(i);
            back_at_ = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(o_.link_drop_s));
            if (!o_.quiet) std::printf("[sim] %s: monitor link dropped\n", c.name.c_str());
        } else if (!links_->online(i) && std::chrono::steady_clock::now() >= back_at_) {
            links_->restore(i);
            if (!o_.quiet) std::printf("[sim] %s: monitor link back\n", c.name.c_str());
        }
        return links_->online(i);
    }

  private:
    MonitorLinks* links_;
    const SimulateOptions& o_;
    std::chrono::steady_clock::time_point back_at_{};
};

Counts publish_run(Publisher& pub, const std::vector<Chair>& chairs, const SimulateOptions& o,
                   Nurse* nurse, MonitorLinks* links) {
    LinkDrop drop(links, o);
    Counts counts;
    const int stream_every = std::max(1, static_cast<int>(o.speed / 2));
    DeviceClock clock(o.simulated_clock);
    const auto start = std::chrono::steady_clock::now();
    const int last_s = chairs.back().start_s + o.timeline.end_s();
    for (int s = 0; s <= last_s; ++s) {
        const auto due = std::chrono::duration<double>(s / o.speed);
        std::this_thread::sleep_until(
            start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(due));
        if (nurse) nurse->acknowledge_due(pub);
        const double ts = clock.at(s);
        for (const Chair& c : chairs) {
            if (o.session_messages) publish_session_message(pub, c, s - c.start_s, ts, o, false);
            const auto v = c.scenario.at(s - c.start_s);
            if (!v) continue;
            // A monitor without its link sends nothing; the nurse station's messages still go.
            const bool online = drop.online(c, s - c.start_s);
            if (online) publish_vitals(pub, c, *v, ts, (s - c.start_s) % stream_every == 0, counts);
            if (o.session_messages) publish_session_message(pub, c, s - c.start_s, ts, o, true);
            if (online && v->bp && !o.quiet) log_cuff(c, *v, s, s - c.start_s);
        }
    }
    return counts;
}

void print_summary(const Counts& n, std::uint64_t total, const SimulateOptions& o, int last_s,
                   double real_s) {
    std::printf("[sim +%s] done: %" PRIu64 " messages published (bp %" PRIu64 ", hr %" PRIu64
                ", spo2 %" PRIu64 "; hr artifacts: %" PRIu64 " spikes, %" PRIu64
                " sensor-off) for %d chairs in %.1f s (%.1f s at %gx)\n",
                clock_text(last_s).c_str(), total, n.bp, n.hr, n.spo2, n.hr_spikes, n.hr_zeros,
                o.chairs, real_s, last_s / o.speed, o.speed);
}

// The connected publisher, or nothing after saying on stderr why the broker is unreachable.
std::unique_ptr<Publisher> connect_publisher(const SimulateOptions& o) {
    try {
        auto pub = std::make_unique<Publisher>(o.broker, o.qos);
        pub->connect();
        return pub;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "chairwatch simulate: cannot connect to broker %s: %s\n",
                     o.broker.c_str(), e.what());
        return nullptr;
    }
}

// What the chosen clock means for chairwatchd at this speed, when it matters (on stderr).
void explain_clock(const SimulateOptions& o, int last_s) {
    const double lead_s = last_s - last_s / o.speed;  // simulated ahead of real at the end
    if (o.simulated_clock && lead_s > 300)
        std::fprintf(stderr,
                     "chairwatch simulate: with --clock simulated at %gx the readings run up to "
                     "%.0f s ahead of real time; chairwatchd refuses readings more than "
                     "input.max_future_s ahead (300 s in the shipped config): set it to at least "
                     "%.0f there, or use --clock real\n",
                     o.speed, lead_s, lead_s + 60);
    else if (o.simulated_clock && -lead_s > 1200)
        std::fprintf(stderr,
                     "chairwatch simulate: with --clock simulated at %gx the readings fall up to "
                     "%.0f s behind real time; chairwatchd refuses readings more than "
                     "input.max_age_s behind (1200 s in the shipped config): set it to at least "
                     "%.0f there, or use --clock real\n",
                     o.speed, -lead_s, 60 - lead_s);
    else if (!o.simulated_clock && o.speed > 1)
        std::fprintf(stderr,
                     "chairwatch simulate: readings carry the real time of sending (--clock "
                     "real): at %gx the baseline and observation, which chairwatchd measures on "
                     "the devices' clock, span 1/%g of their simulated length, so baselines and "
                     "discharge readiness may not form (--clock simulated: see --help)\n",
                     o.speed, o.speed);
}

int simulate(const SimulateOptions& o) {
    const auto chairs = make_chairs(o);
    if (!o.quiet) explain_clock(o, chairs.back().start_s + o.timeline.end_s());
    const auto pub = connect_publisher(o);
    if (!pub) return 1;
    const auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Nurse> nurse;
    if (o.ack_after_s >= 0) nurse = std::make_unique<Nurse>(o);
    std::unique_ptr<MonitorLinks> links;
    if (o.monitor_links) {
        std::vector<std::string> names;
        for (const auto& c : chairs)
            names.push_back(c.name);
        links = std::make_unique<MonitorLinks>(o.broker, o.prefix, names);
    }
    const Counts counts = publish_run(*pub, chairs, o, nurse.get(), links.get());
    if (links) links->finish();
    pub->finish();
    const std::chrono::duration<double> real = std::chrono::steady_clock::now() - start;
    if (!o.quiet)
        print_summary(counts, pub->published(), o, chairs.back().start_s + o.timeline.end_s(),
                      real.count());
    return 0;
}

}  // namespace

SimulateOptions parse_simulate_args(int argc, char** argv) {
    SimulateOptions o;
    CLI::App app{"", "simulate"};
    add_options(app, o);
    try {
        app.parse(argc, argv);
        validate(o);
    } catch (const CLI::ParseError& e) {
        throw std::invalid_argument(e.what());
    }
    return o;
}

}  // namespace chairwatch::sim

namespace chairwatch::tools {

Subcommand add_simulate(CLI::App& chairwatch) {
    auto* app =
        chairwatch.add_subcommand("simulate", "publish simulated chair vitals to an MQTT broker");
    cli::setup(*app, sim::footer);
    auto o = std::make_shared<sim::SimulateOptions>();
    sim::add_options(*app, *o);
    return {app, [app, o] {
                try {
                    sim::validate(*o);
                } catch (const CLI::ParseError& e) {
                    return cli::usage_error(*app, e);
                }
                try {
                    return sim::simulate(*o);
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "chairwatch simulate: %s\n", e.what());
                    return 1;
                }
            }};
}

}  // namespace chairwatch::tools
