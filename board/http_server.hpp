// The board's HTTP/1.1 server on the daemon's executor, in the shape of Beast's advanced
// server: a listener accepting connections and one session object per connection. A session
// either answers requests (keep-alive) or, once the handler says so, becomes a Server-Sent
// Events stream that the board writes to. Binding failures are logged and retried: the board
// is an addition, and alerting over MQTT must go on without it.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace chairwatch::board {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Reply {
    Response res;
    bool event_stream{false};  // answer with a text/event-stream and keep the connection
};

// The headers every response carries (docs/board.md); Cache-Control only if not set already.
void add_security_headers(http::response_header<>& h);

class HttpSession;

class Handler {
  public:
    virtual ~Handler() = default;
    // `client` is the caller's IP address as text (an IPv4-mapped IPv6 address as IPv4).
    virtual Reply handle(const Request& req, const std::string& client) = 0;
    virtual void on_stream_open(const std::shared_ptr<HttpSession>& s) = 0;
    virtual void on_response(unsigned status) = 0;
};

struct ServerState {
    Handler* handler{nullptr};  // null once stopped
    std::size_t connections{0};
    std::set<std::shared_ptr<HttpSession>, std::owner_less<>> live;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                std::string client);
    ~HttpSession();
    void run();
    // Streams only: queues one SSE message; a client that falls far behind is dropped.
    void send(std::shared_ptr<const std::string> message);
    void close();
    bool open() const { return open_; }

  private:
    void do_read();
    void on_head(beast::error_code ec, std::size_t n);
    void on_read(beast::error_code ec, std::size_t n);
    void on_read_error(beast::error_code ec);
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
    bool open_{true};
    bool streaming_{false};
};

class HttpServer {
  public:
    HttpServer(asio::io_context& io, Handler& handler);
    ~HttpServer();
    void start(const std::string& address, int port);
    void stop();
    std::size_t connections() const { return state_->connections; }
    bool listening() const { return acceptor_.is_open(); }

  private:
    void try_bind();
    void do_accept();
    void on_accept(beast::error_code ec, asio::ip::tcp::socket socket);

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_;
    std::shared_ptr<ServerState> state_;
    std::string address_;
    int port_{0};
    bool stopped_{false};
};

}  // namespace chairwatch::board
