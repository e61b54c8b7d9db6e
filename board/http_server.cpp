#include "board/http_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "drivers/codec/text_rules.hpp"

namespace chairwatch::board {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t max_queued_events = 512;
constexpr auto body_timeout = 10s;  // bodies are at most 8 KB
constexpr auto write_timeout = 30s;
constexpr auto bind_retry = 10s;
// After a last response the client may still be sending (a body refused with 413): what it
// sends is read and dropped for this long, so that closing does not reset the connection
// before the client has read the answer.
constexpr auto linger_time = 1s;
constexpr std::size_t linger_bytes = 64 * 1024;
// accept() failing again and again (no descriptors left) pauses accepting, doubling up to this.
constexpr auto first_accept_pause = 100ms;
constexpr auto max_accept_pause = 1000ms;
constexpr auto log_interval = 10s;  // at most one warning of each kind this often

constexpr std::string_view csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

Response plain(unsigned status, std::string_view text) {
    Response res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::string(text) + "\n";
    res.prepare_payload();
    return res;
}

// A request whose body length could be read two ways is refused: a proxy in front might read it
// the other way and take the rest for a second request (request smuggling). Beast itself
// refuses Content-Length with a chunked Transfer-Encoding; this also covers other codings.
std::optional<std::string_view> bad_framing(const Request& req) {
    const auto codings = req.count(http::field::transfer_encoding);
    if (codings == 0) return std::nullopt;
    if (codings > 1 || req.count(http::field::content_length) > 0)
        return "both Content-Length and Transfer-Encoding";
    auto te = req[http::field::transfer_encoding];
    while (!te.empty() && (te.front() == ' ' || te.front() == '\t'))
        te.remove_prefix(1);
    while (!te.empty() && (te.back() == ' ' || te.back() == '\t'))
        te.remove_suffix(1);
    if (!beast::iequals(te, "chunked")) return "unsupported Transfer-Encoding";
    return std::nullopt;
}

bool is_parse_error(const beast::error_code& ec) {
    return ec.category() == beast::http::make_error_code(http::error::bad_method).category();
}

// Out of descriptors or memory: only time helps.
bool scarce(const beast::error_code& ec) {
    const int e = ec.value();
    return ec.category() == asio::error::get_system_category() &&
           (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM);
}

std::string address_text(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
    return a.to_string();
}

// True once per log_interval; `held` counts the calls in between.
bool log_now(Clock::time_point& last, std::uint64_t& held) {
    const auto now = Clock::now();
    if (last != Clock::time_point{} && now - last < log_interval) {
        ++held;
        return false;
    }
    last = now;
    return true;
}

}  // namespace

void add_security_headers(http::response_header<>& h) {
    h.set(http::field::server, "chairwatchd");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "same-origin");  // no-referrer would make Origin "null"
    if (h.find("Content-Security-Policy") == h.end()) h.set("Content-Security-Policy", csp);
    if (h.find(http::field::cache_control) == h.end())
        h.set(http::field::cache_control, "no-store");
}

std::size_t ServerState::open_connections() const {
    return static_cast<std::size_t>(
        std::count_if(sessions.begin(), sessions.end(), [](const auto* s) { return s->open(); }));
}

HttpSession::HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                         std::string client)
    : stream_(std::move(socket)),
      state_(std::move(state)),
      client_(std::move(client)),
      since_(Clock::now()) {
    state_->sessions.push_back(this);
}

HttpSession::~HttpSession() {
    std::erase(state_->sessions, this);
}

void HttpSession::enter(Phase p) {
    phase_ = p;
    since_ = Clock::now();
}

void HttpSession::run() {
    do_read();
}

// The first request head must come within header_timeout; after a response, the next one may
// start within idle_timeout and must then be complete within header_timeout.
void HttpSession::do_read() {
    enter(Phase::waiting);
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(8 * 1024);
    if (!answered_ || buffer_.size() > 0) return read_head();
    stream_.expires_after(state_->limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(1024),
        beast::bind_front_handler(&HttpSession::on_idle_read, shared_from_this()));
}

void HttpSession::on_idle_read(beast::error_code ec, std::size_t n) {
    buffer_.commit(n);
    if (ec) return on_read_error(ec, "idle_timeout");
    read_head();
}

void HttpSession::read_head() {
    stream_.expires_after(state_->limits.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_head, shared_from_this()));
}

void HttpSession::on_head(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec, "header_timeout");
    enter(Phase::busy);
    if (auto why = bad_framing(parser_->get()))
        return reply(plain(400, "malformed request: " + std::string(*why)), false);
    if (parser_->is_done()) return answer();
    stream_.expires_after(body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec, "body_timeout");
    answer();
}

