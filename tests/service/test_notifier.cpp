// The notifier in the real Service: routes, grouping, escalation, retractions, retries, the
// notification_failed alarm, the fallback and the outbox across a restart, with scripted
// transports (fake_transport.hpp). The real transports and receivers: tests/integration.
#include "drivers/session_log/log_reader.hpp"
#include "fake_transport.hpp"
#include "service_rig.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using notify::Outcome;

namespace {

const std::string notifications = R"(
notifications:
  receivers:
    push: {type: webhook, url: "http://127.0.0.1:1/push"}
    ward: {type: acm, host: 127.0.0.1, port: 1}
    charge: {type: webhook, url: "http://127.0.0.1:1/charge"}
    backup: {type: webhook, url: "http://127.0.0.1:1/backup"}
  routes:
    - match: {priorities: [high, medium]}
      receivers: [push, ward]
      escalate_to: [charge]
      fallback: backup
  retry: {first_s: 1, max_s: 4}
  fail_after_s: 5
)";

std::vector<std::string> conditions(const notify::Notification& n) {
    std::vector<std::string> out;
    for (const auto& t : n.transitions)
        out.push_back(t.condition + "/" + std::string(alerts::to_string(t.state)));
    return out;
}

// The notifications that carried the daemon's own technical alarms.
std::vector<notify::Notification> daemon_alarms(const std::vector<SentNotification>& sent) {
    std::vector<notify::Notification> out;
    for (const auto& s : sent)
        if (s.n.chair == "chairwatchd") out.push_back(s.n);
    return out;
}

// The service_alarm lines of a session's log, as the log reader reads them.
std::vector<drivers::LogServiceAlarm> service_alarm_lines(const std::filesystem::path& log) {
    std::vector<drivers::LogServiceAlarm> out;
    std::ifstream in(log);
    REQUIRE(in);
    drivers::LogReader reader(in);
    for (drivers::LogLine l; reader.next(l);) {
        CHECK_MESSAGE(l.problem.empty(), log.string() << ":" << l.number << ": " << l.problem);
        if (l.entry && std::holds_alternative<drivers::LogServiceAlarm>(*l.entry))
            out.push_back(std::get<drivers::LogServiceAlarm>(*l.entry));
    }
    return out;
}

// A rig whose transports are the bench's.
struct Rig {
    explicit Rig(std::filesystem::path keep_dir = {})
        : bench_(std::make_unique<NotifyBench>()),
          rig({}, notifications, bench_->factory(), std::move(keep_dir)) {
        bench_->io = &rig.io;
    }
    NotifyBench& bench() { return *bench_; }
    std::unique_ptr<NotifyBench> bench_;  // before the rig: the service's transports use it
    ServiceRig rig;
};

}  // namespace

TEST_CASE("notifier: one BP measurement pages the webhook once and the ACM per transition") {
    Rig r;
    r.rig.start();
    r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":125})");
    const auto push = r.bench().to("push");
    REQUIRE(push.size() == 1);  // at once: the HIGH is not held for the window
    CHECK(conditions(push[0].n) == std::vector<std::string>{"sbp_high/raised", "dbp_high/raised"});
    CHECK(push[0].n.chair == "chair-1");
    CHECK(push[0].n.texts.size() == 2);
    CHECK(push[0].n.key.find(":a1/raised/") != std::string::npos);
    CHECK(push[0].n.key.substr(push[0].n.key.size() - 2) == "+1");
    const auto ward = r.bench().to("ward");
    REQUIRE(ward.size() == 1);  // one at a time, in order
    CHECK(ward[0].n.transitions.size() == 1);
    CHECK(r.bench().answer("ward", Outcome::delivered));
    r.rig.settle();
    REQUIRE(r.bench().to("ward").size() == 2);
    CHECK(conditions(r.bench().to("ward")[1].n) == std::vector<std::string>{"dbp_high/raised"});
    CHECK(r.bench().to("charge").empty());
    CHECK(r.bench().to("backup").empty());
}

TEST_CASE("notifier: escalation reaches escalate_to, and the acknowledgement retracts it there") {
    Rig r;
    r.bench().auto_answer = {
        {"push", Outcome::delivered}, {"ward", Outcome::delivered}, {"charge", Outcome::delivered}};
    r.rig.start();
    r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":80})");
    REQUIRE(r.bench().to("push").size() == 1);
    const auto id =
        r.bench().to("push")[0].n.chair + ":" + r.bench().to("push")[0].n.session_id + ":a1";
    CHECK(r.bench().to("charge").empty());
    r.rig.advance(std::chrono::seconds(61));  // the profile escalates HIGH after 60 s
    const auto charge = r.bench().to("charge");
    REQUIRE(charge.size() == 1);
    CHECK(conditions(charge[0].n) == std::vector<std::string>{"sbp_high/escalated"});
    CHECK(r.bench().to("push").size() == 2);  // the nurse's pager is reminded too
    r.rig.deliver("clinic/chair-1/alerts/ack", R"({"alert_id":")" + id + R"(","by":"n1"})");
    r.rig.settle();
    REQUIRE(r.bench().to("charge").size() == 2);
    CHECK(conditions(r.bench().to("charge")[1].n) ==
          std::vector<std::string>{"sbp_high/acknowledged"});
    CHECK(conditions(r.bench().to("push").back().n) ==
          std::vector<std::string>{"sbp_high/acknowledged"});
}

