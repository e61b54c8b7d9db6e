#include "http_client.hpp"

#include <strings.h>
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
                        const std::string& body, const Headers& headers) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
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

}  // namespace chairwatch::it
