// The notification transports against real receivers in separate processes: a webhook receiver
// on Python's http.server (HTTP and HTTPS, checking the signature) and an alert manager on
// python3-hl7's MLLP server (checking every ORU^R40 against IHE PCD ACM), plus that library's
// MLLP client sending dispatch statuses to our listener.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "../integration/harness.hpp"
#include "drivers/notify/hl7_acm.hpp"
#include "drivers/notify/mllp.hpp"
#include "drivers/notify/notification.hpp"

using namespace chairwatch;
using namespace chairwatch::drivers::notify;
using namespace chairwatch::it;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

const std::string python = CHAIRWATCH_TEST_PYTHON;
const std::string scripts = CHAIRWATCH_SOURCE_DIR "/tests/notify/";

// A receiver process, ready once its port accepts connections.
std::unique_ptr<Process> start(std::vector<std::string> argv, int port, const std::string& dir) {
    argv.insert(argv.begin(), python);
    auto p = std::make_unique<Process>(argv, dir + "/receiver.out");
    const auto until = Clock::now() + 10s;
    while (!accepts(port)) {
        if (Clock::now() > until || !p->running())
            throw std::runtime_error("receiver did not start: " + p->output());
        std::this_thread::sleep_for(20ms);
    }
    return p;
}

std::vector<boost::json::object> records(const std::string& file, std::size_t at_least = 0) {
    const auto until = Clock::now() + 5s;
    while (true) {
        std::vector<boost::json::object> out;
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) out.push_back(boost::json::parse(line).as_object());
        if (out.size() >= at_least || Clock::now() > until) return out;
        std::this_thread::sleep_for(20ms);
    }
}

struct Sent {
    Result result;
    int calls{0};
    bool called_inside_send{false};
    std::chrono::milliseconds took{0};
};

// Sends on a real io_context and runs it until `done` (or 15 s).
Sent send(const std::function<std::unique_ptr<Transport>(asio::io_context&)>& make,
          const Notification& n) {
    asio::io_context io;
    auto transport = make(io);
    Sent s;
    const auto t0 = Clock::now();
    transport->send(n, [&](Result r) {
        s.result = std::move(r);
        ++s.calls;
    });
    s.called_inside_send = s.calls != 0;
    const auto until = t0 + 15s;
    while (s.calls == 0 && Clock::now() < until)
        io.run_one_for(100ms);
    s.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    io.run_for(50ms);  // nothing else may call back
    return s;
}

alerts::AlarmTransition sbp_high(alerts::AlarmState state) {
    alerts::AlarmTransition t;
    t.alarm_no = 4;
    t.condition = "sbp_high";
    t.state = state;
    t.priority = alerts::Priority::high;
    t.signal = alerts::Signal::sbp;
    t.value = 192;
    t.limit = 180;
    t.onset.wall = alerts::Millis{1795545660500};
    t.at.wall = alerts::Millis{1795545660500};
    return t;
}

Notification notification(int transitions = 1) {
    Notification n;
    n.key = "chair-03:chair-03-20261124T184000Z:a4/raised/1795545660500";
    n.chair = "chair-03";
    n.session_id = "chair-03-20261124T184000Z";
    n.patient_ref = "pseudonym-77";
    n.transitions.push_back(sbp_high(alerts::AlarmState::raised));
    n.texts.push_back("Chair 3: systolic BP 192 mmHg, above 180 (high priority)");
    if (transitions > 1) {
        auto ack = sbp_high(alerts::AlarmState::acknowledged);
        ack.acknowledged = true;
        ack.acknowledged_by = "nurse-ann";
        n.transitions.push_back(ack);
        n.texts.push_back("Chair 3: systolic BP alarm acknowledged by nurse-ann");
    }
    return n;
}

void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    if (run(argv, out) != 0) throw std::runtime_error("openssl failed: " + out);
}