TEST_CASE("notifier: a failing receiver is retried with back-off, then fails over and alarms") {
    Rig r;
    r.bench().auto_answer = {{"ward", Outcome::delivered}, {"backup", Outcome::delivered}};
    r.rig.start();
    r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":80})");
    REQUIRE(r.bench().to("push").size() == 1);
    const auto key = r.bench().to("push")[0].n.key;
    CHECK(r.bench().answer("push", Outcome::failed, "HTTP 503"));
    r.rig.settle();
    CHECK(r.bench().to("push").size() == 1);  // not before first_s
    r.rig.advance(std::chrono::milliseconds(1000));
    REQUIRE(r.bench().to("push").size() == 2);
    CHECK(r.bench().to("push")[1].n.key == key);  // the same key on every retry
    CHECK(r.bench().answer("push", Outcome::failed, "timeout"));
    r.rig.settle();
    CHECK(r.rig.mqtt->published_on("clinic/chairwatchd/alerts").empty());
    CHECK(r.bench().to("backup").empty());
    r.rig.advance(std::chrono::milliseconds(2000));  // the second wait doubles
    REQUIRE(r.bench().to("push").size() == 3);
    CHECK(r.bench().answer("push", Outcome::failed, "timeout"));
    r.rig.advance(std::chrono::milliseconds(3000));  // 5 s of failure: failed
    const auto alarms = r.rig.mqtt->published_on("clinic/chairwatchd/alerts");
    REQUIRE(alarms.size() == 1);
    CHECK(text_of(json_of(alarms[0]), "condition") == "notification_failed");
    CHECK(text_of(json_of(alarms[0]), "state") == "raised");
    CHECK(text_of(json_of(alarms[0]), "text").find("'push'") != std::string::npos);
    const auto backup = r.bench().to("backup");
    REQUIRE(backup.size() == 2);  // the alarm, and notification_failed itself
    CHECK(backup[0].n.key == key);
    // The receiver takes notifications again: the alarm clears.
    r.rig.advance(std::chrono::milliseconds(4000));
    REQUIRE(r.bench().answer("push", Outcome::delivered));
    r.rig.settle();
    const auto after = r.rig.mqtt->published_on("clinic/chairwatchd/alerts");
    REQUIRE(after.size() == 2);
    CHECK(text_of(json_of(after[1]), "state") == "cleared");
}

TEST_CASE("notifier: a rejected notification is not retried and goes to the fallback") {
    Rig r;
    r.bench().auto_answer = {{"ward", Outcome::delivered}, {"backup", Outcome::delivered}};
    r.rig.start();
    r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":80})");
    CHECK(r.bench().answer("push", Outcome::rejected, "HTTP 400"));
    r.rig.settle();
    CHECK(r.bench().to("backup").size() == 1);
    r.rig.advance(std::chrono::milliseconds(2000));
    CHECK(r.bench().to("push").size() == 1);
}

TEST_CASE("notifier: what was not delivered is sent again after a restart, with its key") {
    std::filesystem::path dir;
    std::string key;
    {
        Rig r;
        r.rig.keep = true;
        dir = r.rig.dir;
        r.rig.start();
        r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":80})");
        REQUIRE(r.bench().to("push").size() == 1);
        key = r.bench().to("push")[0].n.key;
        r.rig.service->stop();  // nothing answered: still pending
    }
    Rig again(dir);
    again.rig.keep = false;
    again.rig.start();
    const auto push = again.bench().to("push");
    REQUIRE(push.size() == 1);
    CHECK(push[0].n.key == key);
    CHECK(conditions(push[0].n) == std::vector<std::string>{"sbp_high/raised"});
    REQUIRE(again.bench().to("ward").size() == 1);
    CHECK(again.bench().answer("push", Outcome::delivered));
    again.rig.settle();
    CHECK(again.rig.service->counters().notify_receipts == 0);
}