void HttpSession::on_read_error(beast::error_code ec, const char* timeout_reason) {
    if (!state_->handler || ec == asio::error::operation_aborted) return finish();
    if (ec == beast::error::timeout) {
        ++state_->counters.dropped[timeout_reason];
        return finish();
    }
    enter(Phase::busy);
    if (ec == http::error::body_limit) return reply(plain(413, "request body too large"), false);
    if (ec == http::error::header_limit)
        return reply(plain(431, "request header too large"), false);
    // The client went away (end_of_stream, partial_message), or the socket failed.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        !is_parse_error(ec))
        return finish();
    reply(plain(400, "malformed request"), false);
}

void HttpSession::answer() {
    if (!state_->handler) return finish();
    const auto& req = parser_->get();
    Reply r;
    try {
        r = state_->handler->handle(req, client_);
    } catch (const std::exception& e) {
        spdlog::error("board: {} {} failed: {}", std::string(req.method_string()),
                      drivers::printable({req.target().data(), req.target().size()}, 100),
                      e.what());
        r.res = plain(500, "internal error");
    }
    if (r.event_stream) {
        start_stream(std::move(r.res));
        if (state_->handler) state_->handler->on_stream_open(shared_from_this(), r.stream_key);
        return;
    }
    r.res.version(req.version());
    if (req.method() == http::verb::head) {
        const auto length = r.res.body().size();
        r.res.body().clear();
        r.res.content_length(length);
    }
    reply(std::move(r.res), req.keep_alive());
}

void HttpSession::reply(Response res, bool keep_alive) {
    if (state_->handler) state_->handler->on_response(res.result_int());
    add_security_headers(res);
    res.keep_alive(keep_alive);
    answered_ = true;
    res_ = std::make_shared<Response>(std::move(res));
    stream_.expires_after(write_timeout);
    http::async_write(
        stream_, *res_,
        beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    res_.reset();
    if (ec) return finish();
    if (!keep_alive) return linger();
    do_read();
}

void HttpSession::linger() {
    enter(Phase::closing);
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.expires_after(linger_time);
    drain();
}

void HttpSession::drain() {
    auto self = shared_from_this();
    stream_.async_read_some(asio::buffer(sink_), [self](beast::error_code ec, std::size_t n) {
        self->lingered_ += n;
        if (ec || self->lingered_ > linger_bytes) return self->finish();
        self->drain();
    });
}

// The head goes out first; what the board sends meanwhile waits in the queue.
void HttpSession::start_stream(Response head) {
    enter(Phase::streaming);
    if (state_->handler) state_->handler->on_response(head.result_int());
    head_ = std::make_shared<http::response<http::empty_body>>(head.result(), 11);
    for (const auto& f : head)
        head_->set(f.name_string(), f.value());
    add_security_headers(*head_);
    head_->keep_alive(false);
    head_sr_ = std::make_shared<http::response_serializer<http::empty_body>>(*head_);
    streaming_ = true;
    head_pending_ = true;
    stream_.expires_after(write_timeout);
    auto self = shared_from_this();
    http::async_write_header(stream_, *head_sr_, [self](beast::error_code ec, std::size_t) {
        self->head_sr_.reset();
        self->head_.reset();
        self->head_pending_ = false;
        if (ec || !self->state_->handler) return self->finish();
        self->watch_stream();
        if (!self->queue_.empty()) self->do_send();
    });
}

// A stream's client never sends anything; a read that ends means it went away.
void HttpSession::watch_stream() {
    stream_.expires_never();
    auto self = shared_from_this();
    stream_.async_read_some(asio::buffer(sink_), [self](beast::error_code ec, std::size_t) {
        if (ec) return self->finish();
        self->watch_stream();
    });
}

void HttpSession::send(std::shared_ptr<const std::string> message) {
    if (!open_ || !streaming_) return;
    if (queue_.size() >= max_queued_events) {
        spdlog::warn("board: dropping a live view that does not keep up");
        return close();
    }
    queue_.push_back(std::move(message));
    if (queue_.size() == 1 && !head_pending_) do_send();
}

void HttpSession::do_send() {
    stream_.expires_after(write_timeout);
    auto self = shared_from_this();
    asio::async_write(stream_, asio::buffer(*queue_.front()),
                      [self](beast::error_code ec, std::size_t) {
                          if (ec) return self->finish();
                          self->queue_.pop_front();
                          if (!self->queue_.empty()) self->do_send();
                      });
}

void HttpSession::close() {
    finish();
}

void HttpSession::finish() {
    if (!open_) return;
    open_ = false;
    queue_.clear();
    if (stream_.socket().is_open()) {
        beast::error_code ec;
        stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
        stream_.close();
    }
}

HttpServer::HttpServer(asio::io_context& io, Handler& handler)
    : io_(io),
      acceptor_(io),
      retry_(io),
      accept_pause_(io),
      state_(std::make_shared<ServerState>()) {
    state_->handler = &handler;
}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start(const std::string& address, int port) {
    address_ = address;
    port_ = port;
    try_bind();
}

void HttpServer::try_bind() {
    if (stopped_) return;
    beast::error_code ec;
    const auto addr = asio::ip::make_address(address_, ec);
    const asio::ip::tcp::endpoint ep(addr, static_cast<std::uint16_t>(port_));
    if (!ec) acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        if (acceptor_.is_open()) acceptor_.close();
        spdlog::error("board: cannot listen on {}:{} ({}); retrying in {} s", address_, port_,
                      ec.message(), bind_retry.count());
        retry_.expires_after(bind_retry);
        retry_.async_wait([this](beast::error_code e) {
            if (!e) try_bind();
        });
        return;
    }
    spdlog::info("board: nurse station on http://{}{}{}:{}/", addr.is_v6() ? "[" : "", address_,
                 addr.is_v6() ? "]" : "", port_);
    do_accept();
}

