#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace chairwatch::it {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResult::header(const std::string& name) const {
    for (const auto& [k, v] : headers)
        if (::strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return "";
}

HttpResult http_request(int port, const std::string& method, const std::string& target,
                        const std::string& body, const Headers& headers, const std::string& from) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    if (!from.empty()) {
        stream.socket().open(tcp::v4());
        stream.socket().bind(tcp::endpoint(asio::ip::make_address(from), 0));
    }
    stream.connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty() || method == "POST") {
        req.body() = body;
        req.prepare_payload();
    }
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    if (method == "HEAD") parser.skip(true);
    http::read(stream, buffer, parser);
    HttpResult r;
    const auto& res = parser.get();
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    for (const auto& f : res)
        r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return r;
}

std::string read_stream(int port, const std::string& target, const Headers& headers,
                        const std::function<bool(const std::string&)>& done,
                        std::chrono::milliseconds timeout) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nAccept: text/event-stream\r\n";
    for (const auto& [k, v] : headers)
        req += k + ": " + v + "\r\n";
    req += "\r\n";
    asio::write(s, asio::buffer(req));
    std::string got;
    std::array<char, 4096> buf{};
    std::function<void()> next = [&] {
        s.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
            if (ec) return;
            got.append(buf.data(), n);
            if (!done(got)) next();
        });
    };
    next();
    io.run_for(timeout);
    return got;
}

RawConnection::RawConnection(int port, const std::string& from) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    if (!from.empty()) {
        ::inet_pton(AF_INET, from.c_str(), &a.sin_addr);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("cannot bind to " + from);
    }
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

RawConnection::RawConnection(RawConnection&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), received_(std::move(o.received_)), closed_(o.closed_) {}

RawConnection& RawConnection::operator=(RawConnection&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        received_ = std::move(o.received_);
        closed_ = o.closed_;
    }
    return *this;
}

bool RawConnection::send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// One read of whatever arrives within `timeout`; false if nothing did (or the peer closed).
bool RawConnection::read_some(std::chrono::milliseconds timeout) {
    if (closed_) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
    if (ready <= 0) return false;
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
        closed_ = true;
        return false;
    }
    received_.append(buf, static_cast<std::size_t>(n));
    return true;
}

bool RawConnection::read_until(const std::function<bool(const std::string&)>& done,
                               std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(received_)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (closed_ || left <= std::chrono::milliseconds(0)) return false;
        read_some(left);
    }
    return true;
}

bool RawConnection::closed_within(std::chrono::milliseconds timeout) {
    read_until([](const std::string&) { return false; }, timeout);
    return closed_;
}

int status_of(const std::string& raw) {
    if (raw.rfind("HTTP/1.1 ", 0) != 0 || raw.size() < 12) return 0;
    return std::atoi(raw.substr(9, 3).c_str());
}

std::string header_of(const std::string& raw, const std::string& name) {
    const auto end = raw.find("\r\n\r\n");
    std::size_t at = raw.find("\r\n");
    while (at != std::string::npos && at < end) {
        const auto next = raw.find("\r\n", at + 2);
        const auto line = raw.substr(at + 2, next - at - 2);
        const auto colon = line.find(':');
        if (colon != std::string::npos && colon == name.size() &&
            ::strncasecmp(line.c_str(), name.c_str(), name.size()) == 0) {
            const auto v = line.find_first_not_of(' ', colon + 1);
            return v == std::string::npos ? "" : line.substr(v);
        }
        at = next;
    }
    return "";
}

bool complete_response(const std::string& raw) {
    const auto end = raw.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const auto length = header_of(raw, "Content-Length");
    return raw.size() >= end + 4 + static_cast<std::size_t>(std::atoll(length.c_str()));
}

}  // namespace chairwatch::it