// A CA with a server certificate for 127.0.0.1, and another CA that signed nothing of ours.
void make_pki(const std::string& d) {
    for (const std::string ca : {"ca", "other-ca"})
        openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/" + ca + ".key",
                 "-out", d + "/" + ca + ".crt", "-days", "2", "-subj", "/CN=" + ca});
    write_file(d + "/san.ext", "subjectAltName=IP:127.0.0.1\n");
    openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/server.key", "-out",
             d + "/server.csr", "-subj", "/CN=127.0.0.1"});
    openssl({"x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.crt", "-CAkey",
             d + "/ca.key", "-CAcreateserial", "-out", d + "/server.crt", "-days", "2", "-extfile",
             d + "/san.ext"});
}

}  // namespace

TEST_CASE("webhook: delivered with a signature the receiver verifies; its key is stable") {
    const auto dir = temp_dir("notify-webhook");
    write_file(dir + "/secret", "s3cret-of-the-clinic");
    const int port = free_port();
    auto receiver =
        start({scripts + "webhook_receiver.py", "--port", std::to_string(port), "--record",
               dir + "/got.jsonl", "--secret-file", dir + "/secret", "--fail-first", "1"},
              port, dir);
    WebhookOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(port) + "/hook?ward=a";
    o.secret = "s3cret-of-the-clinic";
    o.headers = {{"X-Clinic", "north"}, {"Idempotency-Key", "not ours"}};
    auto make = [&](asio::io_context& io) { return make_webhook(io, o); };
    const auto n = notification();

    // The receiver answers 503 first: failed (the notifier retries), then delivered.
    const auto first = send(make, n);
    CHECK(first.calls == 1);
    CHECK_FALSE(first.called_inside_send);
    CHECK(first.result.outcome == Outcome::failed);
    CHECK(first.result.detail == "HTTP 503");
    const auto second = send(make, n);
    CHECK(second.calls == 1);
    CHECK(second.result.outcome == Outcome::delivered);
    CHECK(second.result.detail == "HTTP 200");

    const auto got = records(dir + "/got.jsonl", 2);
    REQUIRE(got.size() == 2);
    for (const auto& r : got) {
        CHECK(r.at("signature_ok").as_bool());
        CHECK(r.at("path").as_string() == "/hook?ward=a");
        const auto& h = r.at("headers").as_object();
        CHECK(h.at("idempotency-key").as_string() == n.key);
        CHECK(h.at("content-type").as_string() == "application/json");
        CHECK(h.at("x-clinic").as_string() == "north");
        const auto& body = r.at("body").as_object();
        CHECK(body.at("key").as_string() == n.key);
        const auto& t = body.at("transitions").as_array().at(0).as_object();
        CHECK(t.at("alert_id").as_string() == "chair-03:chair-03-20261124T184000Z:a4");
        CHECK(t.at("condition").as_string() == "sbp_high");
        CHECK(t.at("state").as_string() == "raised");
    }

    // A wrong secret: the receiver refuses the signature (401), which no retry mends.
    o.secret = "not-the-secret";
    const auto wrong = send(make, n);
    CHECK(wrong.result.outcome == Outcome::rejected);
    CHECK(wrong.result.detail == "HTTP 401");
    CHECK_FALSE(records(dir + "/got.jsonl", 3).back().at("signature_ok").as_bool());
}

TEST_CASE("webhook: refused, and a receiver that does not answer in time") {
    const auto dir = temp_dir("notify-webhook-slow");
    const int closed = free_port();
    WebhookOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(closed) + "/";
    const auto refused =
        send([&](asio::io_context& io) { return make_webhook(io, o); }, notification());
    CHECK(refused.result.outcome == Outcome::failed);
    CHECK(refused.result.detail ==
          "connect 127.0.0.1:" + std::to_string(closed) + ": Connection refused");

    const int port = free_port();
    auto receiver = start({scripts + "webhook_receiver.py", "--port", std::to_string(port),
                           "--record", dir + "/got.jsonl", "--sleep", "4"},
                          port, dir);
    o.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    o.timeout = 1s;
    const auto slow =
        send([&](asio::io_context& io) { return make_webhook(io, o); }, notification());
    CHECK(slow.result.outcome == Outcome::failed);
    CHECK(slow.result.detail == "timeout after 1 s");
    CHECK(slow.took >= 900ms);
    CHECK(slow.took < 2s);
}

