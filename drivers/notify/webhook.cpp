#include "drivers/notify/webhook.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "drivers/notify/in_flight.hpp"
#include "drivers/notify/tls_client.hpp"
#include "drivers/notify/webhook_body.hpp"

namespace chairwatch::drivers::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::optional<WebhookUrl> parse_webhook_url(std::string_view url, std::string& error) {
    WebhookUrl u;
    if (url.starts_with("https://")) {
        u.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        error = "webhook URL must start with http:// or https://";
        return std::nullopt;
    }
    const auto slash = url.find_first_of("/?");
    auto authority = url.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (u.target[0] == '?') u.target.insert(0, "/");
    if (authority.find('@') != std::string_view::npos) {
        error = "webhook URL must not carry credentials (use headers)";
        return std::nullopt;
    }
    std::string_view port;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "webhook URL: unclosed [ in the host";
            return std::nullopt;
        }
        u.host = std::string(authority.substr(1, close - 1));
        auto rest = authority.substr(close + 1);
        if (rest.starts_with(":")) port = rest.substr(1);
    } else {
        const auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (u.host.empty()) {
        error = "webhook URL has no host";
        return std::nullopt;
    }
    if (!port.empty()) {
        unsigned value = 0;
        const auto r = std::from_chars(port.data(), port.data() + port.size(), value);
        if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || value == 0 ||
            value > 65535) {
            error = "webhook URL: bad port '" + std::string(port) + "'";
            return std::nullopt;
        }
    }
    u.port = port.empty() ? (u.tls ? "443" : "80") : std::string(port);
    return u;
}

std::string format_seconds(std::chrono::milliseconds d) {
    char buf[32];
    if (d.count() % 1000 == 0)
        std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(d.count() / 1000));
    else
        std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

namespace {

struct Shared {
    WebhookOptions options;
    WebhookUrl url;
    std::optional<ssl::context> tls;
};

Result outcome_of_status(unsigned status) {
    const auto detail = "HTTP " + std::to_string(status);
    if (status >= 200 && status < 300) return {Outcome::delivered, detail};
    if (status == 408 || status == 429 || status >= 500) return {Outcome::failed, detail};
    if (status >= 300 && status < 400)
        return {Outcome::rejected, detail + " (redirects are not followed)"};
    return {Outcome::rejected, detail};
}

// One POST: resolve, connect, (TLS handshake), write, read, under one deadline.
template <class Stream>
class Exchange : public Abandonable, public std::enable_shared_from_this<Exchange<Stream>> {
  public:
    template <class... StreamArgs>
    Exchange(asio::io_context& io, std::shared_ptr<const Shared> shared, std::string body,
             std::string key, std::function<void(Result)> done, StreamArgs&&... args)
        : shared_(std::move(shared)),
          resolver_(io),
          stream_(std::forward<StreamArgs>(args)...),
          deadline_(io),
          done_(std::move(done)) {
        build_request(std::move(body), key);
    }

