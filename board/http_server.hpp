// The board's HTTP/1.1 server on the daemon's executor, in the shape of Beast's advanced
// server: a listener accepting connections and one session object per connection. A session
// either answers requests (keep-alive) or, once the handler says so, becomes a Server-Sent
// Events stream that the board writes to. Binding failures are logged and retried: the board
// is an addition, and alerting over MQTT must go on without it.
//
// Bounded under hostile load: a connection must send its request head within
// `header_timeout` and is closed after `idle_timeout` between requests; connections are capped
// per client address and in total, and at a cap the oldest connection still waiting for a
// request head makes room (so idle connections cannot keep /healthz out); when accept() fails
// (no descriptors left), accepting pauses for up to a second instead of spinning.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chairwatch::board {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Reply {
    Reply() = default;
    Reply(Response r) : res(std::move(r)) {}  // NOLINT(google-explicit-constructor): {make(…)}
    Response res;
    bool event_stream{false};  // answer with a text/event-stream and keep the connection
    std::string stream_key;    // with event_stream: whose stream it is (given to on_stream_open)
};

// The headers every response carries (docs/board.md); Cache-Control and the
// Content-Security-Policy only if not set already (a report page sets its own).
void add_security_headers(http::response_header<>& h);

class HttpSession;

class Handler {
  public:
    virtual ~Handler() = default;
    // `client` is the caller's IP address as text (an IPv4-mapped IPv6 address as IPv4).
    virtual Reply handle(const Request& req, const std::string& client) = 0;
    // Right after handle() returned an event stream, before anything is written to it.
    virtual void on_stream_open(const std::shared_ptr<HttpSession>& s, const std::string& key) = 0;
    virtual void on_response(unsigned status) = 0;
};

// The http.* limits (config/config.hpp has the defaults and ranges).
struct Limits {
    std::size_t max_connections{128};
    std::size_t max_per_client{16};
    std::chrono::milliseconds header_timeout{std::chrono::seconds(5)};
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
};

struct ServerCounters {
    std::uint64_t accept_errors{0};
    // Connections the server closed or refused because of a limit, by reason: client_limit,
    // connection_limit, evicted_idle, header_timeout, body_timeout, idle_timeout.
    std::map<std::string, std::uint64_t, std::less<>> dropped;
};

struct ServerState {
    Handler* handler{nullptr};  // null once stopped
    Limits limits;
    ServerCounters counters;
    std::vector<HttpSession*> sessions;  // every session object alive, open or not
    std::size_t open_connections() const;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    // What the connection is doing. One `waiting` for a request head (idle, or sending it
    // slowly) or `closing` may be closed to make room for another.
    enum class Phase : std::uint8_t { waiting, busy, streaming, closing };

    HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                std::string client);
    ~HttpSession();
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;
    void run();
    // Streams only: queues one SSE message; a client that falls far behind is dropped.
    void send(std::shared_ptr<const std::string> message);
    void close();
    bool open() const { return open_; }
    Phase phase() const { return phase_; }
    std::chrono::steady_clock::time_point since() const { return since_; }  // of the phase
    const std::string& client() const { return client_; }

  private:
    void enter(Phase p);
    void do_read();
    void on_idle_read(beast::error_code ec, std::size_t n);
    void read_head();
    void on_head(beast::error_code ec, std::size_t n);
    void on_read(beast::error_code ec, std::size_t n);
    void on_read_error(beast::error_code ec, const char* timeout_reason);
    void answer();
    void reply(Response res, bool keep_alive);
    void on_write(bool keep_alive, beast::error_code ec, std::size_t n);
    void linger();
    void drain();
    void start_stream(Response head);
    void watch_stream();
    void do_send();
    void finish();

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<ServerState> state_;
    std::string client_;
    std::shared_ptr<Response> res_;
    std::shared_ptr<http::response<http::empty_body>> head_;
    std::shared_ptr<http::response_serializer<http::empty_body>> head_sr_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::array<char, 512> sink_{};
    std::size_t lingered_{0};
    std::chrono::steady_clock::time_point since_;
    Phase phase_{Phase::waiting};
    bool open_{true};
    bool streaming_{false};
    bool head_pending_{false};  // a stream's response head is being written
    bool answered_{false};      // a response went out on this connection
};

class HttpServer {
  public:
    HttpServer(asio::io_context& io, Handler& handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    void start(const std::string& address, int port);
    // For connections accepted and requests read from now on.
    void set_limits(const Limits& limits) { state_->limits = limits; }
    void stop();
    std::size_t connections() const { return state_->open_connections(); }
    const ServerCounters& counters() const { return state_->counters; }
    bool listening() const { return acceptor_.is_open(); }

  private:
    void try_bind();
    void do_accept();
    void on_accept(beast::error_code ec, asio::ip::tcp::socket socket);
    void pause_accepting(const beast::error_code& ec);
    void admit(asio::ip::tcp::socket socket);
    bool make_room(const std::string& client);
    void drop(const char* reason, const std::string& client);

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    asio::steady_timer accept_pause_;
    std::shared_ptr<ServerState> state_;
    std::string address_;
    int port_{0};
    int failed_accepts_{0};  // in a row
    std::chrono::steady_clock::time_point accept_logged_{}, drop_logged_{};
    std::uint64_t accept_unlogged_{0}, drop_unlogged_{0};
    bool stopped_{false};
};

}  // namespace chairwatch::board
