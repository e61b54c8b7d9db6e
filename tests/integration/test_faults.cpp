// Faults provoked for real: the broker stopped mid-surge, the daemon killed -9 with alerts
// still queued, a restart in the middle of a session, an unwritable log directory, readings
// with impossible timestamps. Each test checks that no alert was lost.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace chairwatch::it;
namespace fs = std::filesystem;

namespace {

// One alert as the nurses see it; equal when it is the same transition of the same alarm.
struct Seen {
    std::string alert_id, state, ts;
    bool operator==(const Seen&) const = default;
};

std::string text(const boost::json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Every line of every session log of `chair` (a line being written is skipped).
std::vector<boost::json::object> log_lines(const std::string& log_dir, const std::string& chair) {
    std::vector<boost::json::object> out;
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(log_dir + "/" + chair, ec))
        if (e.path().extension() == ".jsonl") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::istringstream in(read_file(f.string()));
        for (std::string line; std::getline(in, line);) {
            boost::system::error_code pe;
            auto v = boost::json::parse(line, pe);
            if (!pe && v.is_object()) out.push_back(v.as_object());
        }
    }
    return out;
}

// The alarm transitions the daemon recorded: what it owes the nurses, in order.
std::vector<Seen> logged(const std::string& log_dir, const std::string& chair) {
    std::vector<Seen> out;
    for (const auto& l : log_lines(log_dir, chair))
        if (text(l, "type") == "alarm")
            out.push_back({text(l, "alert_id"), text(l, "state"), text(l, "ts")});
    return out;
}

// What a station received on the chair's alert topic, in order (QoS 1 redeliveries folded).
std::vector<Seen> received(const Client& station, const std::string& chair) {
    std::vector<Seen> out;
    for (const auto& m : station.messages("clinic/" + chair + "/alerts")) {
        if (m.topic != "clinic/" + chair + "/alerts") continue;
        auto v = m.json();
        if (!v.is_object()) continue;
        Seen s{text(v.as_object(), "alert_id"), text(v.as_object(), "state"),
               text(v.as_object(), "ts")};
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
}

std::string describe(const std::vector<Seen>& v) {
    std::string s;
    for (const auto& x : v)
        s += "\n  " + x.alert_id + " " + x.state + " " + x.ts;
    return s.empty() ? " (none)" : s;
}

bool has_alarm(const std::string& log_dir, const std::string& chair, const std::string& cond) {
    for (const auto& l : log_lines(log_dir, chair))
        if (text(l, "type") == "alarm" && text(l, "condition") == cond) return true;
    return false;
}

std::string fault_config() {
    return shipped_config({{"  keepalive_s: 30\n", "  keepalive_s: 30\n  reconnect_max_s: 2\n"}});
}

long long epoch_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The daemon's own technical alarm about its session logs, in the given state.
std::function<bool(const Message&)> log_alarm(const std::string& state) {
    return [state](const Message& m) {
        return m.topic == "clinic/chairwatchd/alerts" &&
               field(m, "condition") == "session_log_failed" && field(m, "state") == state;
    };
}

ClientOptions station_options(const std::string& id) {
    ClientOptions o;
    o.id = id;
    o.persistent = true;
    return o;
}

}  // namespace

