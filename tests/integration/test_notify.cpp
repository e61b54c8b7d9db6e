// Nurse notifications end to end: the real daemon and broker, and real receivers in their own
// processes (tests/notify/): a webhook receiver on Python's http.server that checks the HMAC
// signature, and an MLLP receiver on python3-hl7 that checks every ORU^R40 against IHE PCD ACM.
#include <doctest/doctest.h>
#include <unistd.h>

#include <csignal>
#include <sstream>
#include <thread>

#include "harness.hpp"

using namespace chairwatch::it;

namespace {

const std::string receivers_dir = CHAIRWATCH_SOURCE_DIR "/tests/notify/";

// One of the Python receivers, and what it recorded (one JSON object a line).
struct Receiver {
    Receiver(const std::string& dir, std::vector<std::string> argv, int port_)
        : port(port_), record(dir + "/record-" + std::to_string(port_) + ".jsonl") {
        argv.push_back("--record");
        argv.push_back(record);
        proc = std::make_unique<Process>(argv, dir + "/receiver-" + std::to_string(port) + ".log");
        REQUIRE_MESSAGE(eventually([&] { return accepts(port); }, 15s), proc->output());
    }
    static Receiver webhook(const std::string& dir, int port, const std::string& secret_file) {
        return Receiver(dir,
                        {CHAIRWATCH_TEST_PYTHON, receivers_dir + "webhook_receiver.py", "--port",
                         std::to_string(port), "--secret-file", secret_file},
                        port);
    }
    static Receiver mllp(const std::string& dir, int port) {
        return Receiver(dir,
                        {CHAIRWATCH_TEST_PYTHON, receivers_dir + "mllp_receiver.py", "serve",
                         "--port", std::to_string(port)},
                        port);
    }
    std::vector<boost::json::object> lines() const {
        std::vector<boost::json::object> out;
        std::istringstream in(read_file(record));
        for (std::string line; std::getline(in, line);) {
            boost::system::error_code ec;
            auto v = boost::json::parse(line, ec);
            if (!ec && v.is_object()) out.push_back(v.as_object());
        }
        return out;
    }
    // Webhook requests to `path` (a receiver each), in order.
    std::vector<boost::json::object> to(const std::string& path) const {
        std::vector<boost::json::object> out;
        for (auto& l : lines())
            if (l.contains("path") && l.at("path").as_string() == path) out.push_back(l);
        return out;
    }

    int port;
    std::string record;
    std::unique_ptr<Process> proc;
};

std::string str(const boost::json::value& v, const char* key) {
    const auto* o = v.if_object();
    const auto* f = o ? o->if_contains(key) : nullptr;
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
}

// "condition/state" of each transition of a webhook request's body.
std::vector<std::string> transitions(const boost::json::object& request) {
    std::vector<std::string> out;
    for (const auto& t : request.at("body").at("transitions").as_array())
        out.push_back(str(t, "condition") + "/" + str(t, "state"));
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::string notify_config(const std::string& extra_edit_from = "", const std::string& to = "") {
    std::vector<std::pair<std::string, std::string>> edits{
        {"min_cuff_span_s: 300", "min_cuff_span_s: 1"},
        {"seated_rest_s: 300", "seated_rest_s: 0"},
        {"min_hr_span_s: 120", "min_hr_span_s: 1"},
        // escalation after 3 s instead of 60, so the test sees it
        {"high: {after_s: 60, repeat_s: 60}", "high: {after_s: 3, repeat_s: 60}"}};
    if (!extra_edit_from.empty()) edits.emplace_back(extra_edit_from, to);
    return shipped_config(edits);
}

}  // namespace

TEST_CASE("a BP surge pages the webhook once and the ACM within 1 s; escalation; retraction") {
    const auto dir = temp_dir("notify-surge");
    write_file(dir + "/secret", "s3cret-for-the-test");  // the receiver keys with it all
    auto web = Receiver::webhook(dir, free_port(), dir + "/secret");
    auto acm = Receiver::mllp(dir, free_port());
    const int status_port = free_port();
    Broker broker;
    const auto url = "http://127.0.0.1:" + std::to_string(web.port);
    Daemon daemon(broker, notify_config() + R"(
notifications:
  receivers:
    push: {type: webhook, url: ")" +
                              url + R"(/push", secret_file: ")" + dir + R"(/secret"}
    charge: {type: webhook, url: ")" +
                              url + R"(/charge", secret_file: ")" + dir + R"(/secret"}
    ward: {type: acm, host: 127.0.0.1, port: )" +
                              std::to_string(acm.port) + R"(}
  acm_status_listener: {address: 127.0.0.1, port: )" +
                              std::to_string(status_port) + R"(}
  default_route:
    receivers: [push, ward]
    escalate_to: [charge]
  group_window_s: 2
)");
    daemon.start();
    Client nurse(broker.uri());
    nurse.subscribe("clinic/chair-04/alerts");
    Client chair(broker.uri());
    chair.publish("clinic/chair-04/session",
                  R"({"action":"start","session_id":"S-9","patient_ref":"pseudo-9"})");
    chair.publish("clinic/chair-04/vitals/bp", R"({"sbp":128,"dbp":80})");
    for (int i = 0; i < 3; ++i)
        chair.publish("clinic/chair-04/vitals/hr", "72");
    std::this_thread::sleep_for(1200ms);
    chair.publish("clinic/chair-04/vitals/bp", R"({"sbp":132,"dbp":82})");
    chair.publish("clinic/chair-04/vitals/hr", "73");
    chair.publish("clinic/chair-04/session", R"({"action":"dose_start"})");
    REQUIRE(eventually([&] { return daemon.metric("chairwatch_sessions_active") == 1; }));
    // What the start and the dose said (a notice, if any) goes out in its own window first.
    std::this_thread::sleep_for(2500ms);
    const auto push_before = web.to("/push").size();
    const auto acm_before = acm.lines().size();

    // One measurement: sbp_high and dbp_high (HIGH) and bp_rise (over the baseline of 130).
    const auto sent = Clock::now();
    chair.publish("clinic/chair-04/vitals/bp", R"({"sbp":205,"dbp":125})");
    REQUIRE(eventually([&] { return web.to("/push").size() > push_before; }, 5s));
    const auto webhook_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count();
    REQUIRE(eventually([&] { return acm.lines().size() >= acm_before + 3; }, 5s));
    const auto acm_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent).count();
    MESSAGE("alarm to webhook " << webhook_ms << " ms, to ACM (3 messages) " << acm_ms << " ms");
    CHECK(webhook_ms < 1000);
    CHECK(acm_ms < 1000);

