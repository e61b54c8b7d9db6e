// Sink: alarm transitions to the receivers that page people (docs/notifications.md). Routes
// each transition (daemon/notify/router.hpp), groups a chair's transitions for a receiver
// within the group window (grouper.hpp), keeps every notification in an outbox journal before
// sending it and removes it once delivered or rejected, retries with back-off, and reports a
// receiver failing for longer than fail_after (the daemon raises notification_failed) while
// the route's fallback receiver gets what it could not take. The daemon's own technical alarms
// (readings_link_lost, session_log_failed, notification_failed) come in through
// on_service_alarm and go the same way, as alarms of the chair "chairwatchd".
//
// Never blocks the pipeline: on_events and on_done only queue (and append to the journal);
// sending runs on the io_context, each handler holding the daemon's state through `hold`.
// Each receiver gets its notifications in order, one at a time.
#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/notify/grouper.hpp"
#include "daemon/notify/outbox_record.hpp"
#include "daemon/notify/receiver_health.hpp"
#include "daemon/notify/router.hpp"
#include "daemon/service_alarms.hpp"
#include "daemon/sinks/event_sink.hpp"
#include "drivers/mqtt/outbox_journal.hpp"
#include "drivers/notify/notification.hpp"

namespace chairwatch::daemon {

struct ReceiverStats {
    std::string name;
    std::uint64_t sent{0};      // delivered
    std::uint64_t failed{0};    // attempts that failed (each retry counts)
    std::uint64_t retried{0};   // attempts after the first
    std::uint64_t rejected{0};  // refused for good (HTTP 4xx, HL7 AR)
    std::size_t pending{0};     // in the outbox now
    bool failing{false};        // failed for longer than fail_after
    double last_latency_s{0};   // queued to delivered, the last one
};

class Notifier final : public EventSink {
  public:
    struct Hooks {
        std::function<std::unique_lock<std::mutex>()> hold;  // the daemon's state
        std::function<alerts::Instant()> now;
        // The receivers failed now (empty: none); called when the set changes, state held.
        std::function<void(const std::vector<std::string>& failed)> on_failed;
        // A dispatch status from the alert manager (ACM), state held.
        std::function<void(const drivers::notify::DispatchStatus&)> on_receipt;
        // Tests and notify-test may give transports of their own; empty: the real ones.
        std::function<std::unique_ptr<drivers::notify::Transport>(const config::Receiver&)>
            make_transport;
        std::string site;  // the instance's site, which its technical alarms' ids carry
    };

    Notifier(boost::asio::io_context& io, const config::NotifyConfig& cfg, Hooks hooks);
    ~Notifier() override;

    // Opens the outbox (what the last run left is sent again) and the status listener.
    void start();
    void stop();
    // New receivers and routes; outbox_dir and the status listener change at the next start.
    void reload(const config::NotifyConfig& cfg);

    // The daemon's 1 s tick, state held: what its own timer may have missed (a clock jump).
    void on_tick(alerts::Instant t);

    void on_events(std::span<const alerts::ClinicEvent> events, const Batch& batch) override;
    void on_done(const Batch& batch) override;
    // One of the daemon's own technical alarms changed (state held): routed as a technical
    // alarm of the chair "chairwatchd", sent at once, ungrouped, with the key of any
    // transition. Safe to call from the on_failed hook.
    void on_service_alarm(const ServiceAlert& a, alerts::Instant t);

    std::vector<ReceiverStats> stats() const;
    std::size_t pending() const { return pending_.size(); }

  private:
    struct Pending {
        notify::OutboxRecord record;
        int attempts{0};
        alerts::Millis next_try{0};  // mono
        bool in_flight{false};
    };

    void build_transports();
    void open_outbox();
    void enqueue(std::vector<notify::Group> groups, alerts::Instant t);
    void add_pending(notify::OutboxRecord record, alerts::Instant t);
    void persist(const Pending& p);
    void forget(std::uint64_t seq);
    void fall_back(const notify::OutboxRecord& record, alerts::Instant t);
    void post_pump();
    void pump(alerts::Instant t);
    void on_sent(std::uint64_t seq, const drivers::notify::Result& r);
    void check_health(alerts::Instant t);
    void schedule(alerts::Instant t);
    ReceiverStats& stats_of(const std::string& receiver);

    boost::asio::io_context& io_;
    config::NotifyConfig cfg_;
    Hooks hooks_;
    notify::Router router_{cfg_};
    notify::Grouper grouper_;
    notify::ReceiverHealth health_;
    std::map<std::string, std::unique_ptr<drivers::notify::Transport>> transports_;
    std::unique_ptr<drivers::OutboxJournal> journal_;
    std::unique_ptr<drivers::notify::StatusListener> listener_;
    std::map<std::uint64_t, Pending> pending_;  // by seq: the order of queueing
    std::uint64_t next_seq_{1};
    std::map<std::string, ReceiverStats> stats_;
    std::vector<std::string> reported_failed_;
    boost::asio::steady_timer timer_;
    std::optional<alerts::Millis> timer_at_;
    bool pump_posted_{false};
    bool stopped_{false};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace chairwatch::daemon
