// A small blocking HTTP/1.1 client for the board's tests (Boost.Beast), and a reader of the
// live event stream that stops as soon as what it waits for has arrived.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace chairwatch::it {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
    int status{0};
    std::string body;
    Headers headers;
    std::string header(const std::string& name) const;  // case-insensitive; "" if absent
};

HttpResult http_request(int port, const std::string& method, const std::string& target,
                        const std::string& body = "", const Headers& headers = {});

// Opens GET `target` and returns what arrived once `done` holds (or the timeout passed).
std::string read_stream(int port, const std::string& target, const Headers& headers,
                        const std::function<bool(const std::string&)>& done,
                        std::chrono::milliseconds timeout);

}  // namespace chairwatch::it
