#include "drivers/mqtt/outbox_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace chairwatch::drivers {

namespace {

// Record: magic, op, key length (u16), data length (u32), key, data, FNV-1a (u32) of all before.
constexpr unsigned char magic = 0xC7;
constexpr char op_put = 'P';
constexpr char op_remove = 'R';
constexpr std::size_t header_bytes = 8;
constexpr std::size_t check_bytes = 4;
constexpr std::uint64_t rewrite_floor = 1 << 20;  // never rewrite a file smaller than 1 MiB
// An empty journal is cut back only once it holds this much: cutting a file costs the file
// system ~10x an append (measured here: 13 us), and on a quiet broker the queue empties after
// every alert. Reading back a few dead records at the next start costs nothing.
constexpr std::uint64_t empty_cut_floor = 64 << 10;

std::uint32_t fnv1a(const char* p, std::size_t n) {
    std::uint32_t h = 2166136261u;
    for (std::size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(p[i]);
        h *= 16777619u;
    }
    return h;
}

void put_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t get_le(const char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

void make_record(std::string& out, char op, const std::string& key,
                 const std::vector<std::string_view>& parts) {
    if (key.size() > 0xFFFF) throw std::runtime_error("outbox key too long: " + key.substr(0, 64));
    std::size_t data = 0;
    for (auto p : parts)
        data += p.size();
    if (data > 0xFFFFFFFFu) throw std::runtime_error("outbox message too large");
    out.clear();
    out.push_back(static_cast<char>(magic));
    out.push_back(op);
    put_le(out, key.size(), 2);
    put_le(out, data, 4);
    out += key;
    for (auto p : parts)
        out.append(p.data(), p.size());
    put_le(out, fnv1a(out.data(), out.size()), 4);
}

std::string errno_text(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, const char* p, std::size_t n) {
    while (n > 0) {
        const auto w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

}  // namespace

OutboxJournal::OutboxJournal(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error(errno_text("cannot open", path_));
    try {
        load();
    } catch (...) {
        ::close(fd_);
        throw;
    }
}

OutboxJournal::~OutboxJournal() {
    if (fd_ >= 0) ::close(fd_);
}

void OutboxJournal::load() {
    std::string data;
    char buf[65536];
    for (;;) {
        const auto n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(data.size()));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(errno_text("cannot read", path_));
        }
        if (n == 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t at = 0;
    while (data.size() - at >= header_bytes + check_bytes) {
        const char* r = data.data() + at;
        if (static_cast<unsigned char>(r[0]) != magic || (r[1] != op_put && r[1] != op_remove))
            break;
        const auto klen = get_le(r + 2, 2);
        const auto dlen = get_le(r + 4, 4);
        const auto len = header_bytes + klen + dlen;
        if (data.size() - at < len + check_bytes) break;
        if (get_le(r + len, 4) != fnv1a(r, len)) break;
        std::string key(r + header_bytes, klen);
        if (r[1] == op_put) {
            live_[key].assign(r + header_bytes + klen, dlen);
        } else {
            live_.erase(key);
        }
        at += len + check_bytes;
    }
    dropped_ = data.size() - at;
    size_ = data.size();
    for (const auto& [k, v] : live_)
        live_bytes_ += header_bytes + k.size() + v.size() + check_bytes;
    if (dropped_ > 0) truncate_to(at);
}

void OutboxJournal::truncate_to(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
        throw std::runtime_error(errno_text("cannot truncate", path_));
    size_ = size;
}

void OutboxJournal::append(const std::string& record) {
    if (!write_all(fd_, record.data(), record.size())) {
        const auto reason = errno_text("cannot write", path_);
        // A record cut short would end the journal at the next open: take it back.
        try {
            truncate_to(size_);
        } catch (const std::exception&) {
        }
        throw std::runtime_error(reason);
    }
    size_ += record.size();
}

void OutboxJournal::put(const std::string& key, const std::vector<std::string_view>& parts) {
    std::lock_guard lock(mutex_);
    make_record(record_, op_put, key, parts);
    append(record_);
    std::string value;
    value.reserve(record_.size() - header_bytes - key.size() - check_bytes);
    for (auto p : parts)
        value.append(p.data(), p.size());
    auto [it, added] = live_.try_emplace(key);
    if (!added) live_bytes_ -= header_bytes + key.size() + it->second.size() + check_bytes;
    it->second = std::move(value);
    live_bytes_ += record_.size();
}

void OutboxJournal::remove(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = live_.find(key);
    if (it == live_.end()) return;
    make_record(record_, op_remove, key, {});
    append(record_);
    live_bytes_ -= header_bytes + key.size() + it->second.size() + check_bytes;
    live_.erase(it);
    if (live_.empty()) {
        if (size_ >= empty_cut_floor) truncate_to(0);
    } else if (size_ > rewrite_floor && size_ > 4 * live_bytes_) {
        rewrite();
    }
}

void OutboxJournal::clear() {
    std::lock_guard lock(mutex_);
    truncate_to(0);
    live_.clear();
    live_bytes_ = 0;
}

// Replaces the file with one holding only the live records: a new file renamed over the old.
void OutboxJournal::rewrite() {
    const auto tmp = path_ + ".tmp";
    const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;  // the journal stays as it is, only larger
    std::string all;
    all.reserve(live_bytes_);
    for (const auto& [k, v] : live_) {
        make_record(record_, op_put, k, {v});
        all += record_;
    }
    if (!write_all(fd, all.data(), all.size()) || ::rename(tmp.c_str(), path_.c_str()) != 0) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return;
    }
    // The new file is now the journal, and this descriptor appends to it.
    ::close(fd_);
    fd_ = fd;
    size_ = all.size();
}

bool OutboxJournal::contains(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return live_.count(key) > 0;
}

std::vector<std::string> OutboxJournal::keys() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(live_.size());
    for (const auto& [k, v] : live_)
        out.push_back(k);
    return out;
}

std::string OutboxJournal::get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return live_.at(key);
}

std::uint64_t OutboxJournal::file_bytes() const {
    std::lock_guard lock(mutex_);
    return size_;
}

}  // namespace chairwatch::drivers