void HttpServer::do_accept() {
    acceptor_.async_accept(io_, beast::bind_front_handler(&HttpServer::on_accept, this));
}

void HttpServer::on_accept(beast::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (ec) return pause_accepting(ec);
    failed_accepts_ = 0;
    admit(std::move(socket));
    do_accept();
}

// Accepting again at once would fail again at once (a busy loop that starves the executor):
// the connections wait in the listen queue until descriptors are free again. A failure of one
// connection alone is retried at once, the first time.
void HttpServer::pause_accepting(const beast::error_code& ec) {
    ++state_->counters.accept_errors;
    ++failed_accepts_;
    auto pause = first_accept_pause * (1 << std::min(failed_accepts_ - 1, 4));
    if (!scarce(ec) && failed_accepts_ == 1) pause = 0ms;
    pause = std::min<std::chrono::milliseconds>(pause, max_accept_pause);
    if (log_now(accept_logged_, accept_unlogged_)) {
        spdlog::warn(
            "board: accepting a connection failed ({}); pausing {} ms ({} more since "
            "the last warning)",
            ec.message(), pause.count(), accept_unlogged_);
        accept_unlogged_ = 0;
    }
    accept_pause_.expires_after(pause);
    accept_pause_.async_wait([this](beast::error_code e) {
        if (!e && !stopped_) do_accept();
    });
}

void HttpServer::admit(asio::ip::tcp::socket socket) {
    beast::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return;  // already gone
    auto client = address_text(peer.address());
    if (!make_room(client)) {
        socket.close(ec);
        return;
    }
    std::make_shared<HttpSession>(std::move(socket), state_, std::move(client))->run();
}

// Under a cap, the connection that has waited longest for a request head (of the same client
// for the per-client cap, of anyone for the total) is closed for the new one; if every
// connection is busy or streaming, the new one is refused.
bool HttpServer::make_room(const std::string& client) {
    auto& st = *state_;
    const auto evict = [&](bool same_client) {
        HttpSession* oldest = nullptr;
        for (auto* s : st.sessions) {
            using P = HttpSession::Phase;
            if (!s->open() || (s->phase() != P::waiting && s->phase() != P::closing) ||
                (same_client && s->client() != client))
                continue;
            // a closing connection first, then the one that has waited longest
            if (!oldest || std::pair(s->phase() != P::closing, s->since()) <
                               std::pair(oldest->phase() != P::closing, oldest->since()))
                oldest = s;
        }
        if (!oldest) return false;
        oldest->close();
        drop("evicted_idle", oldest->client());
        return true;
    };
    const auto from_client =
        std::count_if(st.sessions.begin(), st.sessions.end(),
                      [&](const auto* s) { return s->open() && s->client() == client; });
    if (static_cast<std::size_t>(from_client) >= st.limits.max_per_client && !evict(true)) {
        drop("client_limit", client);
        return false;
    }
    if (st.open_connections() >= st.limits.max_connections && !evict(false)) {
        drop("connection_limit", client);
        return false;
    }
    return true;
}

void HttpServer::drop(const char* reason, const std::string& client) {
    ++state_->counters.dropped[reason];
    if (log_now(drop_logged_, drop_unlogged_)) {
        spdlog::warn(
            "board: connection limit: {} (client {}, {} open; {} more since the last "
            "warning)",
            reason, client, state_->open_connections(), drop_unlogged_);
        drop_unlogged_ = 0;
    }
}

void HttpServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    state_->handler = nullptr;
    retry_.cancel();
    accept_pause_.cancel();
    beast::error_code ec;
    acceptor_.close(ec);
    const auto sessions = state_->sessions;
    for (auto* s : sessions)
        s->close();
}

}  // namespace chairwatch::board
