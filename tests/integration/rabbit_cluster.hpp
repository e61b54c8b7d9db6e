// A RabbitMQ cluster on loopback for the clustered-broker test (docs/high-availability.md): N
// nodes of Debian's rabbitmq-server, each with the MQTT plugin on a free port of its own, joined
// to the first with rabbitmqctl join_cluster, durable MQTT subscriptions in quorum queues
// (replicated on every node). Everything lives in a temp dir of its own: node names, ports,
// epmd (its own port), cookie, config, data and logs, so it neither uses nor disturbs a
// system RabbitMQ. Every node and the epmd are stopped by their PIDs, also when a test fails.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

namespace chairwatch::it {

class RabbitCluster {
  public:
    // Starts and clusters `nodes` nodes; throws with what went wrong (RabbitMQ not installed, a
    // node that did not start or join) after stopping what it started.
    explicit RabbitCluster(int nodes = 3);
    ~RabbitCluster();
    RabbitCluster(const RabbitCluster&) = delete;
    RabbitCluster& operator=(const RabbitCluster&) = delete;

    // tcp://127.0.0.1:<MQTT port> of node i (0-based).
    std::string mqtt_uri(int i) const;
    // The Erlang VM of node i (what kill -9 takes down with every connection on it).
    pid_t pid(int i) const;
    void kill(int i);  // SIGKILL, and waits until its MQTT port is closed
    const std::string& dir() const { return dir_; }

  private:
    struct Node {
        std::string name;
        int amqp_port, dist_port, mqtt_port;
        std::unique_ptr<Process> proc;
        pid_t beam{-1};
    };
    std::vector<std::string> env(const Node& n) const;
    // rabbitmqctl against node n; throws with its output if it fails.
    void ctl(const Node& n, const std::vector<std::string>& args);
    void start(Node& n);
    void stop_all();

    std::string dir_;
    int epmd_port_;
    std::unique_ptr<Process> epmd_;
    std::vector<Node> nodes_;
};

}  // namespace chairwatch::it