    // Grouped: one request naming all three, signed.
    std::this_thread::sleep_for(2500ms);  // past the group window: nothing more comes
    auto push = web.to("/push");
    push.erase(push.begin(), push.begin() + static_cast<std::ptrdiff_t>(push_before));
    REQUIRE(push.size() == 1);
    const auto first = transitions(push[0]);
    std::string names;
    for (const auto& t : first)
        names += " " + t;
    INFO("transitions:" << names);
    CHECK(first.size() == 3);
    CHECK(has(first, "sbp_high/raised"));
    CHECK(has(first, "dbp_high/raised"));
    CHECK(has(first, "bp_rise/raised"));
    CHECK(push[0].at("signature_ok") == true);
    CHECK(push[0].at("status") == 200);
    CHECK(str(push[0].at("body"), "chair") == "chair-04");
    CHECK(str(push[0].at("headers"), "idempotency-key") == str(push[0].at("body"), "key"));
    // ACM: one ORU^R40 per transition, each as IHE PCD ACM wants it.
    auto hl7 = acm.lines();
    hl7.erase(hl7.begin(), hl7.begin() + static_cast<std::ptrdiff_t>(acm_before));
    REQUIRE(hl7.size() == 3);
    for (const auto& m : hl7) {
        CHECK(m.at("problems").as_array().empty());
        CHECK(str(m, "alert_id").rfind("chair-04:S-9:a", 0) == 0);
        CHECK(str(m, "phase") == "start");
    }

    // Not acknowledged: the escalation reaches the charge nurse after the profile's 3 s.
    REQUIRE(eventually(
        [&] {
            for (const auto& r : web.to("/charge"))
                if (has(transitions(r), "sbp_high/escalated")) return true;
            return false;
        },
        10s));
    const auto high = nurse.wait_for(
        [](const Message& m) { return is_alert(m, "chair-04", "sbp_high", "raised"); });
    REQUIRE(high);
    const auto id = field(*high, "alert_id");

