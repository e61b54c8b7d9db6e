// The daemon's composition: MQTT in, the pure Clinic in the middle, alerts and session logs out.
// Its state is held by one mutex: messages are handled on Paho's receiving thread (or, when
// the state is busy, queued for the executor), everything else (ticks, flushes, signals, the
// board's HTTP requests) on one Asio executor.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alerts/clinic.hpp"
#include "board/station.hpp"
#include "config/config.hpp"
#include "daemon/service_alarms.hpp"
#include "daemon/warn_limiter.hpp"
#include "drivers/mqtt/mqtt_client.hpp"
#include "drivers/codec/payload_codec.hpp"
#include "drivers/session_log/session_log.hpp"

namespace chairwatch::board {
class Board;
}

namespace chairwatch::daemon {

namespace asio = boost::asio;

struct Counters {
    std::uint64_t messages{0};
    std::uint64_t readings{0};
    std::array<std::uint64_t, drivers::reject_reason_count> rejected{};
    std::uint64_t refused_chairs{0};
    std::uint64_t alerts{0};
    std::uint64_t log_errors{0};
    std::uint64_t disconnects{0};
    std::uint64_t reconnects{0};  // connections restored after a loss
    std::uint64_t control_errors{0};
    std::uint64_t ack_errors{0};
    std::uint64_t publish_retries{0};  // publishes the client refused, kept and sent again
    std::uint64_t stale_or_future{0};  // readings refused for their timestamp
    std::uint64_t recovered_sessions{0};
    std::uint64_t duplicates{0};  // readings dropped as repeats of the one before
};

// What the service is built with beside its configuration; the defaults are the real ones.
// Service-level tests give it a scripted MQTT client and a clock of their own.
struct ServiceParts {
    std::function<std::unique_ptr<drivers::MqttClient>(const drivers::MqttSettings&,
                                                       drivers::MqttHandlers)>
        mqtt = drivers::make_paho_client;
    std::function<alerts::Instant()> clock;  // empty: the steady and the system clock
};

class Service {
  public:
    Service(asio::io_context& io, config::Config cfg, ServiceParts parts = {});
    ~Service();

    void start();
    // Ends sessions, says goodbye on the status topic, disconnects; then calls `done`.
    void stop();
    // Applies a new, already validated configuration to rules and settings.
    void reload(config::Config cfg);

    const Counters& counters() const { return counters_; }

  private:
    // Runs f on the executor, under state_mutex_.
    template <class F>
    void post_locked(F f);
    // Handles the messages that waited in the inbox (state_mutex_ held).
    void drain_inbox();
    // The config's, plus: a session id whose log exists is taken (clinic_ is built before
    // log_; the check runs only once sessions start).
    alerts::ClinicSettings clinic_settings();
    void on_message(std::string_view topic, std::string_view payload);
    void on_vitals(const std::string& chair, std::string_view topic, std::string_view payload,
                   alerts::Instant t);
    void refuse_untimely(const std::string& chair, std::string_view topic_name, drivers::Decoded& d,
                         alerts::Instant t);
    void drop_duplicates(const std::string& chair, drivers::Decoded& d, alerts::Instant t);
    alerts::Admission admit(const std::string& chair, const drivers::Decoded& d, alerts::Instant t);
    void forget_idle_chairs(alerts::Instant t);
    void on_control(const std::string& chair, std::string_view payload, alerts::Instant t);
    // MQTT acks and the board's (POST /api/alarms/{id}/ack) both take this path.
    board::AckReply on_ack(const std::string& chair, std::string_view payload, alerts::Instant t);
    board::Station board_station();
    void on_connected();
    void on_connection_lost(const std::string& why);
    void on_connect_failed(const std::string& why);
    void schedule_tick();
    void on_tick();
    void handle(const std::vector<alerts::ClinicEvent>& events, alerts::Instant now,
                std::optional<std::int64_t> seq = {});
    void publish_alarm_state(const std::string& chair);
    void write_report(const alerts::Session& s, alerts::Instant t);
    void publish_status(const char* state, const char* reason);
    // Every outgoing message goes through here: in order, and kept until the client takes it.
    void send(const std::string& topic, std::string payload, int qos, bool retain);
    void flush_unsent();
    void recover_sessions();
    void log_written(bool ok, alerts::Instant t);
    // The receiving connection's technical alarm, raised after 15 s down.
    void check_receiving(alerts::Instant t);
    void send_service_alarm(std::optional<std::string> alert);
    void notify_systemd(const char* state);
    void schedule_log_flush();
    void warn(const std::string& key, alerts::Instant now, const std::string& text);
    void log_stats();
    alerts::Instant now() const;
    std::string topic(const std::string& chair, const char* leaf) const;

    asio::io_context& io_;
    std::function<alerts::Instant()> clock_;
    config::Config cfg_;
    alerts::Clinic clinic_;
    drivers::SessionLog log_;
    // Held by whoever touches the members below: Paho's receiving thread for each message, and
    // every handler on the executor (timers, connection news, signals, the board).
    std::mutex state_mutex_;
    struct Inbound {
        std::string topic, payload;
    };
    std::mutex inbox_mutex_;
    std::vector<Inbound> inbox_;     // messages that came while the executor held the state
    std::vector<Inbound> draining_;  // being handled (state_mutex_ held)
    std::unique_ptr<drivers::MqttClient> mqtt_;
    asio::steady_timer tick_timer_;
    asio::steady_timer reconnect_timer_;
    asio::steady_timer flush_timer_;
    bool flush_scheduled_{false};
    WarnLimiter warnings_;
    Counters counters_;
    std::vector<alerts::ClinicEvent> events_;
    std::set<std::string> dirty_chairs_;
    alerts::Millis started_mono_{0};
    alerts::Millis started_wall_{0};
    alerts::Millis last_stats_{0};
    alerts::Millis last_forget_{0};
    int connect_attempts_{0};
    std::atomic<bool> stopping_{false};  // read by Paho's thread before it takes the lock
    bool stop_requested_{false};
    bool was_connected_{false};
    bool recovering_{false};  // sessions replayed from their logs take their ids back
    struct Outgoing {
        std::string topic, payload;
        int qos;
        bool retain;
    };
    std::deque<Outgoing> unsent_;
    std::unordered_map<std::string, std::array<alerts::Millis, alerts::signal_count>>
        last_device_ts_;  // per chair and signal, of the last reading judged
    ServiceAlarms service_alarms_;
    std::optional<alerts::Millis> receiving_down_since_;  // steady time it went down
    std::atomic<bool> publishing_up_{false};              // set on Paho's thread
    std::optional<alerts::Millis> disconnected_since_;    // steady time the broker link went down
    std::unique_ptr<board::Board> board_;                 // the nurse-station board (HTTP)
};

}  // namespace chairwatch::daemon
