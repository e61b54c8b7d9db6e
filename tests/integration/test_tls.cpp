// chairwatchd over TLS to a real mosquitto TLS listener: certificates made in the test by
// openssl, the server verified against our CA, a client certificate, and a username whose
// password comes from a file.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>

#include "harness.hpp"

using namespace chairwatch::it;
namespace fs = std::filesystem;

namespace {

void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    if (run(argv, out) != 0) throw std::runtime_error("openssl failed: " + out);
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.
void make_pki(const std::string& d, const std::string& ca_name) {
    openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out",
             d + "/ca.crt", "-days", "2", "-subj", "/CN=" + ca_name});
    write_file(d + "/san.ext", "subjectAltName=IP:127.0.0.1\n");
    for (const std::string who : {"server", "client"}) {
        openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/" + who + ".key", "-out",
                 d + "/" + who + ".csr", "-subj",
                 who == "server" ? "/CN=127.0.0.1" : "/CN=chairwatchd"});
        std::vector<std::string> sign{"x509",
                                      "-req",
                                      "-in",
                                      d + "/" + who + ".csr",
                                      "-CA",
                                      d + "/ca.crt",
                                      "-CAkey",
                                      d + "/ca.key",
                                      "-CAcreateserial",
                                      "-out",
                                      d + "/" + who + ".crt",
                                      "-days",
                                      "2"};
        if (who == "server") sign.insert(sign.end(), {"-extfile", d + "/san.ext"});
        openssl(sign);
    }
    for (const auto& e : fs::directory_iterator(d))
        fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write |
                                      fs::perms::group_read | fs::perms::others_read);
    fs::permissions(d, fs::perms::all);
}

std::string tls_config(const std::string& pki, const std::string& password_file) {
    return shipped_config(
        {{"  keepalive_s: 30\n",
          "  keepalive_s: 30\n  reconnect_max_s: 2\n  username: chairwatchd\n"
          "  password_file: " +
              password_file + "\n  tls:\n    ca_file: " + pki + "/ca.crt\n    cert_file: " + pki +
              "/client.crt\n    key_file: " + pki + "/client.key\n"}});
}

// A BP surge on `chair`, published through the plain listener, comes back as a raised alert.
bool surge_raises_alert(const Broker& broker, const std::string& chair) {
    Client nurse(broker.uri());
    nurse.subscribe("clinic/" + chair + "/alerts");
    Client monitor(broker.uri());
    monitor.publish("clinic/" + chair + "/vitals/bp", R"({"sbp":187,"dbp":99})");
    return nurse
        .wait_for([&](const Message& m) { return is_alert(m, chair, "sbp_high", "raised"); })
        .has_value();
}

}  // namespace

TEST_CASE("TLS with server verification, a client certificate and a password from a file") {
    const auto pki = temp_dir("pki");
    make_pki(pki, "chairwatch-test-ca");
    const std::string secret = "s3cret-Pw-9f1";
    std::string out;
    REQUIRE(run({"/usr/bin/mosquitto_passwd", "-b", "-c", pki + "/passwd", "chairwatchd", secret},
                out) == 0);
    fs::permissions(pki + "/passwd", fs::perms::owner_read | fs::perms::owner_write |
                                         fs::perms::group_read | fs::perms::others_read);
    write_file(pki + "/chairwatchd.password", secret + "\n");

    const int tls_port = free_port();
    const int one_per_account_port = free_port();
    auto tls_listener = [&](int port) {
        return "listener " + std::to_string(port) + " 127.0.0.1\ncafile " + pki +
               "/ca.crt\ncertfile " + pki + "/server.crt\nkeyfile " + pki +
               "/server.key\nrequire_certificate true\nallow_anonymous false\npassword_file " +
               pki + "/passwd\n";
    };
    Broker broker(BrokerOptions{false, "per_listener_settings true\n",
                                tls_listener(tls_port) + tls_listener(one_per_account_port) +
                                    "use_username_as_clientid true\n"});
    const auto tls_uri = "ssl://127.0.0.1:" + std::to_string(tls_port);

    SUBCASE("the daemon connects, and alerts flow") {
        Daemon daemon(broker, tls_config(pki, pki + "/chairwatchd.password"));
        daemon.use_broker_uri(tls_uri);
        daemon.start();  // throws unless it says online, which it can only do over TLS
        CHECK(surge_raises_alert(broker, "chair-61"));
        CHECK(daemon.output().find(secret) == std::string::npos);
    }

    SUBCASE("one connection for both directions, where the broker allows one per account") {
        auto cfg = tls_config(pki, pki + "/chairwatchd.password");
        cfg.replace(cfg.find("  keepalive_s: 30\n"), 0, "  separate_publisher: false\n");
        Daemon daemon(broker, cfg);
        daemon.use_broker_uri("ssl://127.0.0.1:" + std::to_string(one_per_account_port));
        daemon.start();
        CHECK(surge_raises_alert(broker, "chair-62"));
        // No connection was closed for another under the same account.
        CHECK(daemon.output().find("BROKER CONNECTION LOST") == std::string::npos);
    }

    SUBCASE("a broker whose certificate our CA did not sign is refused") {
        const auto other = temp_dir("pki-other");
        make_pki(other, "someone-else");
        // The daemon trusts only the other CA: the real broker's certificate must fail.
        auto cfg = tls_config(pki, pki + "/chairwatchd.password");
        cfg.replace(cfg.find(pki + "/ca.crt"), (pki + "/ca.crt").size(), other + "/ca.crt");
        Daemon daemon(broker, cfg);
        daemon.use_broker_uri(tls_uri);
        CHECK_THROWS(daemon.start());
        CHECK(daemon.output().find("cannot reach broker") != std::string::npos);
    }

    SUBCASE("a wrong password is refused by the broker") {
        write_file(pki + "/wrong.password", "not-the-password\n");
        Daemon daemon(broker, tls_config(pki, pki + "/wrong.password"));
        daemon.use_broker_uri(tls_uri);
        CHECK_THROWS(daemon.start());
        CHECK(daemon.output().find("cannot reach broker") != std::string::npos);
        CHECK(daemon.output().find("not-the-password") == std::string::npos);
    }

    SUBCASE("a password in the YAML itself is a config error") {
        Daemon daemon(
            broker,
            shipped_config({{"  keepalive_s: 30\n", "  keepalive_s: 30\n  password: hunter2\n"}}));
        std::string check;
        CHECK(run({CHAIRWATCHD_BIN, "--config", daemon.config_path(), "--check-config"}, check) ==
              2);
        CHECK(check.find("broker.password: passwords are not kept in this file") !=
              std::string::npos);
        CHECK(check.find("hunter2") == std::string::npos);
    }
}
