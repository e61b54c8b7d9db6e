#include "config/http_reader.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "accounts/users_io.hpp"

namespace chairwatch::config {

namespace {

constexpr std::size_t min_token_chars = 16;
constexpr std::size_t max_token_file_bytes = 4096;

bool valid_address(const std::string& a) {
    std::array<unsigned char, 16> buf{};
    return ::inet_pton(AF_INET, a.c_str(), buf.data()) == 1 ||
           ::inet_pton(AF_INET6, a.c_str(), buf.data()) == 1;
}

// At most max_token_file_bytes of a regular file. Opened without blocking, so a FIFO or a
// device named by mistake is refused at once instead of hanging a start or a reload.
std::optional<std::string> read_token_file(const std::string& path, std::string& out) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return "cannot read '" + path + "' (" + std::strerror(errno) + ")";
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return "cannot read '" + path + "' (" + std::strerror(errno) + ")";
    if (!S_ISREG(st.st_mode)) return "'" + path + "' is not a regular file";
    const auto too_large =
        "'" + path + "' is larger than " + std::to_string(max_token_file_bytes) + " bytes";
    if (static_cast<std::size_t>(st.st_size) > max_token_file_bytes) return too_large;
    std::array<char, max_token_file_bytes + 1> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        const auto n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return "cannot read '" + path + "' (" + std::strerror(errno) + ")";
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > max_token_file_bytes) return too_large;  // it grew meanwhile
    out.assign(buf.data(), got);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> load_station_token(HttpConfig& h) {
    std::string token;
    if (auto e = read_token_file(h.token_file, token)) return e;
    const auto first = token.find_first_not_of(" \t\r\n");
    const auto last = token.find_last_not_of(" \t\r\n");
    token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
    if (token.size() < min_token_chars)
        return "the token in '" + h.token_file + "' must have at least " +
               std::to_string(min_token_chars) + " characters";
    for (char ch : token)
        if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f)
            return "the token in '" + h.token_file + "' must be one line of printable characters";
    h.token = token;
    return std::nullopt;
}

std::optional<std::string> apply_http_listen(const std::string& listen, HttpConfig& h) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) return "'" + listen + "' is not ADDR:PORT";
    auto addr = listen.substr(0, colon);
    if (addr.size() > 2 && addr.front() == '[' && addr.back() == ']')
        addr = addr.substr(1, addr.size() - 2);
    if (!valid_address(addr)) return "'" + addr + "' is not an IPv4 or IPv6 address";
    const auto port_text = listen.substr(colon + 1);
    int port = -1;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port < 0 || port > 65535)
        return "'" + port_text + "' is not a port from 0 to 65535";
    h.address = addr;
    h.port = port;
    return std::nullopt;
}

namespace {

// Each within its range, and together consistent: room for requests beside the streams.
void read_http_limits(YamlReader& r, const YAML::Node& n, HttpConfig& h) {
    if (auto v = r.integer(n, "max_connections", "http", 8, 4096)) h.max_connections = *v;
    if (auto v = r.integer(n, "max_connections_per_client", "http", 1, 4096))
        h.max_connections_per_client = *v;
    if (auto v = r.integer(n, "max_streams", "http", 1, 1024)) h.max_streams = *v;
    if (auto v = r.integer(n, "max_streams_per_login", "http", 1, 64)) h.max_streams_per_login = *v;
    if (auto v = r.integer(n, "header_timeout_s", "http", 1, 60)) h.header_timeout_s = *v;
    if (auto v = r.integer(n, "idle_timeout_s", "http", 1, 3600)) h.idle_timeout_s = *v;
    if (auto v = r.integer(n, "shift_hours", "http", 1, 24)) h.shift_hours = *v;
    const auto at = [&](const char* key) { return r.key_mark(n, key); };
    if (h.max_connections_per_client > h.max_connections)
        r.error(at("max_connections_per_client"),
                "http.max_connections_per_client: " + std::to_string(h.max_connections_per_client) +
                    " is more than http.max_connections (" + std::to_string(h.max_connections) +
                    ")");
    if (h.max_streams >= h.max_connections)
        r.error(at("max_streams"), "http.max_streams: " + std::to_string(h.max_streams) +
                                       " leaves no connection for requests; keep it below "
                                       "http.max_connections (" +
                                       std::to_string(h.max_connections) + ")");
    if (h.max_streams_per_login > h.max_streams)
        r.error(at("max_streams_per_login"),
                "http.max_streams_per_login: " + std::to_string(h.max_streams_per_login) +
                    " is more than http.max_streams (" + std::to_string(h.max_streams) + ")");
}

}  // namespace

void read_http(YamlReader& r, const YAML::Node& n, HttpConfig& h) {
    if (!r.expect_map(n, "http",
                      {"address", "port", "token_file", "read_only_without_token", "station_name",
                       "show_patient_ref", "max_connections", "max_connections_per_client",
                       "max_streams", "max_streams_per_login", "header_timeout_s", "idle_timeout_s",
                       "users_file", "login_timeout_min", "shift_hours"}))
        return;
    if (auto v = r.string(n, "address", "http")) {
        if (valid_address(*v))
            h.address = *v;
        else
            r.error(n["address"], "http.address: '" + *v + "' is not an IPv4 or IPv6 address");
    }
    if (auto v = r.integer(n, "port", "http", 0, 65535)) h.port = *v;
    if (auto v = r.string(n, "token_file", "http")) {
        h.token_file = *v;
        if (v->empty())
            r.error(n["token_file"], "http.token_file: must not be empty (leave it out instead)");
        else if (auto e = load_station_token(h))
            r.error(n["token_file"], "http.token_file: " + *e);
    }
    if (auto v = r.boolean(n, "read_only_without_token", "http")) h.read_only_without_token = *v;
    if (auto v = r.string(n, "station_name", "http")) {
        if (v->empty() || v->size() > 128)
            r.error(n["station_name"], "http.station_name: must be 1 to 128 characters");
        else
            h.station_name = *v;
    }
    if (auto v = r.boolean(n, "show_patient_ref", "http")) h.show_patient_ref = *v;
    if (auto v = r.integer(n, "login_timeout_min", "http", 5, 24 * 60))
        h.login_timeout = std::chrono::minutes(*v);
    read_http_limits(r, n, h);
}

}  // namespace chairwatch::config

namespace chairwatch::config {

void read_users_file(YamlReader& r, const YAML::Node& http, HttpConfig& h) {
    const bool named = http.IsMap() && http["users_file"];
    if (named) {
        if (auto v = r.string(http, "users_file", "http")) h.users_file = *v;
        if (h.users_file.empty()) {
            r.error(http["users_file"],
                    "http.users_file: must not be empty (leave it out instead)");
            return;
        }
    } else {
        h.users_file = (std::filesystem::path(r.file()).parent_path() / "users").string();
        if (std::error_code ec; !std::filesystem::exists(h.users_file, ec)) return;
    }
    for (const auto& e : accounts::load_users(h.users_file).errors)
        r.error(named ? r.key_mark(http, "users_file") : YAML::Mark::null_mark(),
                "http.users_file: " + e);
}

}  // namespace chairwatch::config