    void start() {
        if (abandoned_) return;
        deadline_.expires_after(shared_->options.timeout);
        deadline_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->on_deadline();
        });
        resolver_.async_resolve(
            shared_->url.host, shared_->url.port,
            [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
                self->on_resolve(ec, std::move(r));
            });
    }

    void abandon() override {
        abandoned_ = true;
        close();
    }

  private:
    void build_request(std::string body, const std::string& key) {
        const auto& u = shared_->url;
        req_.method(http::verb::post);
        req_.target(u.target);
        req_.version(11);
        const bool default_port = u.port == (u.tls ? "443" : "80");
        const auto host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
        req_.set(http::field::host, default_port ? host : host + ":" + u.port);
        // The configured headers first: ours below replace any of the same name.
        for (const auto& [name, value] : shared_->options.headers)
            req_.set(name, value);
        req_.set(http::field::user_agent, "chairwatch/" CHAIRWATCH_VERSION);
        req_.set(http::field::content_type, "application/json");
        req_.set("Idempotency-Key", key);
        if (!shared_->options.secret.empty())
            req_.set("X-Chairwatch-Signature",
                     "sha256=" + hmac_sha256_hex(shared_->options.secret, body));
        req_.set(http::field::connection, "close");
        req_.body() = std::move(body);
        req_.prepare_payload();
    }

    void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return fail(ec, "resolve " + shared_->url.host);
        beast::get_lowest_layer(stream_).async_connect(
            results, [self = this->shared_from_this()](beast::error_code e, const tcp::endpoint&) {
                self->on_connect(e);
            });
    }

    void on_connect(beast::error_code ec) {
        if (ec) return fail(ec, "connect " + shared_->url.host + ":" + shared_->url.port);
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            if (!set_sni(stream_.native_handle(), shared_->url.host))
                return finish({Outcome::failed, "TLS: cannot set SNI host name"});
            if (shared_->options.tls_verify)
                stream_.set_verify_callback(ssl::host_name_verification(shared_->url.host));
            stream_.async_handshake(ssl::stream_base::client,
                                    [self = this->shared_from_this()](beast::error_code e) {
                                        if (e) return self->fail(e, "TLS");
                                        self->do_write();
                                    });
        } else {
            do_write();
        }
    }

    void do_write() {
        http::async_write(stream_, req_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->fail(ec, "send");
                              self->do_read();
                          });
    }

    void do_read() {
        parser_.body_limit(64 * 1024);
        http::async_read(stream_, buffer_, parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec) return self->fail(ec, "read");
                             self->finish(outcome_of_status(self->parser_.get().result_int()));
                         });
    }

    void on_deadline() {
        timed_out_ = true;
        close();
    }

    void fail(beast::error_code ec, const std::string& what) {
        if (timed_out_)
            return finish(
                {Outcome::failed, "timeout after " + format_seconds(shared_->options.timeout)});
        auto message = ec.message();
        // OpenSSL 3 appends the library: "certificate verify failed (SSL routines)".
        if (what == "TLS") message = message.substr(0, message.find(" ("));
        finish({Outcome::failed, what + ": " + message});
    }

    void close() {
        resolver_.cancel();
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

    void finish(Result r) {
        if (finished_) return;
        finished_ = true;
        deadline_.cancel();
        close();
        if (abandoned_) return;
        auto done = std::move(done_);
        done(std::move(r));
    }

    std::shared_ptr<const Shared> shared_;
    tcp::resolver resolver_;
    Stream stream_;
    asio::steady_timer deadline_;
    std::function<void(Result)> done_;
    http::request<http::string_body> req_;
    beast::flat_buffer buffer_;
    http::response_parser<http::string_body> parser_;
    bool timed_out_{false};
    bool finished_{false};
    bool abandoned_{false};
};

class Webhook final : public Transport {
  public:
    Webhook(asio::io_context& io, WebhookOptions options) : io_(io) {
        auto shared = std::make_shared<Shared>();
        std::string error;
        auto url = parse_webhook_url(options.url, error);
        if (!url) throw std::invalid_argument(error);
        shared->url = *url;
        for (const auto& [name, value] : options.headers) {
            if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos ||
                value.find_first_of("\r\n") != std::string::npos)
                throw std::invalid_argument("webhook header '" + name + "' is not a valid header");
        }
        if (url->tls) {
            shared->tls.emplace(
                make_client_context(options.tls_verify, options.ca_file, "webhook"));
        }
        shared->options = std::move(options);
        shared_ = std::move(shared);
    }

    void send(const Notification& n, std::function<void(Result)> done) override {
        auto body = webhook_body(n);
        if (shared_->url.tls) {
            auto e = std::make_shared<Exchange<beast::ssl_stream<beast::tcp_stream>>>(
                io_, shared_, std::move(body), n.key, std::move(done), io_, *shared_->tls);
            in_flight_.start(e);
        } else {
            auto e = std::make_shared<Exchange<beast::tcp_stream>>(io_, shared_, std::move(body),
                                                                   n.key, std::move(done), io_);
            in_flight_.start(e);
        }
    }

  private:
    asio::io_context& io_;
    std::shared_ptr<Shared> shared_;
    InFlight in_flight_{io_};  // last: abandoned first when the transport goes
};

}  // namespace

std::unique_ptr<Transport> make_webhook(asio::io_context& io, WebhookOptions options) {
    return std::make_unique<Webhook>(io, std::move(options));
}

}  // namespace chairwatch::drivers::notify