    // Acknowledged: the retraction goes to the nurse's pager, the charge nurse's and the ACM.
    chair.publish("clinic/chair-04/alerts/ack", R"({"alert_id":")" + id + R"(","by":"nurse-3"})");
    const auto retracted = [&](const std::string& path) {
        for (const auto& r : web.to(path))
            if (has(transitions(r), "sbp_high/acknowledged") && r.at("status") == 200) return true;
        return false;
    };
    REQUIRE(eventually([&] { return retracted("/push") && retracted("/charge"); }, 5s));
    REQUIRE(eventually(
        [&] {
            for (const auto& m : acm.lines())
                if (str(m, "alert_id") == id && str(m, "inactivation") == "alert-acknowledged")
                    return true;
            return false;
        },
        5s));
    // The alarm manager's dispatch status: a receipt in the session log.
    std::string out;
    CHECK(run({CHAIRWATCH_TEST_PYTHON, receivers_dir + "mllp_receiver.py", "send", "--port",
               std::to_string(status_port), "--alert-id", id, "--status", "accepted", "--person",
               "Rivera^Ana", "--device", "pager-12"},
              out) == 0);
    INFO(out);
    REQUIRE(eventually([&] {
        return read_file(daemon.log_dir() + "/chair-04/S-9.jsonl").find(R"("type":"receipt")") !=
               std::string::npos;
    }));
    const auto log = read_file(daemon.log_dir() + "/chair-04/S-9.jsonl");
    const auto at = log.find(R"("type":"receipt")");
    const auto line = log.substr(at, log.find('\n', at) - at);
    CHECK(line.find(R"("status":"accepted")") != std::string::npos);
    CHECK(line.find(R"("alert_id":")" + id + "\"") != std::string::npos);
    CHECK(daemon.metric("chairwatch_notification_receipts_total") == 1);
    CHECK(daemon.metric(R"(chairwatch_notifications_sent_total{receiver="push"})") >= 3);
    CHECK(daemon.metric(R"(chairwatch_notifications_pending{receiver="ward"})") == 0);
    for (const auto& r : web.lines())  // every request signed and taken
        CHECK(r.at("status") == 200);
}

TEST_CASE("a receiver down: notification_failed, the fallback gets it, a restart delivers it") {
    const auto dir = temp_dir("notify-down");
    write_file(dir + "/secret", "s3cret-for-the-test");  // the receiver keys with it all
    auto backup = Receiver::webhook(dir, free_port(), dir + "/secret");
    const int down_port = free_port();  // nothing listens here yet
    Broker broker;
    Daemon daemon(broker, notify_config() + R"(
notifications:
  receivers:
    push: {type: webhook, url: "http://127.0.0.1:)" +
                              std::to_string(down_port) + R"(/push", timeout_s: 1}
    backup: {type: webhook, url: "http://127.0.0.1:)" +
                              std::to_string(backup.port) + R"(/backup", secret_file: ")" + dir +
                              R"(/secret"}
  routes:
    - receivers: [push]
      fallback: backup
  retry: {first_s: 0.5, max_s: 1}
  fail_after_s: 2
)");
    daemon.start();
    Client station(broker.uri());
    station.subscribe("clinic/chairwatchd/alerts");
    Client chair(broker.uri());
    chair.publish("clinic/chair-07/vitals/bp", R"({"sbp":205,"dbp":80})");

    const auto failed = station.wait_for(
        [](const Message& m) {
            return field(m, "condition") == "notification_failed" && field(m, "state") == "raised";
        },
        10s);
    REQUIRE(failed);
    CHECK(field(*failed, "text").find("'push'") != std::string::npos);
    REQUIRE(eventually([&] { return !backup.to("/backup").empty(); }, 5s));
    const auto key = str(backup.to("/backup")[0].at("body"), "key");
    CHECK(has(transitions(backup.to("/backup")[0]), "sbp_high/raised"));
    CHECK(backup.to("/backup")[0].at("status") == 200);
    CHECK(daemon.metric(R"(chairwatch_notification_receiver_failed{receiver="push"})") == 1);
    // The alarm, and notification_failed itself: push gets it too once it is back.
    CHECK(daemon.metric(R"(chairwatch_notifications_pending{receiver="push"})") == 2);
    // The fallback hears of notification_failed, as an alarm of the chair "chairwatchd".
    CHECK(eventually(
        [&] {
            for (const auto& m : backup.to("/backup"))
                if (has(transitions(m), "notification_failed/raised") &&
                    str(m.at("body"), "chair") == "chairwatchd")
                    return true;
            return false;
        },
        5s));

    // The shift's test path says the same: backup takes a test alarm, push does not.
    std::string out;
    CHECK(run({CHAIRWATCH_BIN, "notify-test", "--config", daemon.config_path()}, out) == 1);
    INFO(out);
    CHECK(out.find("backup               delivered") != std::string::npos);
    CHECK(out.find("push                 FAILED") != std::string::npos);
    CHECK(out.find("1 of 2 receivers took the test alarm") != std::string::npos);
    const auto tests = backup.to("/backup");
    REQUIRE(tests.size() >= 2);
    CHECK(tests.back().at("body").at("test") == true);

    // Stopped with the notification still queued for push; push comes up; a new start sends it.
    daemon.kill(SIGTERM);
    REQUIRE(daemon.wait(10s) == 0);
    write_file(dir + "/secret2", "another\n");
    auto push = Receiver::webhook(dir, down_port, dir + "/secret2");
    daemon.start();
    REQUIRE(eventually([&] { return !push.to("/push").empty(); }, 10s));
    CHECK(str(push.to("/push")[0].at("body"), "key") == key);  // the same key: deduplicable
    CHECK(eventually([&] {
        return daemon.metric(R"(chairwatch_notifications_pending{receiver="push"})") == 0;
    }));
}
