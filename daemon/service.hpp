// chairwatchd's composition root: lifecycle and wiring only. One MQTT message goes
//   StateGate (the one lock, on Paho's thread) -> Inbound (decode, admit) -> Clinic (pure core)
//   -> Pipeline -> sinks in order: session log, MQTT alert publisher, notifier, board, report
//      writer, service log.
// Timers (the 1 s tick, the log flush, reconnection), connection news, signals and the board's
// requests run on one Asio executor with the state held. docs/architecture.md draws it.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/admission.hpp"
#include "alerts/clinic.hpp"
#include "board/station.hpp"
#include "config/config.hpp"
#include "daemon/counters.hpp"
#include "daemon/inbound.hpp"
#include "daemon/outgoing.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/service_alarms.hpp"
#include "daemon/sinks/alert_publisher.hpp"
#include "daemon/sinks/chair_state_publisher.hpp"
#include "daemon/sinks/hl7_exporter.hpp"
#include "daemon/sinks/notifier.hpp"
#include "daemon/sinks/report_writer.hpp"
#include "daemon/sinks/service_log_sink.hpp"
#include "daemon/sinks/session_log_sink.hpp"
#include "daemon/state_gate.hpp"
#include "daemon/warnings.hpp"
#include "drivers/mqtt/mqtt_client.hpp"
#include "drivers/session_log/session_log.hpp"

namespace chairwatch::board {
class Board;
}
namespace chairwatch::daemon::ha {
class Group;
struct AlertKey;
}  // namespace chairwatch::daemon::ha

namespace chairwatch::daemon {

namespace asio = boost::asio;

class BoardSink;

// What the service is built with beside its configuration; the defaults are the real ones.
// Service-level tests give it a scripted MQTT client and a clock of their own.
struct ServiceParts {
    std::function<std::unique_ptr<drivers::MqttClient>(const drivers::MqttSettings&,
                                                       drivers::MqttHandlers)>
        mqtt = drivers::make_paho_client;
    std::function<alerts::Instant()> clock;  // empty: the steady and the system clock
    // Each notification receiver's transport; empty: the real ones (drivers/notify).
    std::function<std::unique_ptr<drivers::notify::Transport>(const config::Receiver&)>
        notify_transport;
};

class Service {
  public:
    Service(asio::io_context& io, config::Config cfg, ServiceParts parts = {});
    ~Service();

    void start();
    // Takes no more messages, settles the sessions, says goodbye on the status topic,
    // disconnects.
    void stop();
    // Applies a new, already validated configuration to rules and settings.
    void reload(config::Config cfg);

    const Counters& counters() const { return counters_; }

  private:
    alerts::Instant now() const;
    drivers::MqttSettings mqtt_settings() const;
    drivers::MqttHandlers mqtt_handlers();
    // The config's, plus: a session id whose log exists is taken (the check runs only once
    // sessions start; recovered sessions keep their own ids).
    alerts::ClinicSettings clinic_settings();
    board::Station board_station();
    void recover_sessions();
    // The chairs out of service when the daemon last stopped (out_of_service_file.hpp).
    void restore_out_of_service();
    // Keeps the chairs out of service in their file and redraws the chair's tile.
    void on_service_changed(const std::string& chair);

    void on_connected();
    void on_connection_lost(const std::string& why);
    // The broker answered the subscriptions of connection `round` ("" or why it refused some).
    void on_subscribed(std::uint64_t round, const std::string& error);
    void on_connect_failed(const std::string& why);
    void on_receiving(bool up);
    void schedule_tick();
    void on_tick();
    void schedule_log_flush();
    // Chairs idle past input.forget_chair_after_s leave the clinic and everything kept for
    // them; false if it was done less than a second ago.
    bool forget_idle_chairs(alerts::Instant t);

    void on_log_written(bool ok, alerts::Instant t);
    // The receiving connection's technical alarm, raised after 15 s down.
    void check_receiving(alerts::Instant t);
    // Publishes a change of a technical alarm and writes it into the log of every open
    // session.
    void send_service_alarm(std::optional<ServiceAlert> alert);
    // notification_failed: receivers that failed for longer than notifications.fail_after_s.
    void on_notify_failed(const std::vector<std::string>& failed);
    void on_receipt(const drivers::notify::DispatchStatus& s);
    void publish_status(const char* state, const char* reason);
    void publish_online();  // with the reason of a failing session log, if any
    void refresh_retained(alerts::Instant t);
    // Not in a group, or its active instance.
    bool is_active() const;
    // A group's standby became active (or the reverse).
    void on_role(bool active);
    void adopt_ack(const std::string& chair, const ha::AlertKey& k);
    void mirror_board_action(const std::string& chair, std::string_view payload,
                             const board::ControlReply& reply);
    void take_over(alerts::Instant t);
    void make_group();  // config `group`: one of a standby pair
    void build_pipeline();
    void log_stats();

    asio::io_context& io_;
    std::function<alerts::Instant()> clock_;
    config::Config cfg_;
    Counters counters_;
    Warnings warnings_;
    ServiceAlarms service_alarms_;
    alerts::Clinic clinic_;
    alerts::RepeatFilter repeats_;
    drivers::SessionLog log_;
    Outgoing out_;
    Pipeline pipeline_;
    SessionLogSink log_sink_;
    AlertPublisher publisher_;
    ChairStatePublisher chair_state_;     // <prefix>/<chair>/state, for a group board
    std::unique_ptr<Notifier> notifier_;  // nurse notifications (webhook, HL7 ACM)
    ReportWriter report_writer_;
    Hl7Exporter hl7_exporter_;  // records.hl7_export: ORU^R01 at a session's end
    ServiceLogSink service_log_sink_;
    std::unique_ptr<BoardSink> board_sink_;
    Inbound inbound_;
    StateGate gate_;
    std::unique_ptr<drivers::MqttClient> mqtt_;
    std::unique_ptr<board::Board> board_;  // the nurse-station board (HTTP)
    std::unique_ptr<ha::Group> group_;     // config `group`: one of a standby pair
    std::vector<std::unique_ptr<EventSink>> group_sinks_;

    asio::steady_timer tick_timer_;
    asio::steady_timer reconnect_timer_;
    asio::steady_timer flush_timer_;
    bool flush_scheduled_{false};
    std::vector<alerts::ClinicEvent> events_;
    alerts::Millis last_stats_{0};
    alerts::Millis last_forget_{0};
    alerts::Millis last_refresh_{0};
    int connect_attempts_{0};
    bool stop_requested_{false};
    bool was_connected_{false};
    std::string refused_subscriptions_;  // why, if the broker refused some (this connection)
    std::uint64_t connection_round_{0};  // counts connections, for the answers to their SUBSCRIBEs
    bool recovering_{false};             // sessions replayed from their logs take their ids back
    std::optional<alerts::Millis> disconnected_since_;    // steady time the broker link went
    std::optional<alerts::Millis> receiving_down_since_;  // ... and the receiving one
    std::atomic<bool> publishing_up_{false};              // set on Paho's thread
};

}  // namespace chairwatch::daemon
