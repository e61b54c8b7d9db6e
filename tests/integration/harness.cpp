#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace chairwatch::it {

namespace fs = std::filesystem;

Process::Process(std::vector<std::string> argv, std::string output_file)
    : output_file_(std::move(output_file)) {
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(output_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        ::setpgid(0, 0);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
}

Process::~Process() {
    if (running()) {
        signal(SIGKILL);
        wait(5s);
    }
}

void Process::signal(int sig) {
    if (pid_ > 0 && status_ < 0) ::kill(pid_, sig);
}

bool Process::running() {
    if (pid_ <= 0 || status_ >= 0) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

int Process::wait(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (running()) {
        if (Clock::now() > deadline) return -1;
        std::this_thread::sleep_for(10ms);
    }
    return status_;
}

std::string Process::output() const {
    return read_file(output_file_);
}

std::string temp_dir(const std::string& name) {
    static std::atomic<int> counter{0};
    const auto dir = fs::temp_directory_path() / ("cw-it-" + std::to_string(::getpid()) + "-" +
                                                  std::to_string(counter++) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

// A port below Linux's ephemeral range (32768-60999), so that no client's outgoing connection
// takes it between this call and the listener's bind; free when asked, and never one that this
// or another test process (ctest runs them in parallel) holds: each port handed out is claimed
// with a lock on /tmp/chairwatch-test-ports/<port>, kept until the process exits.
bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

int free_port() {
    static std::mutex mutex;
    static std::set<int> given;
    static std::minstd_rand pick(
        static_cast<unsigned>(::getpid()) * 7919U +
        static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
    const std::lock_guard lock(mutex);
    const std::string locks = "/tmp/chairwatch-test-ports";
    std::error_code ec;
    std::filesystem::create_directories(locks, ec);
    for (int attempt = 0; attempt < 2000; ++attempt) {
        const int port = 20000 + static_cast<int>(pick() % 12000U);
        if (given.count(port)) continue;
        const auto claim = locks + "/" + std::to_string(port);
        const int lock_fd = ::open(claim.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (lock_fd < 0) continue;
        if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {  // another test process has it
            ::close(lock_fd);
            continue;
        }
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (!free) {
            ::close(lock_fd);
            continue;
        }
        given.insert(port);  // lock_fd stays open: the claim lasts as long as this process
        return port;
    }
    throw std::runtime_error("no free loopback port in 20000-31999");
}

namespace {

bool port_open(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string find_mosquitto() {
    for (const char* p : {"/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"})
        if (fs::exists(p)) return p;
    throw std::runtime_error("mosquitto not found: apt-get install mosquitto");
}

}  // namespace

int run(const std::vector<std::string>& argv, std::string& output, std::chrono::seconds timeout) {
    const auto dir = temp_dir("run");
    Process p(argv, dir + "/out.txt");
    int code = p.wait(timeout);
    output = p.output();
    fs::remove_all(dir);
    return code;
}

Broker::Broker() : Broker(BrokerOptions{}) {}

Broker::Broker(BrokerOptions o) : dir_(temp_dir("broker")), port_(free_port()) {
    // What docs/operations.md asks of a clinic's broker for latency, unless the test sets it.
    std::string tuned;
    if (o.global.find("set_tcp_nodelay") == std::string::npos) tuned += "set_tcp_nodelay true\n";
    if (o.global.find("max_inflight_messages") == std::string::npos)
        tuned += "max_inflight_messages 1000\n";
    std::string conf = tuned + o.global + "listener " + std::to_string(port_) +
                       " 127.0.0.1\nallow_anonymous true\n";
    // Run as root, mosquitto drops to its own user: it must be able to write its database.
    fs::permissions(dir_, fs::perms::all);
    conf += o.persistence ? "persistence true\npersistence_location " + dir_ + "/\n"
                          : "persistence false\n";
    write_file(dir_ + "/mosquitto.conf", conf + o.extra);
    start();
}

Broker::~Broker() {
    stop();
    fs::remove_all(dir_);
}

void Broker::start() {
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{find_mosquitto(), "-c", dir_ + "/mosquitto.conf"},
        dir_ + "/broker.log");
    const auto deadline = Clock::now() + 10s;
    while (!port_open(port_)) {
        if (Clock::now() > deadline || !proc_->running())
            throw std::runtime_error("mosquitto did not start: " + proc_->output());
        std::this_thread::sleep_for(20ms);
    }
}

pid_t Broker::pid() const {
    return proc_ ? proc_->pid() : -1;
}

void Broker::stop() {
    if (!proc_) return;
    proc_->signal(SIGTERM);
    proc_->wait(5s);
    proc_.reset();
}

boost::json::value Message::json() const {
    boost::system::error_code ec;
    auto v = boost::json::parse(payload, ec);
    return ec ? boost::json::value(nullptr) : v;
}

Client::Client(const std::string& uri, const std::string& id)
    : Client(uri, ClientOptions{id, false, {}, {}, {}, {}, {}, {}, {}}) {}

bool Client::connected() const {
    return client_->is_connected();
}

Client::Client(const std::string& uri, const ClientOptions& o) {
    static std::atomic<int> counter{0};
    const auto client_id =
        o.id.empty() ? "it-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) : o.id;
    client_ = std::make_unique<mqtt::async_client>(uri, client_id);
    client_->set_message_callback([this](mqtt::const_message_ptr msg) {
        std::lock_guard lock(mu_);
        received_.push_back(
            {msg->get_topic(), msg->get_payload_str(), msg->is_retained(), Clock::now()});
        cv_.notify_all();
    });
    auto b = mqtt::connect_options_builder().clean_session(!o.persistent);
    if (o.persistent) b.automatic_reconnect(200ms, 1s);
    if (!o.username.empty()) b.user_name(o.username).password(o.password);
    if (!o.will_topic.empty()) b.will(mqtt::message(o.will_topic, o.will_payload, 1, true));
    if (!o.ca_file.empty()) {
        auto ssl = mqtt::ssl_options_builder().trust_store(o.ca_file).enable_server_cert_auth(true);
        if (!o.cert_file.empty()) ssl.key_store(o.cert_file).private_key(o.key_file);
        b.ssl(ssl.finalize());
    }
    try {
        client_->connect(b.finalize())->wait_for(10s);
    } catch (const mqtt::exception& e) {
        throw std::runtime_error("test client cannot connect to " + uri + ": " + e.what());
    }
    if (!client_->is_connected()) throw std::runtime_error("test client cannot connect to " + uri);
}

Client::~Client() {
    try {
        if (client_->is_connected()) client_->disconnect()->wait_for(2s);
    } catch (const mqtt::exception&) {
    }
}

void Client::subscribe(const std::string& filter, int qos) {
    client_->subscribe(filter, qos)->wait_for(5s);
}

void Client::publish(const std::string& topic, const std::string& payload, int qos, bool retain) {
    client_->publish(topic, payload.data(), payload.size(), qos, retain)->wait_for(5s);
}

std::optional<Message> Client::wait_for(const std::function<bool(const Message&)>& pred,
                                        std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    std::size_t seen = 0;
    const auto deadline = Clock::now() + timeout;
    while (true) {
        for (; seen < received_.size(); ++seen)
            if (pred(received_[seen])) return received_[seen];
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && seen == received_.size())
            return std::nullopt;
    }
}

std::vector<Message> Client::messages(const std::string& topic_prefix) const {
    std::lock_guard lock(mu_);
    std::vector<Message> out;
    for (const auto& m : received_)
        if (m.topic.rfind(topic_prefix, 0) == 0) out.push_back(m);
    return out;
}

void Client::clear() {
    std::lock_guard lock(mu_);
    received_.clear();
}

Daemon::Daemon(const Broker& broker, const std::string& config_text, const std::string& name)
    : Daemon(broker.uri(), config_text, name) {}

Daemon::Daemon(std::string watch_uri, const std::string& config_text, const std::string& name)
    : broker_uri_(std::move(watch_uri)),
      dir_(temp_dir(name)),
      config_(dir_ + "/chairwatch.yaml"),
      log_dir_(dir_ + "/sessions") {
    write_file(config_, config_text);
}

Daemon::~Daemon() {
    if (proc_ && proc_->running()) {
        proc_->signal(SIGTERM);
        if (proc_->wait(10s) < 0) proc_->signal(SIGKILL);
    }
}

void Daemon::start() {
    Client watcher(broker_uri_, watcher_);
    watcher.subscribe(status_topic_);
    const auto since = Clock::now();
    std::vector<std::string> argv = prefix_;
    for (const auto& a :
         {std::string(CHAIRWATCHD_BIN), std::string("--config"), config_, std::string("--broker"),
          daemon_uri_.empty() ? broker_uri_ : daemon_uri_, std::string("--log-dir"), log_dir_,
          std::string("--queue-dir"), dir_ + "/queue", std::string("--http"),
          "127.0.0.1:" + std::to_string(http_port_)})
        argv.push_back(a);
    proc_ = std::make_unique<Process>(argv, dir_ + "/chairwatchd.log");
    auto online = watcher.wait_for(
        [&](const Message& m) {
            return m.at >= since && !m.retained &&
                   m.payload.find("\"online\"") != std::string::npos;
        },
        15s);
    if (!online) throw std::runtime_error("chairwatchd did not come online: " + proc_->output());
}

void Daemon::kill(int sig) {
    proc_->signal(sig);
}

double Daemon::metric(const std::string& sample) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(http_port_));
    std::string text;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string req =
            "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[4096];
            for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
                text.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    const auto at = text.find("\n" + sample + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + sample.size() + 2));
}

std::string shipped_config(const std::vector<std::pair<std::string, std::string>>& replace) {
    auto text = read_file(CHAIRWATCH_SOURCE_DIR "/config/chairwatch.yaml");
    for (const auto& [from, to] : replace) {
        auto pos = text.find(from);
        if (pos == std::string::npos)
            throw std::runtime_error("shipped config has no '" + from + "'");
        text.replace(pos, from.size(), to);
    }
    return text;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

std::string field(const Message& m, const char* key) {
    auto v = m.json();
    if (!v.is_object()) return "";
    auto* f = v.as_object().if_contains(key);
    if (!f) return "";
    if (f->is_string()) return std::string(f->as_string());
    return boost::json::serialize(*f);
}

bool is_alert(const Message& m, const std::string& chair, const std::string& condition,
              const std::string& state, const std::string& priority) {
    return m.topic == "clinic/" + chair + "/alerts" && field(m, "condition") == condition &&
           field(m, "state") == state && (priority.empty() || field(m, "priority") == priority);
}

}  // namespace chairwatch::it