TEST_CASE("webhook over HTTPS: the right CA delivers, another CA is refused") {
    const auto dir = temp_dir("notify-webhook-tls");
    make_pki(dir);
    const int port = free_port();
    auto receiver =
        start({scripts + "webhook_receiver.py", "--port", std::to_string(port), "--record",
               dir + "/got.jsonl", "--cert", dir + "/server.crt", "--key", dir + "/server.key"},
              port, dir);
    WebhookOptions o;
    o.url = "https://127.0.0.1:" + std::to_string(port) + "/tls";
    o.ca_file = dir + "/ca.crt";
    auto make = [&](asio::io_context& io) { return make_webhook(io, o); };
    const auto ok = send(make, notification());
    CHECK(ok.result.outcome == Outcome::delivered);
    CHECK(ok.result.detail == "HTTP 200");

    o.ca_file = dir + "/other-ca.crt";
    const auto refused = send(make, notification());
    CHECK(refused.result.outcome == Outcome::failed);
    CHECK(refused.result.detail == "TLS: certificate verify failed");
    CHECK(records(dir + "/got.jsonl", 1).size() == 1);  // nothing more reached the receiver

    CHECK_THROWS_AS(make_webhook(*std::make_unique<asio::io_context>(),
                                 WebhookOptions{o.url, "", 5s, true, dir + "/missing.crt", {}}),
                    std::invalid_argument);
    o.ca_file = dir + "/ca.crt";
    o.headers = {{"X-Evil", "a\r\nX-Injected: 1"}};
    CHECK_THROWS_AS(make_webhook(*std::make_unique<asio::io_context>(), o), std::invalid_argument);
}

TEST_CASE("ACM over MLLP: the alert manager parses and checks each ORU^R40 and answers AA") {
    const auto dir = temp_dir("notify-acm");
    const int port = free_port();
    auto receiver = start({scripts + "mllp_receiver.py", "serve", "--port", std::to_string(port),
                           "--record", dir + "/got.jsonl", "--answer", "AA"},
                          port, dir);
    AcmOptions o;
    o.host = "127.0.0.1";
    o.port = static_cast<std::uint16_t>(port);
    o.sending_facility = "CLINIC";
    o.receiving_application = "AM";
    const auto n = notification(2);
    const auto sent = send([&](asio::io_context& io) { return make_acm(io, o); }, n);
    CHECK(sent.calls == 1);
    CHECK_FALSE(sent.called_inside_send);
    CHECK(sent.result.outcome == Outcome::delivered);
    CHECK(sent.result.detail == "HL7 AA x2");

    const auto got = records(dir + "/got.jsonl", 2);
    REQUIRE(got.size() == 2);
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto& r = got[i];
        INFO(boost::json::serialize(r));
        CHECK(r.at("problems").as_array().empty());
        CHECK(r.at("control_id").as_string() == acm_control_id(n.key, i));
        CHECK(r.at("alert_id").as_string() == "chair-03:chair-03-20261124T184000Z:a4");
        CHECK(r.at("patient").as_string() == "pseudonym-77^^^CHAIRWATCH^PI");
        CHECK(r.at("location").as_string() == "^^chair-03^CLINIC");
        CHECK(r.at("priority").as_string() == "PH");
        CHECK(r.at("type").as_string() == "SP");
        CHECK(r.at("text").as_string() == n.texts[i]);
    }
    CHECK(got[0].at("phase").as_string() == "start");
    CHECK(got[0].at("inactivation").as_string() == "enabled");
    CHECK(got[1].at("phase").as_string() == "update");
    CHECK(got[1].at("inactivation").as_string() == "alert-acknowledged");
}

