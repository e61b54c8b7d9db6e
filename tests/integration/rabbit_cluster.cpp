#include "rabbit_cluster.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <thread>

namespace chairwatch::it {

namespace fs = std::filesystem;

namespace {

const std::string rabbit_bin = "/usr/lib/rabbitmq/bin/";

std::string random_cookie() {
    std::random_device rd;
    std::string cookie;
    for (int i = 0; i < 32; ++i)
        cookie += static_cast<char>('A' + rd() % 26);
    return cookie;
}

}  // namespace

RabbitCluster::RabbitCluster(int nodes) : dir_(temp_dir("rabbit")), epmd_port_(free_port()) {
    if (!fs::exists(rabbit_bin + "rabbitmq-server") || !fs::exists("/usr/bin/epmd"))
        throw std::runtime_error(
            "RabbitMQ is not installed (" + rabbit_bin +
            "rabbitmq-server): apt-get install rabbitmq-server (scripts/install-deps.sh)");
    write_file(dir_ + "/.erlang.cookie", random_cookie());
    fs::permissions(dir_ + "/.erlang.cookie", fs::perms::owner_read);
    write_file(dir_ + "/enabled_plugins", "[rabbitmq_mqtt].\n");
    write_file(dir_ + "/advanced.config", "[].\n");
    write_file(dir_ + "/rabbitmq-env.conf", "");
    epmd_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/epmd", "-port", std::to_string(epmd_port_)},
        dir_ + "/epmd.log");
    const std::string stem = "cw" + std::to_string(::getpid()) + "n";
    for (int i = 0; i < nodes; ++i) {
        Node n{stem + std::to_string(i + 1), free_port(), free_port(), free_port(), nullptr};
        write_file(dir_ + "/" + n.name + ".conf",
                   "listeners.tcp.default = 127.0.0.1:" + std::to_string(n.amqp_port) +
                       "\nmqtt.listeners.tcp.default = 127.0.0.1:" + std::to_string(n.mqtt_port) +
                       "\nmqtt.durable_queue_type = quorum\nmqtt.allow_anonymous = true\n"
                       "loopback_users = none\n");
        n.name += "@localhost";
        nodes_.push_back(std::move(n));
    }
    try {
        for (auto& n : nodes_)  // all at once: each takes ~10 s on its own
            n.proc = std::make_unique<Process>(
                env(n), dir_ + "/" + n.name.substr(0, n.name.find('@')) + ".out");
        for (auto& n : nodes_)
            start(n);
        // One at a time: two nodes joining at once can fail on the first one's schema lock.
        for (std::size_t i = 1; i < nodes_.size(); ++i) {
            ctl(nodes_[i], {"stop_app"});
            ctl(nodes_[i], {"join_cluster", nodes_[0].name});
            ctl(nodes_[i], {"start_app"});
        }
        for (const auto& n : nodes_)
            if (!eventually([&] { return accepts(n.mqtt_port); }, 30s))
                throw std::runtime_error(n.name + ": MQTT port " + std::to_string(n.mqtt_port) +
                                         " not open after joining");
    } catch (...) {
        stop_all();
        throw;
    }
}

RabbitCluster::~RabbitCluster() {
    stop_all();
    std::error_code ec;
    if (!std::getenv("CHAIRWATCH_KEEP_RABBIT")) fs::remove_all(dir_, ec);  // its logs kept if set
}

std::vector<std::string> RabbitCluster::env(const Node& n) const {
    const auto short_name = n.name.substr(0, n.name.find('@'));
    return {"/usr/bin/env",
            "HOME=" + dir_,
            "ERL_EPMD_PORT=" + std::to_string(epmd_port_),
            "RABBITMQ_USE_LONGNAME=false",
            "RABBITMQ_NODENAME=" + n.name,
            "RABBITMQ_NODE_PORT=" + std::to_string(n.amqp_port),
            "RABBITMQ_DIST_PORT=" + std::to_string(n.dist_port),
            "RABBITMQ_CONF_ENV_FILE=" + dir_ + "/rabbitmq-env.conf",
            "RABBITMQ_CONFIG_FILE=" + dir_ + "/" + short_name,
            "RABBITMQ_ADVANCED_CONFIG_FILE=" + dir_ + "/advanced.config",
            "RABBITMQ_ENABLED_PLUGINS_FILE=" + dir_ + "/enabled_plugins",
            "RABBITMQ_MNESIA_BASE=" + dir_ + "/mnesia",
            "RABBITMQ_LOG_BASE=" + dir_ + "/log-" + short_name,
            "RABBITMQ_PID_FILE=" + dir_ + "/" + short_name + ".pid",
            rabbit_bin + "rabbitmq-server"};
}

void RabbitCluster::ctl(const Node& n, const std::vector<std::string>& args) {
    auto argv = env(n);
    argv.back() = rabbit_bin + "rabbitmqctl";
    for (const auto* a : {"-q", "-n"})
        argv.emplace_back(a);
    argv.push_back(n.name);
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    if (run(argv, out, 90s) != 0)
        throw std::runtime_error("rabbitmqctl " + args.front() + " on " + n.name + ": " + out);
}

// Waits until the node has booted (rabbitmqctl wait on its PID file) and reads its VM's PID.
void RabbitCluster::start(Node& n) {
    const auto pid_file = dir_ + "/" + n.name.substr(0, n.name.find('@')) + ".pid";
    try {
        ctl(n, {"wait", "--timeout", "90", pid_file});
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string(e.what()) + "\n" + n.proc->output());
    }
    n.beam = static_cast<pid_t>(std::stol(read_file(pid_file)));
}

std::string RabbitCluster::mqtt_uri(int i) const {
    return "tcp://127.0.0.1:" + std::to_string(nodes_.at(static_cast<std::size_t>(i)).mqtt_port);
}

pid_t RabbitCluster::pid(int i) const {
    return nodes_.at(static_cast<std::size_t>(i)).beam;
}

void RabbitCluster::kill(int i) {
    auto& n = nodes_.at(static_cast<std::size_t>(i));
    if (n.beam > 0) ::kill(n.beam, SIGKILL);
    n.beam = -1;
    eventually([&] { return !accepts(n.mqtt_port); }, 10s);
}

void RabbitCluster::stop_all() {
    for (auto& n : nodes_) {
        if (n.beam > 0) ::kill(n.beam, SIGKILL);
        n.beam = -1;
        if (n.proc) ::kill(-n.proc->pid(), SIGKILL);  // its group: a VM whose PID we never read
        if (n.proc) n.proc->wait(5s);                 // the wrapper script ends with its VM
        n.proc.reset();
    }
    epmd_.reset();
}

}  // namespace chairwatch::it
