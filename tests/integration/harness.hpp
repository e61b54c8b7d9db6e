// Real parts for integration tests: a private mosquitto on a free loopback port, the real
// chairwatchd binary, and real MQTT clients. Everything started here is stopped by its PID.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace chairwatch::it {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A child process with stdout and stderr in a file.
class Process {
  public:
    Process(std::vector<std::string> argv, std::string output_file);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig);
    // Waits for the exit; returns the exit code (128+signal if killed), or -1 on timeout.
    int wait(std::chrono::milliseconds timeout);
    bool running();
    std::string output() const;  // everything it printed so far

  private:
    pid_t pid_{-1};
    std::string output_file_;
    int status_{-1};
};

std::string temp_dir(const std::string& name);  // fresh, empty
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
int free_port();
// Whether something accepts TCP connections on 127.0.0.1:port.
bool accepts(int port);
// Runs a command to completion; returns its exit code and, in `output`, what it printed.
int run(const std::vector<std::string>& argv, std::string& output,
        std::chrono::seconds timeout = 60s);

struct BrokerOptions {
    bool persistence{false};  // keep sessions and queued messages across a restart
    std::string global;       // mosquitto.conf lines before the first listener
    std::string extra;        // more mosquitto.conf lines (listeners, TLS, ACLs)
};

class Broker {
  public:
    Broker();
    explicit Broker(BrokerOptions options);
    ~Broker();
    void start();
    void stop();  // SIGTERM, waits
    int port() const { return port_; }
    pid_t pid() const;
    std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
    int port_;
    std::unique_ptr<Process> proc_;
};

struct Message {
    std::string topic;
    std::string payload;
    bool retained{false};
    Clock::time_point at;
    boost::json::value json() const;  // null if not JSON
};

struct ClientOptions {
    std::string id;
    // clean_session off and automatic reconnection: the broker keeps the subscriptions and
    // queues QoS 1 messages while the client is away.
    bool persistent{false};
    std::string username, password;
    std::string ca_file, cert_file, key_file;  // TLS when ca_file is set
    // A last will (QoS 1, retained) the broker sends if the connection drops without a word.
    std::string will_topic, will_payload;
};

// A real MQTT client that records everything it receives on its subscriptions.
class Client {
  public:
    explicit Client(const std::string& uri, const std::string& id = "");
    Client(const std::string& uri, const ClientOptions& options);
    bool connected() const;
    ~Client();
    void subscribe(const std::string& filter, int qos = 1);
    void publish(const std::string& topic, const std::string& payload, int qos = 1,
                 bool retain = false);

    // Waits until a received message satisfies `pred`; returns it, or nullopt on timeout.
    std::optional<Message> wait_for(const std::function<bool(const Message&)>& pred,
                                    std::chrono::milliseconds timeout = 10s);
    std::vector<Message> messages(const std::string& topic_prefix = "") const;
    void clear();

  private:
    std::unique_ptr<mqtt::async_client> client_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Message> received_;
};

// chairwatchd with a config file, its own log dir and a broker.
class Daemon {
  public:
    Daemon(const Broker& broker, const std::string& config_text, const std::string& name = "d");
    // On a broker that is not ours to start (a cluster's nodes): start() watches the status
    // topic through `watch_uri`; the daemon connects to use_broker_uri's (a comma-separated list).
    Daemon(std::string watch_uri, const std::string& config_text, const std::string& name);
    ~Daemon();
    // Starts and waits until it says "online" on its status topic.
    void start();
    void kill(int sig);
    int wait(std::chrono::milliseconds timeout) { return proc_->wait(timeout); }
    pid_t pid() const { return proc_ ? proc_->pid() : -1; }
    std::string output() const { return proc_ ? proc_->output() : ""; }
    const std::string& log_dir() const { return log_dir_; }
    const std::string& config_path() const { return config_; }
    const std::string& dir() const { return dir_; }
    // The daemon connects here instead of the broker's plain listener (e.g. its TLS one); the
    // harness still watches the status topic through the plain listener.
    void use_broker_uri(std::string uri) { daemon_uri_ = std::move(uri); }
    // The daemon runs under this command (e.g. prlimit with its options), which then execs it.
    void run_under(std::vector<std::string> prefix) { prefix_ = std::move(prefix); }
    // start() watches the status topic with this login (a broker without anonymous access).
    void watch_as(ClientOptions options) { watcher_ = std::move(options); }
    // start() waits for "online" here instead (a group's standby says so on its own topic).
    void watch_status(std::string topic) { status_topic_ = std::move(topic); }
    // The board (HTTP) listens here: a free loopback port of its own, never the default 8080.
    int http_port() const { return http_port_; }
    // One sample of its /metrics ("NAME" or "NAME{labels}"); -1 if absent or not answered.
    double metric(const std::string& sample) const;

  private:
    std::string broker_uri_;
    std::string dir_, config_, log_dir_, daemon_uri_;
    std::vector<std::string> prefix_;
    ClientOptions watcher_;
    std::string status_topic_{"clinic/chairwatchd/status"};
    int http_port_{free_port()};
    std::unique_ptr<Process> proc_;
};

// The shipped config with the given replacements of exact substrings.
std::string shipped_config(const std::vector<std::pair<std::string, std::string>>& replace = {});

// Polls `done` every 50 ms until it holds or `timeout` passes; its last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s);

// Helpers on alert messages.
bool is_alert(const Message& m, const std::string& chair, const std::string& condition,
              const std::string& state, const std::string& priority = "");
std::string field(const Message& m, const char* key);

}  // namespace chairwatch::it