TEST_CASE("broker stopped mid-surge: every alert arrives after it returns, in order, none lost") {
    Broker broker(BrokerOptions{true, {}, {}});
    Daemon daemon(broker, fault_config());
    daemon.start();
    Client station(broker.uri(), station_options("station-outage"));
    station.subscribe("clinic/+/alerts");
    const std::vector<std::string> chairs{"chair-11", "chair-12", "chair-13", "chair-14"};
    {
        Client monitor(broker.uri());
        for (const auto& c : chairs) {
            monitor.publish("clinic/" + c + "/vitals/hr", R"({"hr":84})");
            monitor.publish("clinic/" + c + "/vitals/bp", R"({"sbp":186,"dbp":102})");
        }
        REQUIRE(eventually(
            [&] {
                for (const auto& c : chairs)
                    if (received(station, c).empty()) return false;
                return true;
            },
            10s));
    }

    // The broker goes away. The HR feeds fall silent with it, so every chair raises its
    // technical feed alarm while there is no broker to carry it.
    broker.stop();
    REQUIRE(eventually(
        [&] {
            for (const auto& c : chairs)
                if (!has_alarm(daemon.log_dir(), c, "hr_feed_lost")) return false;
            return true;
        },
        30s));
    const auto outage_alerts = [&] {
        std::size_t n = 0;
        for (const auto& c : chairs)
            n += logged(daemon.log_dir(), c).size() - received(station, c).size();
        return n;
    }();
    CHECK(outage_alerts >= chairs.size());
    broker.start();

    // Every transition the daemon recorded reaches the station exactly as recorded: same ids,
    // states and original times, in the same order.
    const bool complete = eventually(
        [&] {
            for (const auto& c : chairs)
                if (received(station, c) != logged(daemon.log_dir(), c)) return false;
            return true;
        },
        30s);
    for (const auto& c : chairs)
        INFO(c, " logged:", describe(logged(daemon.log_dir(), c)),
             "\nreceived:", describe(received(station, c)));
    CHECK(complete);
    for (const auto& c : chairs)
        CHECK_MESSAGE(received(station, c) == logged(daemon.log_dir(), c), c,
                      " logged:", describe(logged(daemon.log_dir(), c)),
                      "\nreceived:", describe(received(station, c)));
    CHECK(daemon.output().find("BROKER CONNECTION LOST") != std::string::npos);
    CHECK(daemon.output().find("broker connection restored") != std::string::npos);
}

TEST_CASE("alerts queued while the broker is down survive a kill -9 of the daemon") {
    Broker broker(BrokerOptions{true, {}, {}});
    Daemon daemon(broker, fault_config());
    daemon.start();
    Client station(broker.uri(), station_options("station-crash"));
    station.subscribe("clinic/+/alerts");
    const std::vector<std::string> chairs{"chair-21", "chair-22"};
    {
        Client monitor(broker.uri());
        for (const auto& c : chairs)
            monitor.publish("clinic/" + c + "/vitals/hr", R"({"hr":78})");
    }
    REQUIRE(eventually([&] { return !log_lines(daemon.log_dir(), "chair-22").empty(); }));
    broker.stop();
    REQUIRE(eventually(
        [&] {
            for (const auto& c : chairs)
                if (!has_alarm(daemon.log_dir(), c, "hr_feed_lost")) return false;
            return true;
        },
        30s));
    std::map<std::string, std::vector<Seen>> before;
    for (const auto& c : chairs)
        before[c] = logged(daemon.log_dir(), c);

    daemon.kill(SIGKILL);
    REQUIRE(daemon.wait(5s) == 128 + SIGKILL);
    broker.start();
    daemon.start();  // the same log and queue directories

    // The alerts the dead daemon had queued on disk arrive; the restarted daemon resumes the
    // sessions and does not raise their alarms again under new ids.
    for (const auto& c : chairs) {
        REQUIRE(before[c].size() == 1);
        CHECK_MESSAGE(eventually(
                          [&] {
                              auto got = received(station, c);
                              return !got.empty() && got.front() == before[c].front();
                          },
                          20s),
                      c, " queued before the kill:", describe(before[c]),
                      "\nreceived:", describe(received(station, c)));
        for (const auto& s : received(station, c))
            CHECK_MESSAGE(s.alert_id == before[c].front().alert_id, describe(received(station, c)));
        CHECK(daemon.output().find("on chair " + c + " resumed from its log") != std::string::npos);
    }
}