TEST_CASE("ACM over MLLP with TLS: the right CA delivers, another CA is refused") {
    const auto dir = temp_dir("notify-acm-tls");
    make_pki(dir);
    const int port = free_port();
    auto receiver =
        start({scripts + "mllp_receiver.py", "serve", "--port", std::to_string(port), "--record",
               dir + "/got.jsonl", "--cert", dir + "/server.crt", "--key", dir + "/server.key"},
              port, dir);
    AcmOptions o;
    o.host = "127.0.0.1";
    o.port = static_cast<std::uint16_t>(port);
    o.tls = true;
    o.ca_file = dir + "/ca.crt";
    auto make = [&](asio::io_context& io) { return make_acm(io, o); };
    const auto ok = send(make, notification());
    CHECK(ok.result.outcome == Outcome::delivered);
    CHECK(ok.result.detail == "HL7 AA");
    CHECK(records(dir + "/got.jsonl", 1).at(0).at("problems").as_array().empty());

    o.ca_file = dir + "/other-ca.crt";
    const auto refused = send(make, notification());
    CHECK(refused.result.outcome == Outcome::failed);
    CHECK(refused.result.detail == "TLS: certificate verify failed");
    CHECK(records(dir + "/got.jsonl", 1).size() == 1);
}

TEST_CASE("ACM over MLLP: AE is a failure to retry, silence a timeout, nobody a refusal") {
    const auto dir = temp_dir("notify-acm-fail");
    AcmOptions o;
    o.host = "127.0.0.1";
    o.timeout = 1s;
    auto make = [&](asio::io_context& io) { return make_acm(io, o); };

    const int ae_port = free_port();
    auto ae = start({scripts + "mllp_receiver.py", "serve", "--port", std::to_string(ae_port),
                     "--record", dir + "/ae.jsonl", "--answer", "AE"},
                    ae_port, dir);
    o.port = static_cast<std::uint16_t>(ae_port);
    const auto refused_by_app = send(make, notification(2));
    CHECK(refused_by_app.result.outcome == Outcome::failed);
    CHECK(refused_by_app.result.detail == "HL7 AE: receiver told to refuse");
    CHECK(records(dir + "/ae.jsonl", 1).size() == 1);  // the second transition was not sent

    const int silent_port = free_port();
    auto silent =
        start({scripts + "mllp_receiver.py", "serve", "--port", std::to_string(silent_port),
               "--record", dir + "/silent.jsonl", "--answer", "none"},
              silent_port, dir);
    o.port = static_cast<std::uint16_t>(silent_port);
    const auto unanswered = send(make, notification());
    CHECK(unanswered.result.outcome == Outcome::failed);
    CHECK(unanswered.result.detail == "no ACK within 1 s");
    CHECK(unanswered.took >= 900ms);
    CHECK(unanswered.took < 2s);
    CHECK(records(dir + "/silent.jsonl", 1).size() == 1);  // it did arrive

    // A transport destroyed with a send in flight closes it and never calls back.
    {
        asio::io_context io;
        auto transport = make_acm(io, o);
        int calls = 0;
        transport->send(notification(), [&](Result) { ++calls; });
        io.run_for(200ms);
        transport.reset();
        io.run_for(1500ms);
        CHECK(calls == 0);
        CHECK(records(dir + "/silent.jsonl", 2).size() == 2);
    }

    const int closed = free_port();
    o.port = static_cast<std::uint16_t>(closed);
    const auto nobody = send(make, notification());
    CHECK(nobody.result.outcome == Outcome::failed);
    CHECK(nobody.result.detail ==
          "connect 127.0.0.1:" + std::to_string(closed) + ": Connection refused");
}