TEST_CASE("notifier: a reload applies new routes at once; a removed receiver's queue is dropped") {
    Rig r;
    r.bench().auto_answer = {{"ward", Outcome::delivered}, {"backup", Outcome::delivered}};
    r.rig.start();
    r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":80})");
    REQUIRE(r.bench().to("push").size() == 1);  // left unanswered: pending
    std::string text;
    {
        std::ifstream in(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    auto cfg = config::load_config_text(text + R"(
notifications:
  receivers:
    backup: {type: webhook, url: "http://127.0.0.1:1/backup"}
  default_route: {receivers: [backup]}
)",
                                        "reloaded.yaml");
    REQUIRE(cfg.config);
    cfg.config->sessions.log_dir = (r.rig.dir / "sessions").string();
    r.rig.service->reload(std::move(*cfg.config));
    r.rig.settle();
    // An answer from the transport that was replaced changes nothing.
    CHECK(r.bench().answer("push", Outcome::failed));
    r.rig.settle();
    r.rig.deliver("clinic/chair-2/vitals/bp", R"({"sbp":210,"dbp":80})");
    const auto backup = r.bench().to("backup");
    REQUIRE(backup.size() == 1);
    CHECK(backup[0].n.chair == "chair-2");
    r.rig.advance(std::chrono::seconds(2));
    CHECK(r.bench().to("push").size() == 1);  // dropped with its receiver, never sent again
    CHECK(r.bench().to("backup").size() == 1);
}

TEST_CASE("notifier: notification_failed is in the open session's log and reaches the pagers") {
    Rig r;
    r.bench().auto_answer = {{"ward", Outcome::delivered}, {"backup", Outcome::delivered}};
    r.rig.start();
    r.rig.deliver("clinic/chair-1/vitals/bp", R"({"sbp":205,"dbp":80})");
    REQUIRE(r.bench().to("push").size() == 1);
    const auto log =
        r.rig.dir / "sessions" / "chair-1" / (r.bench().to("push")[0].n.session_id + ".jsonl");
    REQUIRE(std::filesystem::exists(log));
    CHECK(service_alarm_lines(log).empty());
    // 'push' fails every attempt (retried after 1 s, then 2 s) for more than fail_after_s.
    for (const int wait_ms : {1000, 2000, 3000}) {
        REQUIRE(r.bench().answer("push", Outcome::failed, "HTTP 503"));
        r.rig.settle();
        r.rig.advance(std::chrono::milliseconds(wait_ms));
    }
    const auto alarms = r.rig.mqtt->published_on("clinic/chairwatchd/alerts");
    REQUIRE(alarms.size() == 1);
    const auto alert_id = text_of(json_of(alarms[0]), "alert_id");
    CHECK(text_of(json_of(alarms[0]), "condition") == "notification_failed");

    // (a) The chart shows the gap: one line in the log of the session open then.
    auto lines = service_alarm_lines(log);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].alert_id == alert_id);
    CHECK(lines[0].condition == "notification_failed");
    CHECK(lines[0].state == "raised");
    CHECK(lines[0].priority == "medium");
    CHECK(lines[0].chair == "chair-1");
    CHECK(lines[0].text.find("'push'") != std::string::npos);
    CHECK(lines[0].ts == r.rig.now.wall);

    // (b) The pagers hear of it like any technical alarm of the chair "chairwatchd": the
    // route's other receiver, and the fallback in the place of the failed 'push'.
    for (const auto* name : {"ward", "backup"}) {
        CAPTURE(name);
        const auto got = daemon_alarms(r.bench().to(name));
        REQUIRE(got.size() == 1);
        CHECK(conditions(got[0]) == std::vector<std::string>{"notification_failed/raised"});
        REQUIRE(got[0].transitions.size() == 1);
        CHECK(got[0].transitions[0].kind == alerts::AlarmKind::technical);
        CHECK(got[0].transitions[0].priority == alerts::Priority::medium);
        CHECK(notify::alert_id_of(got[0], got[0].transitions[0]) == alert_id);
        CHECK(got[0].key.rfind(alert_id + "/raised/", 0) == 0);
        REQUIRE(got[0].texts.size() == 1);
        CHECK(got[0].texts[0].find("'push'") != std::string::npos);
    }

    // 'push' takes notifications again: the clear goes into the log and to the pagers.
    r.rig.advance(std::chrono::milliseconds(4000));
    REQUIRE(r.bench().answer("push", Outcome::delivered));
    r.rig.settle();
    REQUIRE(r.rig.mqtt->published_on("clinic/chairwatchd/alerts").size() == 2);
    lines = service_alarm_lines(log);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].alert_id == alert_id);
    CHECK(lines[1].state == "cleared");
    const auto ward = daemon_alarms(r.bench().to("ward"));
    REQUIRE(ward.size() == 2);
    CHECK(conditions(ward[1]) == std::vector<std::string>{"notification_failed/cleared"});
    CHECK(daemon_alarms(r.bench().to("backup")).size() == 1);  // 'push' is no longer failed
    // 'push' itself gets the alarm too, retried like any notification, after what it held.
    const auto push = daemon_alarms(r.bench().to("push"));
    REQUIRE(push.size() == 1);
    CHECK(conditions(push[0]) == std::vector<std::string>{"notification_failed/raised"});
}