TEST_CASE(
    "kill -9 mid-session: the restarted daemon continues the same session, log and alarm ids; "
    "SIGTERM suspends and resumes the same way") {
    Broker broker;
    Daemon daemon(broker, fault_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-31/alerts");
    nurse.subscribe("clinic/chair-31/alerts/ack/result");
    Client chair(broker.uri());
    chair.publish("clinic/chair-31/session",
                  R"({"action":"start","session_id":"S-31","profile":"iv-ketamine",)"
                  R"("patient_ref":"MRN-0031-SECRET"})");
    chair.publish("clinic/chair-31/vitals/hr", R"({"hr":82})");
    chair.publish("clinic/chair-31/vitals/bp", R"({"sbp":212,"dbp":112})");
    chair.publish("clinic/chair-31/vitals/bp", R"({"sbp":214,"dbp":113})");
    auto high = nurse.wait_for([](const Message& m) {
        return field(m, "condition") == "sbp_high" && field(m, "priority") == "high";
    });
    REQUIRE(high);
    const auto id = field(*high, "alert_id");
    CHECK(id.rfind("chair-31:S-31:a", 0) == 0);
    // Logged before it was published, so no wait here: the kill can come at any moment.
    const auto logged = [&] {
        for (const auto& l : log_lines(daemon.log_dir(), "chair-31"))
            if (text(l, "type") == "alarm" && text(l, "alert_id") == id &&
                text(l, "priority") == "high")
                return true;
        return false;
    };
    CHECK(logged());

    daemon.kill(SIGKILL);
    REQUIRE(daemon.wait(5s) == 128 + SIGKILL);
    // Published while the daemon is dead: the broker keeps it for chairwatchd's persistent
    // session and delivers it on reconnection.
    chair.publish("clinic/chair-31/vitals/hr", R"({"hr":97})");
    daemon.start();
    CHECK(daemon.output().find("session S-31 on chair chair-31 resumed from its log") !=
          std::string::npos);
    CHECK(eventually([&] {
        for (const auto& l : log_lines(daemon.log_dir(), "chair-31"))
            if (text(l, "type") == "reading" && l.at("value").to_number<double>() == 97.0)
                return true;
        return false;
    }));

    // The latched alarm is still there under its id: the nurse acknowledges it.
    nurse.clear();
    chair.publish("clinic/chair-31/alerts/ack", R"({"alert_id":")" + id + R"(","by":"nurse-b"})");
    auto ack = nurse.wait_for([&](const Message& m) {
        return m.topic == "clinic/chair-31/alerts/ack/result" && field(m, "alert_id") == id;
    });
    REQUIRE(ack);
    CHECK(field(*ack, "ok") == "true");
    CHECK(nurse.wait_for([&](const Message& m) {
        return field(m, "alert_id") == id && field(m, "state") == "acknowledged";
    }));

    // A clean stop suspends the session; the next start resumes it again.
    daemon.kill(SIGTERM);
    REQUIRE(daemon.wait(10s) == 0);
    daemon.start();
    CHECK(daemon.output().find("1 open session suspended") != std::string::npos);
    chair.publish("clinic/chair-31/vitals/hr", R"({"hr":80})");
    chair.publish("clinic/chair-31/session", R"({"action":"end"})");
    REQUIRE(eventually([&] {
        auto lines = log_lines(daemon.log_dir(), "chair-31");
        return !lines.empty() && text(lines.back(), "type") == "session_end";
    }));

    // One session, one log, from the start message to the end message.
    std::size_t logs = 0;
    for (const auto& e : fs::directory_iterator(daemon.log_dir() + "/chair-31"))
        logs += e.path().extension() == ".jsonl";
    CHECK(logs == 1);
    auto lines = log_lines(daemon.log_dir(), "chair-31");
    CHECK(text(lines.front(), "session_id") == "S-31");
    CHECK(text(lines.back(), "reason") == "end");
    std::size_t starts = 0;
    for (const auto& l : lines)
        starts += text(l, "type") == "session_start";
    CHECK(starts == 1);
    // The pseudonym goes to the session log, never to the service log.
    CHECK(read_file(daemon.log_dir() + "/chair-31/S-31.jsonl").find("MRN-0031-SECRET") !=
          std::string::npos);
    CHECK(daemon.output().find("MRN-0031-SECRET") == std::string::npos);
}

TEST_CASE("an unwritable log directory raises a technical alarm, and alerts still go out") {
    Broker broker;
    Daemon daemon(broker, fault_config());
    // A file where the log directory should be: nothing can be created under it.
    write_file(daemon.log_dir(), "not a directory\n");
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    monitor.publish("clinic/chair-41/vitals/bp", R"({"sbp":188,"dbp":101})");
    auto tech = nurse.wait_for(log_alarm("raised"));
    REQUIRE(tech);
    CHECK(field(*tech, "kind") == "technical");
    CHECK(field(*tech, "text").find("cannot") != std::string::npos);
    CHECK(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-41", "sbp_high", "raised"); }));

    // The admin fixes it: the next write succeeds and the technical alarm clears.
    fs::remove(daemon.log_dir());
    monitor.publish("clinic/chair-41/vitals/hr", R"({"hr":90})");
    CHECK(nurse.wait_for(log_alarm("cleared")));
}

TEST_CASE("readings stamped far in the future or past are refused; late ones are judged") {
    Broker broker;
    Daemon daemon(broker, fault_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-51/alerts");
    Client monitor(broker.uri());
    const auto now_s = epoch_seconds();
    // A day ahead and a day behind: refused, no alarm, a warning that says why.
    monitor.publish("clinic/chair-51/vitals/bp",
                    R"({"sbp":199,"dbp":105,"ts":)" + std::to_string(now_s + 86400) + "}");
    monitor.publish("clinic/chair-51/vitals/bp",
                    R"({"sbp":199,"dbp":105,"ts":)" + std::to_string(now_s - 86400) + "}");
    CHECK(eventually(
        [&] { return daemon.output().find("s ahead of the receive time") != std::string::npos; }));
    CHECK(eventually(
        [&] { return daemon.output().find("s behind the receive time") != std::string::npos; }));
    // Two minutes late, out of order after a newer one: judged.
    monitor.publish("clinic/chair-51/vitals/hr", R"({"hr":70,"ts":)" + std::to_string(now_s) + "}");
    monitor.publish("clinic/chair-51/vitals/bp",
                    R"({"sbp":191,"dbp":104,"ts":)" + std::to_string(now_s - 120) + "}");
    auto raised = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-51", "sbp_high", "raised"); });
    REQUIRE(raised);
    CHECK(field(*raised, "value") == "191");
    // The refused readings are nowhere in the session log.
    for (const auto& l : log_lines(daemon.log_dir(), "chair-51"))
        if (text(l, "type") == "reading") CHECK(l.at("value").to_number<double>() != 199.0);
}

TEST_CASE("under systemd: READY=1 when up, WATCHDOG=1 from the event loop, STOPPING=1 at SIGTERM") {
    Broker broker;
    const auto dir = temp_dir("notify");
    const auto path = dir + "/notify.sock";
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{0, 200'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<std::string> got;
    const auto count = [&](const std::string& what) {
        return std::count(got.begin(), got.end(), what);
    };
    // Receives until `what` has come `n` times, or `span` has passed.
    const auto receive_until = [&](const std::string& what, long n,
                                   std::chrono::milliseconds span) {
        const auto end = Clock::now() + span;
        char buf[256];
        while (count(what) < n && Clock::now() < end) {
            const auto got_n = ::recv(fd, buf, sizeof buf, 0);
            if (got_n > 0) got.emplace_back(buf, static_cast<std::size_t>(got_n));
        }
    };

    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    ::setenv("WATCHDOG_USEC", "10000000", 1);
    Daemon daemon(broker, fault_config());
    daemon.start();
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    // Fed every second: two within 10 s even on a loaded machine.
    receive_until("WATCHDOG=1", 2, 10s);
    CHECK(count("READY=1") == 1);
    CHECK(count("WATCHDOG=1") >= 2);
    CHECK(daemon.output().find("systemd watchdog: 10000 ms") != std::string::npos);

    daemon.kill(SIGTERM);
    CHECK(daemon.wait(10s) == 0);
    receive_until("STOPPING=1", 1, 2s);  // sent before the exit: already in the socket
    CHECK(count("STOPPING=1") == 1);
    ::close(fd);
}

TEST_CASE("a full disk under the session logs raises a technical alarm; alerts still go out") {
    Broker broker;
    Daemon daemon(broker, fault_config());
    // A real filesystem of 256 KiB, filled to the last block.
    fs::create_directories(daemon.log_dir());
    std::string out;
    if (run({"/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", daemon.log_dir()}, out) !=
        0) {
        MESSAGE("skipped: cannot mount a tmpfs here (needs root): " << out);
        return;
    }
    struct Unmount {
        std::string dir;
        ~Unmount() {
            std::string ignored;
            run({"/bin/umount", "-l", dir}, ignored);
        }
    } unmount{daemon.log_dir()};
    const auto filler = daemon.log_dir() + "/filler";
    run({"/bin/dd", "if=/dev/zero", "of=" + filler, "bs=4k", "count=1000"}, out);
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/+/alerts");
    Client monitor(broker.uri());
    monitor.publish("clinic/chair-71/vitals/bp", R"({"sbp":189,"dbp":103})");
    auto tech = nurse.wait_for(log_alarm("raised"));
    REQUIRE(tech);
    CHECK(field(*tech, "text").find("No space left on device") != std::string::npos);
    CHECK(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-71", "sbp_high", "raised"); }));
    CHECK(daemon.output().find("TECHNICAL ALARM: session logs cannot be written") !=
          std::string::npos);

    // Space is freed: the next write goes through and the alarm clears.
    fs::remove(filler);
    monitor.publish("clinic/chair-71/vitals/bp", R"({"sbp":130,"dbp":80})");
    CHECK(nurse.wait_for(log_alarm("cleared")));
}

TEST_CASE("a cuff message delivered twice counts once towards 'two readings' rules") {
    Broker broker;
    Daemon daemon(broker, fault_config());
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-81/alerts");
    Client monitor(broker.uri());
    const auto now_s = epoch_seconds();
    // 186 mmHg is HIGH only on two readings within 10 min; the same message twice is one.
    const auto cuff = R"({"sbp":186,"dbp":100,"ts":)" + std::to_string(now_s - 60) + "}";
    monitor.publish("clinic/chair-81/vitals/bp", cuff);
    monitor.publish("clinic/chair-81/vitals/bp", cuff);
    REQUIRE(nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-81", "sbp_high", "raised", "medium"); }));
    std::this_thread::sleep_for(500ms);
    for (const auto& m : nurse.messages("clinic/chair-81/alerts"))
        CHECK_MESSAGE(field(m, "priority") != "high", m.payload);
    // A second, real measurement makes it HIGH.
    monitor.publish("clinic/chair-81/vitals/bp",
                    R"({"sbp":187,"dbp":100,"ts":)" + std::to_string(now_s) + "}");
    CHECK(nurse.wait_for([](const Message& m) {
        return field(m, "condition") == "sbp_high" && field(m, "priority") == "high";
    }));
}

TEST_CASE("chair ids that fill input.max_chairs never lock a real chair out, across a restart") {
    Broker broker;
    Daemon daemon(
        broker,
        shipped_config({{"  max_chairs: 256 ", "  max_chairs: 20\n  forget_chair_after_s: 1 "},
                        {"  idle_end_s: 1800 ", "  idle_end_s: 2 "}}));
    daemon.start();
    Client flood(broker.uri());
    for (int i = 0; i < 20; ++i)
        flood.publish("clinic/fake-" + std::to_string(i) + "/vitals/hr", R"({"hr":70})");
    REQUIRE(eventually([&] {
        int logs = 0;
        for (int i = 0; i < 20; ++i)
            logs += fs::exists(daemon.log_dir() + "/fake-" + std::to_string(i));
        return logs == 20;
    }));
    flood.publish("clinic/chair-real/vitals/hr", R"({"hr":72})");
    REQUIRE(eventually([&] {
        return daemon.output().find("refused readings for new chair chair-real") !=
               std::string::npos;
    }));

    // Down while the fake sessions go idle: the restart ends them instead of resuming them.
    daemon.kill(SIGKILL);
    REQUIRE(daemon.wait(5s) == 128 + SIGKILL);
    std::this_thread::sleep_for(3s);
    daemon.start();
    const auto ended_idle = [&](int i) {
        const auto lines = log_lines(daemon.log_dir(), "fake-" + std::to_string(i));
        return !lines.empty() && text(lines.back(), "type") == "session_end" &&
               text(lines.back(), "reason") == "idle";
    };
    CHECK_MESSAGE(
        eventually([&] {
            for (int i = 0; i < 20; ++i)
                if (!ended_idle(i)) return false;
            return true;
        }),
        daemon.output().substr(daemon.output().size() > 3000 ? daemon.output().size() - 3000 : 0));

    // The real chair gets a place as soon as the fakes are forgotten (1 s after their last
    // message here), without waiting for the next periodic sweep.
    std::this_thread::sleep_for(1100ms);
    flood.publish("clinic/chair-real/vitals/hr", R"({"hr":73})");
    CHECK(eventually([&] {
        for (const auto& l : log_lines(daemon.log_dir(), "chair-real"))
            if (text(l, "type") == "reading") return true;
        return false;
    }));
    CHECK(daemon.output().find("forgot 20 chairs") != std::string::npos);
}

TEST_CASE(
    "open files: a configuration that cannot fit the limit is refused; session logs share it") {
    // 100 descriptors cannot hold the board's 128 connections beside the rest.
    std::string out;
    CHECK(run({"/usr/bin/prlimit", "--nofile=100:100", CHAIRWATCHD_BIN, "--config",
               CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml", "--check-config"},
              out) == 2);
    CHECK_MESSAGE(
        out.find("may open 100 files (RLIMIT_NOFILE; systemd: LimitNOFILE=)") != std::string::npos,
        out);
    CHECK(out.find("lower http.max_connections") != std::string::npos);

    // 300 sessions under a limit of 200: every log is written, no descriptor runs out.
    Broker broker;
    Daemon daemon(broker,
                  shipped_config({{"  max_chairs: 256 ", "  max_chairs: 1000 "},
                                  {"# http:\n",
                                   "http:\n  max_connections: 8\n  max_connections_per_client: 8\n "
                                   " max_streams: 4\n# "}}));
    daemon.run_under({"/usr/bin/prlimit", "--nofile=200:200"});
    daemon.start();
    Client monitor(broker.uri());
    for (int round = 0; round < 2; ++round)
        for (int i = 0; i < 300; ++i)
            monitor.publish("clinic/c-" + std::to_string(i) + "/vitals/hr",
                            R"({"hr":)" + std::to_string(70 + round) + "}");
    CHECK(eventually(
        [&] {
            for (int i = 0; i < 300; ++i) {
                const auto lines = log_lines(daemon.log_dir(), "c-" + std::to_string(i));
                int readings = 0;
                for (const auto& l : lines)
                    readings += text(l, "type") == "reading";
                if (readings < 2) return false;
            }
            return true;
        },
        30s));
    std::size_t fds = 0;
    for ([[maybe_unused]] const auto& e :
         fs::directory_iterator("/proc/" + std::to_string(daemon.pid()) + "/fd"))
        ++fds;
    CHECK(fds < 200);
    CHECK(daemon.output().find("cannot open") == std::string::npos);
    CHECK(daemon.output().find("Too many open files") == std::string::npos);
}

TEST_CASE("SIGTERM in the middle of a stream: every reading the broker handed over is judged") {
    Broker broker;
    Daemon daemon(broker, shipped_config({{"  max_chairs: 256 ",
                                           "  max_chairs: 256\n  max_messages_per_chair_s: 0 "}}));
    daemon.start();
    Client monitor(broker.uri());
    constexpr int total = 1500;
    const auto base = epoch_seconds();
    std::thread stream([&] {
        for (int i = 0; i < total; ++i) {
            char ts[32];
            std::snprintf(ts, sizeof ts, "%lld.%03d", base + i / 1000, i % 1000);
            monitor.publish("clinic/chair-44/vitals/hr",
                            R"({"hr":)" + std::to_string(60 + i % 40) + R"(,"ts":)" + ts + "}");
            std::this_thread::sleep_for(2ms);
        }
    });
    for (int k = 0; k < 3; ++k) {  // three clean stops while the stream goes on
        std::this_thread::sleep_for(600ms);
        daemon.kill(SIGTERM);
        REQUIRE(daemon.wait(10s) == 0);
        daemon.start();
    }
    stream.join();
    // Each reading once in the log: none lost at a stop, none counted twice after it.
    std::set<std::string> seen;
    CHECK(eventually(
        [&] {
            seen.clear();
            for (const auto& l : log_lines(daemon.log_dir(), "chair-44"))
                if (text(l, "type") == "reading") seen.insert(text(l, "ts"));
            return seen.size() >= total;
        },
        20s));
    std::size_t lines = 0;
    for (const auto& l : log_lines(daemon.log_dir(), "chair-44"))
        lines += text(l, "type") == "reading";
    CHECK(seen.size() == total);
    CHECK(lines == total);
}
