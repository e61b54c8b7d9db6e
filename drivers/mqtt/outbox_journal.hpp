// The disk queue behind `broker.queue_dir`: Paho's persistence interface over one append-only
// file instead of one file per message. Every message Paho stores (a publish waiting to be
// sent, or sent and not yet acknowledged) is one appended record, every removal another; the
// live messages are also kept in memory. When nothing is live and the file has reached 64 KiB
// it is cut back to empty, and when it has grown well past its live content it is rewritten
// with only that.
//
// Each record reaches the kernel with one write(2) before Paho goes on, so a crash or
// `kill -9` of the daemon loses nothing (the same guarantee as Paho's own file persistence,
// which does not fsync either). At open, records are read back up to the first incomplete or
// damaged one (a write cut short by a full disk), and the file is cut there.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace chairwatch::drivers {

class OutboxJournal {
  public:
    // Opens (creating if needed) the journal file at `path`; throws std::runtime_error with
    // the reason if it cannot be read or written.
    explicit OutboxJournal(std::string path);
    ~OutboxJournal();
    OutboxJournal(const OutboxJournal&) = delete;
    OutboxJournal& operator=(const OutboxJournal&) = delete;

    // Each throws std::runtime_error if the record could not be written; the store is then
    // unchanged.
    void put(const std::string& key, const std::vector<std::string_view>& parts);
    void remove(const std::string& key);
    void clear();

    bool contains(const std::string& key) const;
    std::vector<std::string> keys() const;
    // Throws std::out_of_range for an unknown key.
    std::string get(const std::string& key) const;

    const std::string& path() const { return path_; }
    std::uint64_t file_bytes() const;
    std::size_t damaged_bytes_dropped() const { return dropped_; }  // at open

  private:
    void load();
    void append(const std::string& record);
    void rewrite();
    void truncate_to(std::uint64_t size);

    std::string path_;
    int fd_{-1};
    std::uint64_t size_{0};        // bytes in the file
    std::uint64_t live_bytes_{0};  // of records still live
    std::size_t dropped_{0};
    std::map<std::string, std::string> live_;
    std::string record_;        // reused for each append
    mutable std::mutex mutex_;  // Paho calls from its sending and receiving threads
};

}  // namespace chairwatch::drivers
