// A small blocking HTTP/1.1 client for the board's tests (Boost.Beast), a reader of the live
// event stream that stops as soon as what it waits for has arrived, and a raw TCP connection
// for what a well-behaved client never sends. Each can come from another loopback address
// (127.0.0.2 …: all of 127.0.0.0/8 is the loopback on Linux).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
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
                        const std::string& body = "", const Headers& headers = {},
                        const std::string& from = "");

// Opens GET `target` and returns what arrived once `done` holds (or the timeout passed).
std::string read_stream(int port, const std::string& target, const Headers& headers,
                        const std::function<bool(const std::string&)>& done,
                        std::chrono::milliseconds timeout);

// A TCP connection to 127.0.0.1:port (from `from` if given) that sends and reads raw bytes.
class RawConnection {
  public:
    explicit RawConnection(int port, const std::string& from = "");
    ~RawConnection();
    RawConnection(RawConnection&&) noexcept;
    RawConnection& operator=(RawConnection&&) noexcept;

    bool send(const std::string& bytes);
    // Reads until `done` holds for everything received so far, the peer closes, or `timeout`
    // passes; true if `done` held.
    bool read_until(const std::function<bool(const std::string&)>& done,
                    std::chrono::milliseconds timeout);
    // True if the peer closed the connection (or reset it) within `timeout`.
    bool closed_within(std::chrono::milliseconds timeout);
    const std::string& received() const { return received_; }
    bool closed() const { return closed_; }

  private:
    bool read_some(std::chrono::milliseconds timeout);
    int fd_{-1};
    std::string received_;
    bool closed_{false};
};

// "HTTP/1.1 400 Bad Request\r\n..." -> 400; 0 if `raw` does not start with a status line.
int status_of(const std::string& raw);
// True once `raw` holds a whole response head and the Content-Length bytes of body after it.
bool complete_response(const std::string& raw);
// The value of header `name` in a raw response head (case-insensitive); "" if absent.
std::string header_of(const std::string& raw, const std::string& name);

}  // namespace chairwatch::it