TEST_CASE("Dispatch status listener: an ORU^R41 from hl7.mllp is ACKed and reported") {
    asio::io_context io;
    std::mutex mu;
    std::vector<DispatchStatus> statuses;
    ListenerOptions lo;
    lo.port = 0;
    auto listener = make_status_listener(io, lo, [&](const DispatchStatus& s) {
        std::lock_guard lock(mu);
        statuses.push_back(s);
    });
    const auto port = std::to_string(listener->port());
    auto guard = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });

    std::string out;
    const int good = run({python, scripts + "mllp_receiver.py", "send", "--port", port,
                          "--alert-id", "chair-03:chair-03-20261124T184000Z:a4", "--status",
                          "Read at endpoint", "--person", "Smith^Ann", "--device", "phone-12"},
                         out, 20s);
    CHECK_MESSAGE(good == 0, out);
    CHECK(out.find("MSA|AA|ST1") != std::string::npos);
    const int bad = run(
        {python, scripts + "mllp_receiver.py", "send", "--port", port, "--bad", "--expect", "AE"},
        out, 20s);
    CHECK_MESSAGE(bad == 0, out);
    CHECK(out.find("not a dispatch status") != std::string::npos);

    guard.reset();
    asio::post(io, [&] { listener.reset(); });
    runner.join();
    std::lock_guard lock(mu);
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0].alert_id == "chair-03:chair-03-20261124T184000Z:a4");
    CHECK(statuses[0].status == "read");
    CHECK(statuses[0].person == "Ann Smith");
    CHECK(statuses[0].device == "phone-12");
    CHECK(statuses[0].control_id == "ST1");
    REQUIRE(statuses[0].at);
    CHECK(statuses[0].at->count() == 1795545792000);
}

TEST_CASE("Dispatch status listener: frame size, connection count and idle time are bounded") {
    asio::io_context io;
    ListenerOptions lo;
    lo.max_frame_bytes = 256;
    lo.max_connections = 1;
    lo.idle_timeout = 500ms;
    int reported = 0;
    auto listener = make_status_listener(io, lo, [&](const DispatchStatus&) { ++reported; });
    const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), listener->port());
    auto guard = asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });

    // Reads until the peer closes (or 3 s): what it said, and whether it closed.
    auto drain = [](asio::ip::tcp::socket& s, std::string& got) {
        s.non_blocking(false);
        const auto until = Clock::now() + 3s;
        char buf[1024];
        while (Clock::now() < until) {
            boost::system::error_code ec;
            const auto n = s.read_some(asio::buffer(buf), ec);
            if (ec) return ec == asio::error::eof || ec == asio::error::connection_reset;
            got.append(buf, n);
        }
        return false;
    };
    asio::io_context client_io;
    {
        // An oversized frame: AE, then the connection closes.
        asio::ip::tcp::socket big(client_io);
        big.connect(ep);
        // The only connection allowed: a second one is closed at once.
        asio::ip::tcp::socket extra(client_io);
        extra.connect(ep);
        std::string got_extra;
        CHECK(drain(extra, got_extra));
        CHECK(got_extra.empty());

        const auto frame =
            mllp_frame("MSH|^~\\&|AM||||2026||ORU^R41|B1|P|2.6\r" + std::string(400, 'x'));
        asio::write(big, asio::buffer(frame));
        std::string got;
        CHECK(drain(big, got));
        CHECK(got.find("MSA|AE") != std::string::npos);
        CHECK(got.find("message larger than 256 bytes") != std::string::npos);
    }
    {
        // A silent connection is closed after the idle time.
        asio::ip::tcp::socket idle(client_io);
        const auto t0 = Clock::now();
        idle.connect(ep);
        std::string got;
        CHECK(drain(idle, got));
        CHECK(Clock::now() - t0 >= 400ms);
        CHECK(Clock::now() - t0 < 2s);
    }
    guard.reset();
    asio::post(io, [&] { listener.reset(); });
    runner.join();
    CHECK(reported == 0);
}
